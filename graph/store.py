"""The GraphStore protocol: what every backend (embedded SQLite, Neo4j) offers.

Backends implement a few primitive operations (``_read_all``, ``_apply``, ...);
:class:`StoreBase` turns them into diff-based, transactional, idempotent imports so both
backends behave the same way. The rest of Tanlian talks only to :class:`GraphStore`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

import pyarrow as pa

from tanlian.graph.changes import (  # re-exported: the store's public vocabulary
    AUX_NAMES,
    RESULT_NAMES,
    UNDATED,
    YEARLY_NAMES,
    Changes,
    Guard,
    ImportSummary,
    Progress,
    WriteTx,
    latest_year,
)
from tanlian.graph.model import (
    BUNDLE_TYPES,
    ENTITY_TYPES,
    YEARLESS_TYPES,
    Enterprise,
    Entity,
    Graph,
    Park,
)
from tanlian.graph.snapshot import TableSnapshot
from tanlian.graph.table_import import graph_tables, import_tables

E = TypeVar("E", bound=Entity)
__all__ = [
    "AUX_NAMES",
    "RESULT_NAMES",
    "UNDATED",
    "YEARLY_NAMES",
    "Changes",
    "GraphStore",
    "Guard",
    "ImportSummary",
    "Progress",
    "StoreBase",
    "SupplyEdge",
    "WriteTx",
    "entity_type",
    "store_key",
]


@dataclass(frozen=True)
class SupplyEdge:
    """One supply edge found by a graph query; ``depth`` 1 = a direct input."""

    flow: str
    source: str  # product id, or factor:<id>
    supplier: str | None  # maker of ``source`` (None for factors)
    customer: str
    depth: int


@runtime_checkable
class GraphStore(Protocol):
    """Storage of the product & supplier graph, keyed by (year, id).

    Every write of a bundle table bumps ``revision()``; writes of auxiliary types (clients, ...)
    bump ``aux_revision()`` only. ``year=None`` means the latest year in the store."""

    url: str

    def revision(self) -> int: ...
    def aux_revision(self) -> int: ...
    def years(self) -> list[int]: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...
    def wipe(self) -> None: ...
    def import_graph(
        self,
        graph: Graph,
        *,
        replace: bool = False,
        progress: Progress | None = None,
        expected_revision: int | None = None,
        guard: Guard | None = None,
        year: int | None = None,
    ) -> ImportSummary: ...
    def import_tables(
        self,
        tables: Mapping[str, pa.Table],
        *,
        replace: bool = False,
        progress: Progress | None = None,
        expected_revision: int | None = None,
        guard: Guard | None = None,
        year: int | None = None,
    ) -> ImportSummary: ...
    def upsert(self, entities: Sequence[Entity], *, year: int | None = None) -> int: ...
    def delete(self, etype: type[Entity], ids: Iterable[str], *, year: int | None = None) -> int: ...
    def get(self, etype: type[E], id: str, *, year: int | None = None) -> E | None: ...
    def list(self, etype: type[E], *, year: int | None = None) -> list[E]: ...
    def snapshot(self, year: int | None = None) -> Graph: ...
    def snapshot_tables(self, year: int | None = None) -> TableSnapshot: ...
    def upstream(self, product_id: str, depth: int = 3, *, year: int | None = None) -> list[SupplyEdge]: ...
    def downstream(self, enterprise_id: str, depth: int = 1, *, year: int | None = None) -> list[SupplyEdge]: ...
    def park_enterprises(self, park_id: str, *, year: int | None = None) -> list[Enterprise]: ...


class StoreBase:
    """Shared logic over backend primitives. Subclasses implement the ``_`` methods."""

    url: str

    # -- backend primitives -------------------------------------------------------------
    def _read_all(self, type_name: str, year: int | None = None) -> dict[str, dict[str, Any]]:
        """All records of one entity type (of ``year``: default the latest), keyed by id."""
        raise NotImplementedError

    def _read_one(self, type_name: str, id: str, year: int | None = None) -> dict[str, Any] | None:
        raise NotImplementedError

    def _write_tx(self) -> AbstractContextManager[WriteTx]:
        """A write transaction (exclusive among writers); commits on exit, rolls back on error.

        Failing to begin it (another writer holds the lock too long) raises StoreUnavailable."""
        raise NotImplementedError

    def _read_tables(self, year: int | None) -> TableSnapshot:
        """Revision, resolved year and every bundle table, read in ONE read transaction."""
        raise NotImplementedError

    def revision(self) -> int:
        raise NotImplementedError

    def aux_revision(self) -> int:
        raise NotImplementedError

    def years(self) -> list[int]:
        raise NotImplementedError

    def _apply(self, changes: Changes, progress: Progress | None = None) -> int:
        """Write all changes in ONE transaction; return the revision after it."""
        with self._write_tx() as tx:
            if changes.year is None and any(t in YEARLY_NAMES for t in changes.types()):
                changes = Changes(changes.upserts, changes.deletes, latest_year(tx) or UNDATED)
            return tx.apply(changes, progress)

    def wipe(self) -> None:
        """Delete every entity of every year (API clients included) in one transaction."""
        with self._write_tx() as tx:
            for year in [*tx.years(), None]:
                types = [t for t in ENTITY_TYPES if (t in YEARLY_NAMES) == (year is not None)]
                deletes = {t: sorted(tx.read_all(t, year)) for t in types}
                changes = Changes({}, deletes, year)
                if changes:
                    tx.apply(changes, None)

    def _year(self, year: int | None) -> int | None:
        if year is not None:
            return year
        ys = self.years()
        return ys[-1] if ys else None

    # -- shared behaviour ----------------------------------------------------------------
    def import_graph(self, graph: Graph, **options: Any) -> ImportSummary:
        """:meth:`import_tables` of an in-memory graph (same keyword options)."""
        return self.import_tables(graph_tables(graph), **options)

    def import_tables(self, tables: Mapping[str, pa.Table], **options: Any) -> ImportSummary:
        """Upsert a whole bundle (columnar tables by type name, :func:`columns.arrow_schema`) by id
        into its year; options as in :meth:`GraphStore.import_tables` (``replace``: also delete
        what the bundle lacks in that year, factors other years use stay; ``progress``;
        ``expected_revision``; ``guard``; ``year``).

        Everything happens in ONE write transaction: read the current tables, diff, check
        ``expected_revision`` (:class:`StoreConflict`), call ``guard(current, changes)`` (which may
        raise to abort), write. Identical content is not rewritten: the revision stays.
        """
        with self._write_tx() as tx:
            summary, tables_after = import_tables(tx, tables, **options)
        if tables_after is not None:
            self._written(summary.year, summary.revision_after, tables_after)
        return summary

    def _written(self, year: int | None, revision: int, tables: dict[str, pa.Table]) -> None:
        """Hook: an import committed ``revision``; ``tables`` are the year's tables at it."""

    def upsert(self, entities: Sequence[Entity], *, year: int | None = None) -> int:
        """Insert or replace entities by id (in ``year``, default latest) in one transaction;
        returns how many changed. A park is written to its own year."""
        n = 0
        with self._write_tx() as tx:
            y = year if year is not None else latest_year(tx)
            by_year: dict[int | None, dict[str, list[dict[str, Any]]]] = {}
            for e in entities:
                ey = e.year if isinstance(e, Park) else (y if e.type_name in YEARLY_NAMES else None)
                if e.type_name in YEARLY_NAMES and ey is None:
                    ey = UNDATED
                by_year.setdefault(ey, {}).setdefault(e.type_name, []).append(e.record())
            for ey, recs in by_year.items():
                ups: dict[str, list[dict[str, Any]]] = {}
                for t, rs in recs.items():
                    cur = tx.read_all(t, ey)
                    ups[t] = [r for r in rs if cur.get(r["id"]) != r]
                changes = Changes(ups, {}, ey)
                if changes:
                    tx.apply(changes, None)
                    n += sum(map(len, ups.values()))
        return n

    def delete(self, etype: type[Entity], ids: Iterable[str], *, year: int | None = None) -> int:
        """Delete entities by id (of ``year``, default latest) in one transaction; returns how many existed."""
        with self._write_tx() as tx:
            y = (year if year is not None else latest_year(tx)) if etype.type_name in YEARLY_NAMES else None
            cur = tx.read_all(etype.type_name, y) if y is not None or etype.type_name not in YEARLY_NAMES else {}
            existing = [i for i in dict.fromkeys(ids) if i in cur]
            if existing:
                tx.apply(Changes({}, {etype.type_name: existing}, y), None)
        return len(existing)

    def get(self, etype: type[E], id: str, *, year: int | None = None) -> E | None:
        rec = self._read_one(etype.type_name, id, self._year(year) if etype.type_name in YEARLY_NAMES else None)
        return None if rec is None else etype.model_validate(rec)

    def list(self, etype: type[E], *, year: int | None = None) -> list[E]:
        y = self._year(year) if etype.type_name in YEARLY_NAMES else None
        if etype.type_name in YEARLY_NAMES and y is None:
            return []
        recs = self._read_all(etype.type_name, y)
        return [etype.model_validate(recs[k]) for k in sorted(recs)]

    def replace_all(self, years: Mapping[int, Graph], aux: Sequence[Entity]) -> int:
        """Make the store hold exactly ``years`` (a graph per year) and ``aux``, in ONE write
        transaction (restore, migrate); returns the revision after it."""
        with self._write_tx() as tx:
            old_years = tx.years()
            for y in old_years:
                dels = {t: sorted(tx.read_all(t, y)) for t in YEARLY_NAMES}
                tx.apply(Changes({}, dels, y), None)
            rest = [t for t in ENTITY_TYPES if t not in YEARLY_NAMES]
            tx.apply(Changes({}, {t: sorted(tx.read_all(t, None)) for t in rest}, None), None)
            factors: dict[str, dict[str, Any]] = {}
            for y, g in sorted(years.items()):
                factors.update({k: v.record() for k, v in g.factors.items()})
                ups = {
                    t.type_name: [e.record() for e in g.table(t).values()]
                    for t in BUNDLE_TYPES
                    if t not in YEARLESS_TYPES
                }
                tx.apply(Changes(ups, {}, y), None)
            ups = {"factor": list(factors.values())}
            for e in aux:
                ups.setdefault(e.type_name, []).append(e.record())
            return tx.apply(Changes(ups, {}, None), None)

    def snapshot_tables(self, year: int | None = None) -> TableSnapshot:
        """Every bundle table of ``year`` (default: the latest) as Arrow tables, with the revision
        read in the same read transaction."""
        return self._read_tables(year)

    def snapshot(self, year: int | None = None) -> Graph:
        """The graph of ``year`` (default: the latest) as pydantic entities, API clients excluded;
        built from :meth:`snapshot_tables`."""
        return self.snapshot_tables(year).to_graph()


def store_key(store: GraphStore) -> tuple[str, str | None, int]:
    """Identity and revision of a store's content (caches key on it): URL, database, revision.

    The revision counts bundle writes of every year; caches add the year to the key."""
    return store.url, getattr(store, "database", None), store.revision()


def entity_type(type_name: str) -> type[Entity]:
    """The entity class for a type name (``"product"`` → :class:`Product`)."""
    return ENTITY_TYPES[type_name]
