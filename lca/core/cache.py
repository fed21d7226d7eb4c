"""Solved results per (store, revision, options): any write changes the revision."""

from __future__ import annotations

import threading
from collections import OrderedDict

from tanlian.graph.store import GraphStore, store_key
from tanlian.lca.core.result import LcaResult, solve_graph
from tanlian.settings import GwpSet, Scope2Method


class ResultCache:
    """Solved results per (store, revision, options); any write changes the revision."""

    def __init__(self, maxsize: int = 16):
        self._data: OrderedDict[tuple, LcaResult] = OrderedDict()
        self._lock = threading.Lock()
        self.maxsize = maxsize

    def peek(self, store: GraphStore, gwp: GwpSet = "AR6", scope2: Scope2Method = "market") -> LcaResult | None:
        """The cached result for the store's current revision, or None (no solve)."""
        key = (*store_key(store), gwp, scope2)
        with self._lock:
            return self._data.get(key)

    def get(self, store: GraphStore, gwp: GwpSet = "AR6", scope2: Scope2Method = "market") -> LcaResult:
        key = (*store_key(store), gwp, scope2)
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        result = solve_graph(store.snapshot(), gwp, scope2)
        with self._lock:
            self._data[key] = result
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return result

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


results = ResultCache()
