"""The entities of a columnar snapshot, each table built on first use.

:meth:`TableSnapshot.to_graph` validates every row of every table (54k pydantic objects at 10k
products, ~0.45 s); a footprint request reads products and enterprises only, an edge list the
flows. :class:`LazyGraph` is a :class:`~tanlian.graph.model.Graph` whose tables are built from the
snapshot the first time they are read, each exactly as ``to_graph`` builds it.
"""

from __future__ import annotations

import threading
from typing import Any

from tanlian.graph.model import BUNDLE_TYPES, Entity, Graph
from tanlian.graph.snapshot import TableSnapshot


class LazyGraph(Graph):
    """A graph over a columnar snapshot: ``graph.flows`` etc. are built on first access (once,
    thread-safe); assigning a table replaces it. Equal to ``snap.to_graph()``."""

    def __init__(self, snap: TableSnapshot) -> None:  # no dataclass __init__: nothing built yet
        self._snap = snap
        self._tables: dict[str, dict[str, Entity]] = {}
        self._lock = threading.Lock()

    def _get(self, etype: type[Entity]) -> dict[str, Entity]:
        table = self._tables.get(etype.file)
        if table is None:
            with self._lock:
                table = self._tables.get(etype.file)
                if table is None:
                    table = self._tables[etype.file] = self._snap.entities(etype)
        return table

    def built(self) -> list[str]:
        """File names of the tables built so far."""
        return sorted(self._tables)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Graph):
            return NotImplemented
        return all(self.table(t) == other.table(t) for t in BUNDLE_TYPES)

    __hash__ = None  # type: ignore[assignment]  # mutable, as Graph

    def __repr__(self) -> str:
        return f"LazyGraph(revision={self._snap.revision}, year={self._snap.year}, built={self.built()})"


def _table_property(etype: type[Entity]) -> property:
    def get(self: LazyGraph) -> dict[str, Entity]:
        return self._get(etype)

    def set_(self: LazyGraph, value: dict[str, Any]) -> None:
        self._tables[etype.file] = value

    return property(get, set_, doc=f"{etype.__name__} entities by id (built on first access)")


for _etype in BUNDLE_TYPES:
    setattr(LazyGraph, _etype.file, _table_property(_etype))
