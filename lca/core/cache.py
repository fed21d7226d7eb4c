"""Solved results per (store, revision, year, options, supplier overrides): any bundle write
changes the revision; imported supplier footprints (aux records) are read once per aux revision."""

from __future__ import annotations

import threading
from collections import OrderedDict

from tanlian.errors import StoreEmpty
from tanlian.graph.store import GraphStore, store_key
from tanlian.lca.core.override import Override, overrides_in
from tanlian.lca.core.result import LcaResult, solve_tables
from tanlian.settings import GwpSet, Scope2Method


def latest_year(store: GraphStore, year: int | None) -> int | None:
    """``year``, or the latest year the store holds (None for an empty store)."""
    if year is not None:
        return year
    years = store.years()
    return years[-1] if years else None


class ResultCache:
    """Solved results per (store, revision, year, options, overrides); any bundle write changes the revision.

    A miss reads the columnar snapshot (revision and tables in one read transaction) and files the
    result under the revision read with it, never under one read apart."""

    def __init__(self, maxsize: int = 16):
        self._data: OrderedDict[tuple, LcaResult] = OrderedDict()
        self._lock = threading.Lock()
        self._overrides: dict[tuple, dict[str, Override]] = {}
        self.maxsize = maxsize

    def peek(
        self, store: GraphStore, gwp: GwpSet = "AR6", scope2: Scope2Method = "market", year: int | None = None
    ) -> LcaResult | None:
        """The cached result for the store's current revision, or None (no solve)."""
        key = (*store_key(store), latest_year(store, year), gwp, scope2, _key(self.overrides(store)))
        with self._lock:
            return self._data.get(key)

    def get(
        self, store: GraphStore, gwp: GwpSet = "AR6", scope2: Scope2Method = "market", year: int | None = None
    ) -> LcaResult:
        """The solved result of ``year`` (default: the latest); :class:`StoreEmpty` when it holds nothing."""
        overrides = self.overrides(store)
        key = (*store_key(store), latest_year(store, year), gwp, scope2, _key(overrides))
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        snap = store.snapshot_tables(year)
        if snap.empty:
            raise StoreEmpty(f"no data for year {year}" if year is not None else "")
        key = (*key[:2], snap.revision, snap.year, gwp, scope2, _key(overrides))
        result = solve_tables(snap, gwp, scope2, overrides)
        with self._lock:
            self._data[key] = result
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return result

    def overrides(self, store: GraphStore) -> dict[str, Override]:
        """The imported supplier footprints in force, read once per aux revision of the store."""
        aux = (store.url, getattr(store, "database", None), store.aux_revision())
        with self._lock:
            hit = self._overrides.get(aux)
        if hit is None:
            hit = overrides_in(store)
            with self._lock:
                if len(self._overrides) >= 64:
                    self._overrides.clear()
                self._overrides[aux] = hit
        return hit

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._overrides.clear()


def _key(overrides: dict[str, Override]) -> tuple:
    return tuple(sorted(overrides.items()))


results = ResultCache()
