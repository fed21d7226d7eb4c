"""The GraphStore protocol: what every backend (embedded SQLite, Neo4j) offers.

Backends implement a few primitive operations (``_read_all``, ``_apply``, ...);
:class:`StoreBase` turns them into diff-based, transactional, idempotent imports so both
backends behave the same way. The rest of Tanlian talks only to :class:`GraphStore`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from tanlian.errors import StoreConflict, TanlianError
from tanlian.graph.model import (
    AUX_TYPES,
    BUNDLE_TYPES,
    ENTITY_TYPES,
    FACTOR_PREFIX,
    YEARLESS_TYPES,
    Enterprise,
    Entity,
    Graph,
    Park,
)
from tanlian.graph.snapshot import TableSnapshot

E = TypeVar("E", bound=Entity)
Progress = Callable[[int, int], None]  # (done, total)

#: Year key of rows imported without any year (a bundle without parks into an empty store, no --year).
UNDATED = 0
BUNDLE_NAMES: tuple[str, ...] = tuple(t.type_name for t in BUNDLE_TYPES)
AUX_NAMES: tuple[str, ...] = tuple(t.type_name for t in AUX_TYPES)
#: Types whose writes change computed results: bump ``revision()`` (bundle types, and auxiliary
#: types that feed the solve, such as imported supplier footprints).
RESULT_NAMES: frozenset[str] = frozenset(BUNDLE_NAMES) | {t.type_name for t in AUX_TYPES if t.affects_results}
#: Types whose rows are keyed by (year, id): every bundle type but the factors.
YEARLY_NAMES: frozenset[str] = frozenset(t.type_name for t in BUNDLE_TYPES if t not in YEARLESS_TYPES)


@dataclass(frozen=True)
class SupplyEdge:
    """One supply edge found by a graph query; ``depth`` 1 = a direct input."""

    flow: str
    source: str  # product id, or factor:<id>
    supplier: str | None  # maker of ``source`` (None for factors)
    customer: str
    depth: int


@dataclass
class ImportSummary:
    """What an import changed, per entity file name."""

    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    revision_before: int = 0
    revision_after: int = 0
    year: int | None = None

    @property
    def wrote(self) -> bool:
        return self.revision_after != self.revision_before


@dataclass(frozen=True)
class Changes:
    """A set of writes applied in one transaction: records to upsert and ids to delete, by type name.

    ``year`` is the accounting year of the yearly rows (ignored for factors and auxiliary types)."""

    upserts: dict[str, list[dict[str, Any]]]
    deletes: dict[str, list[str]]
    year: int | None = None

    def __bool__(self) -> bool:
        return any(self.upserts.values()) or any(self.deletes.values())

    def types(self) -> set[str]:
        return {t for t, v in self.upserts.items() if v} | {t for t, v in self.deletes.items() if v}

    @property
    def bundle(self) -> bool:
        """Whether computed results change (a bundle table or a result-feeding auxiliary type):
        bumps ``revision()``; other auxiliary writes bump only ``aux_revision()``."""
        return bool(self.types() & RESULT_NAMES)

    @property
    def aux(self) -> bool:
        return bool(self.types() & set(AUX_NAMES))


#: The records of the store a guard sees: type name → id → record (read lazily, per type).
Current = Mapping[str, Mapping[str, dict[str, Any]]]
Guard = Callable[[Current, Changes], None]


class WriteTx(Protocol):
    """What a backend offers inside its write transaction (held until commit or rollback)."""

    def revision(self) -> int: ...
    def years(self) -> list[int]: ...
    def read_all(self, type_name: str, year: int | None) -> dict[str, dict[str, Any]]: ...
    def apply(self, changes: Changes, progress: Progress | None) -> int: ...


class _Lazy(Mapping[str, Mapping[str, dict[str, Any]]]):
    """type name → records, each type read from the write transaction on first use."""

    def __init__(self, tx: WriteTx, year: int | None, preloaded: dict[str, dict[str, dict[str, Any]]]):
        self._tx, self._year, self._data = tx, year, preloaded

    def __getitem__(self, type_name: str) -> Mapping[str, dict[str, Any]]:
        if type_name not in ENTITY_TYPES:
            raise KeyError(type_name)
        if type_name not in self._data:
            self._data[type_name] = self._tx.read_all(type_name, self._year)
        return self._data[type_name]

    def __iter__(self) -> Iterator[str]:
        return iter(ENTITY_TYPES)

    def __len__(self) -> int:
        return len(ENTITY_TYPES)


def _latest(tx: WriteTx) -> int | None:
    ys = tx.years()
    return ys[-1] if ys else None


def _factors_used_elsewhere(tx: WriteTx, year: int) -> set[str]:
    """Factor ids that rows of other years reference (a replace of one year keeps them)."""
    used: set[str] = set()
    for y in tx.years():
        if y == year:
            continue
        used |= {
            r["from"][len(FACTOR_PREFIX) :]
            for r in tx.read_all("flow", y).values()
            if r["from"].startswith(FACTOR_PREFIX)
        }
        used |= {r["item"] for r in tx.read_all("activity", y).values()}
    return used


def bundle_year(graph: Graph, year: int | None, latest: int | None) -> int:
    """The accounting year of a bundle: its parks' year, else ``year``, else the latest stored
    year, else :data:`UNDATED` (DECISIONS 1: one bundle = one year)."""
    years = {p.year for p in graph.parks.values()}
    if len(years) > 1:
        raise TanlianError(f"all parks of a bundle share one accounting year (found {sorted(years)})")
    if years:
        (y,) = years
        if year is not None and year != y:
            raise TanlianError(f"--year {year} differs from the bundle's year {y} (its parks' year)")
        return y
    if year is not None:
        return year
    return latest if latest is not None else UNDATED


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
                changes = Changes(changes.upserts, changes.deletes, _latest(tx) or UNDATED)
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
    def import_graph(
        self,
        graph: Graph,
        *,
        replace: bool = False,
        progress: Progress | None = None,
        expected_revision: int | None = None,
        guard: Guard | None = None,
        year: int | None = None,
    ) -> ImportSummary:
        """Upsert a whole bundle by id into its year (``replace``: also delete what the bundle
        lacks in that year; other years and factors of other bundles... see docs/storage.md).

        Everything happens in ONE write transaction: read the current rows, diff, check
        ``expected_revision`` (:class:`StoreConflict`), call ``guard(current, changes)`` (which may
        raise to abort), write. Identical content is not rewritten: the revision stays.
        """
        with self._write_tx() as tx:
            rev = tx.revision()
            if expected_revision is not None and expected_revision != rev:
                raise StoreConflict(expected_revision, rev)
            y = bundle_year(graph, year, _latest(tx))
            summary = ImportSummary(revision_before=rev, year=y)
            current: dict[str, dict[str, dict[str, Any]]] = {}
            upserts: dict[str, list[dict[str, Any]]] = {}
            deletes: dict[str, list[str]] = {}
            for etype in BUNDLE_TYPES:
                cur = current[etype.type_name] = tx.read_all(etype.type_name, y)
                new = {k: v.record() for k, v in graph.table(etype).items()}
                added = [r for k, r in new.items() if k not in cur]
                changed = [r for k, r in new.items() if k in cur and cur[k] != r]
                upserts[etype.type_name] = added + changed
                gone = sorted(set(cur) - set(new)) if replace else []
                if gone and etype in YEARLESS_TYPES:
                    gone = sorted(set(gone) - _factors_used_elsewhere(tx, y))
                deletes[etype.type_name] = gone
                summary.added[etype.file] = len(added)
                summary.changed[etype.file] = len(changed)
                summary.unchanged[etype.file] = len(new) - len(added) - len(changed)
                summary.removed[etype.file] = len(gone)
            changes = Changes(upserts, deletes, y)
            if guard is not None:
                guard(_Lazy(tx, y, current), changes)
            summary.revision_after = tx.apply(changes, progress) if changes else rev
        return summary

    def upsert(self, entities: Sequence[Entity], *, year: int | None = None) -> int:
        """Insert or replace entities by id (in ``year``, default latest) in one transaction;
        returns how many changed. A park is written to its own year."""
        n = 0
        with self._write_tx() as tx:
            y = year if year is not None else _latest(tx)
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
            y = (year if year is not None else _latest(tx)) if etype.type_name in YEARLY_NAMES else None
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
