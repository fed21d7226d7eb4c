"""Snapshots and solved results per (store, revision, year, options), each computed once however
many threads ask at the same time (single flight); any bundle write changes the revision, and so
does an import of supplier footprints (their overrides are read with each solve).

A solve counter (:attr:`ResultCache.solves`), hit/miss counters and ``on_solve`` listeners feed
``/metrics``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

from tanlian.errors import StoreEmpty
from tanlian.graph.model import Graph
from tanlian.graph.snapshot import TableSnapshot
from tanlian.graph.store import GraphStore, store_key
from tanlian.lca.core.lazy_graph import LazyGraph
from tanlian.lca.core.override import overrides_in
from tanlian.lca.core.result import LcaResult, solve_tables
from tanlian.settings import GwpSet, Scope2Method

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """At most one call of a function per key at a time: concurrent callers of the same key wait
    for the first one's value (or exception) instead of computing it again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[Hashable, Future[T]] = {}

    def do(self, key: Hashable, fn: Callable[[], T]) -> T:
        with self._lock:
            future = self._calls.get(key)
            leader = future is None
            if leader:
                future = self._calls[key] = Future()
        assert future is not None
        if not leader:
            return future.result()
        try:
            value = fn()
        except BaseException as exc:
            future.set_exception(exc)
            raise
        else:
            future.set_result(value)
            return value
        finally:
            with self._lock:
                del self._calls[key]


class Lru(Generic[T]):
    """A small thread-safe LRU mapping with hit/miss counters."""

    def __init__(self, maxsize: int):
        self._data: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self.maxsize = maxsize
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> T | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: T) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def latest_year(store: GraphStore, year: int | None) -> int | None:
    """``year``, or the latest year the store holds (None for an empty store)."""
    if year is not None:
        return year
    years = store.years()
    return years[-1] if years else None


class SnapshotCache:
    """The store's columnar snapshot and its graph per (store, revision, year): read once, shared by
    the API and the solver. ``year=None`` is the latest year at that revision.

    A snapshot read after ``key`` was observed shows revision ≥ key's: never older than the key
    says, at worst newer (a write meanwhile), which the next key read replaces."""

    def __init__(self, maxsize: int = 4):
        self._tables: Lru[TableSnapshot] = Lru(maxsize)
        self._graphs: Lru[Graph] = Lru(maxsize)
        self._flight: SingleFlight[TableSnapshot] = SingleFlight()
        self._graph_flight: SingleFlight[Graph] = SingleFlight()

    def peek(self, key: tuple, year: int | None = None) -> Graph | None:
        """The cached graph for a known store key (``store_key(store)``), or None (no store call)."""
        return self._graphs.get((*key, year))

    def tables(self, store: GraphStore, year: int | None = None, key: tuple | None = None) -> TableSnapshot:
        """The columnar snapshot at ``key`` (default: the store's current key, read here)."""
        key = key if key is not None else store_key(store)
        full = (*key, year)
        cached = self._tables.get(full)
        if cached is not None:
            self._tables.hits += 1
            return cached
        self._tables.misses += 1
        return self._flight.do(full, lambda: self._read(store, full, year))

    def _read(self, store: GraphStore, full: tuple, year: int | None) -> TableSnapshot:
        snap = self._tables.get(full)  # a flight that just landed
        if snap is None:
            snap = store.snapshot_tables(year)
            self._tables.put(full, snap)
        return snap

    def get(self, store: GraphStore, year: int | None = None, key: tuple | None = None) -> Graph:
        """The graph at ``key`` (a :class:`LazyGraph`: each entity table built from the snapshot
        once per key, when first read)."""
        key = key if key is not None else store_key(store)
        full = (*key, year)
        cached = self._graphs.get(full)
        if cached is not None:
            return cached

        def build() -> Graph:
            graph = self._graphs.get(full)
            if graph is None:
                graph = LazyGraph(self.tables(store, year, key))
                self._graphs.put(full, graph)
            return graph

        return self._graph_flight.do(full, build)

    def clear(self) -> None:
        self._tables.clear()
        self._graphs.clear()


class ResultCache:
    """Solved results per (store, revision, year, options); one solve per key at a time."""

    def __init__(self, maxsize: int = 16, snapshots: SnapshotCache | None = None):
        self._lru: Lru[LcaResult] = Lru(maxsize)
        self._flight: SingleFlight[LcaResult] = SingleFlight()
        self.snapshots = snapshots or SnapshotCache()
        self.solves = 0  # solves started (a metric)
        self.on_solve: list[Callable[[float], None]] = []  # called with each solve's seconds

    @property
    def maxsize(self) -> int:
        return self._lru.maxsize

    @property
    def hits(self) -> int:
        return self._lru.hits

    @property
    def misses(self) -> int:
        return self._lru.misses

    def peek(
        self,
        store: GraphStore,
        gwp: GwpSet = "AR6",
        scope2: Scope2Method = "market",
        year: int | None = None,
        *,
        key: tuple | None = None,
    ) -> LcaResult | None:
        """The cached result, or None (no solve). With ``key`` given no store call is made."""
        key = key if key is not None else store_key(store)
        return self._lru.get((*key, year, gwp, scope2))

    def get(
        self,
        store: GraphStore,
        gwp: GwpSet = "AR6",
        scope2: Scope2Method = "market",
        year: int | None = None,
        *,
        key: tuple | None = None,
    ) -> LcaResult:
        """The solved result of ``year`` (default: the latest) at ``key`` (default: the store's
        current key); concurrent misses of one key share one solve. :class:`StoreEmpty` when the
        year holds nothing."""
        key = key if key is not None else store_key(store)
        full = (*key, year, gwp, scope2)
        cached = self._lru.get(full)
        if cached is not None:
            self._lru.hits += 1
            return cached
        self._lru.misses += 1
        return self._flight.do(full, lambda: self._solve(store, key, year, gwp, scope2))

    def _solve(self, store: GraphStore, key: tuple, year: int | None, gwp: GwpSet, scope2: Scope2Method) -> LcaResult:
        cached = self._lru.get((*key, year, gwp, scope2))  # a flight that just landed
        if cached is not None:
            return cached
        self.solves += 1
        started = time.perf_counter()
        snap = self.snapshots.tables(store, year, key)
        if snap.empty:
            raise StoreEmpty(f"no data for year {year}" if year is not None else "")
        graph = self.snapshots.get(store, year, key)  # one LazyGraph per key for views and results
        result = solve_tables(snap, gwp, scope2, overrides_in(store), graph)
        for listener in self.on_solve:
            listener(time.perf_counter() - started)
        self._lru.put((*key, year, gwp, scope2), result)
        return result

    def clear(self) -> None:
        self._lru.clear()
        self.snapshots.clear()


snapshots = SnapshotCache()
results = ResultCache(snapshots=snapshots)
