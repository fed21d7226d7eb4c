"""The GraphStore protocol: what every backend (embedded SQLite, Neo4j) offers.

Backends implement a few primitive operations (``_read_all``, ``_apply``, ...);
:class:`StoreBase` turns them into diff-based, transactional, idempotent imports so both
backends behave the same way. The rest of Tanlian talks only to :class:`GraphStore`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from tanlian.graph.model import BUNDLE_TYPES, ENTITY_TYPES, Enterprise, Entity, Graph

E = TypeVar("E", bound=Entity)
Progress = Callable[[int, int], None]  # (done, total)


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

    @property
    def wrote(self) -> bool:
        return self.revision_after != self.revision_before


@dataclass(frozen=True)
class Changes:
    """A set of writes applied in one transaction: records to upsert and ids to delete, by type name."""

    upserts: dict[str, list[dict[str, Any]]]
    deletes: dict[str, list[str]]

    def __bool__(self) -> bool:
        return any(self.upserts.values()) or any(self.deletes.values())


@runtime_checkable
class GraphStore(Protocol):
    """Storage of the product & supplier graph. Every write bumps ``revision()``."""

    url: str

    def revision(self) -> int: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...
    def wipe(self) -> None: ...
    def import_graph(
        self, graph: Graph, *, replace: bool = False, progress: Progress | None = None
    ) -> ImportSummary: ...
    def upsert(self, entities: Sequence[Entity]) -> int: ...
    def delete(self, etype: type[Entity], ids: Iterable[str]) -> int: ...
    def get(self, etype: type[E], id: str) -> E | None: ...
    def list(self, etype: type[E]) -> list[E]: ...
    def snapshot(self) -> Graph: ...
    def upstream(self, product_id: str, depth: int = 3) -> list[SupplyEdge]: ...
    def downstream(self, enterprise_id: str, depth: int = 1) -> list[SupplyEdge]: ...
    def park_enterprises(self, park_id: str) -> list[Enterprise]: ...


class StoreBase:
    """Shared logic over backend primitives. Subclasses implement the ``_`` methods."""

    url: str

    # -- backend primitives -------------------------------------------------------------
    def _read_all(self, type_name: str) -> dict[str, dict[str, Any]]:
        """All records of one entity type, keyed by id."""
        raise NotImplementedError

    def _read_one(self, type_name: str, id: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def _apply(self, changes: Changes, progress: Progress | None = None) -> int:
        """Write all changes and bump the revision in ONE transaction; return the new revision."""
        raise NotImplementedError

    def revision(self) -> int:
        raise NotImplementedError

    def wipe(self) -> None:
        """Delete every entity (API clients included) in one transaction."""
        deletes = {t: sorted(self._read_all(t)) for t in ENTITY_TYPES}
        changes = Changes({}, deletes)
        if changes:
            self._apply(changes)

    # -- shared behaviour ----------------------------------------------------------------
    def import_graph(self, graph: Graph, *, replace: bool = False, progress: Progress | None = None) -> ImportSummary:
        """Upsert a whole bundle by id (``replace``: also delete what the bundle lacks).

        Identical content is not rewritten, so re-importing the same bundle leaves the
        revision unchanged. All changes happen in one transaction.
        """
        summary = ImportSummary(revision_before=self.revision())
        upserts: dict[str, list[dict[str, Any]]] = {}
        deletes: dict[str, list[str]] = {}
        for etype in BUNDLE_TYPES:
            current = self._read_all(etype.type_name)
            new = {k: v.record() for k, v in graph.table(etype).items()}
            added = [r for k, r in new.items() if k not in current]
            changed = [r for k, r in new.items() if k in current and current[k] != r]
            upserts[etype.type_name] = added + changed
            gone = sorted(set(current) - set(new)) if replace else []
            deletes[etype.type_name] = gone
            summary.added[etype.file] = len(added)
            summary.changed[etype.file] = len(changed)
            summary.unchanged[etype.file] = len(new) - len(added) - len(changed)
            summary.removed[etype.file] = len(gone)
        changes = Changes(upserts, deletes)
        summary.revision_after = self._apply(changes, progress) if changes else summary.revision_before
        return summary

    def upsert(self, entities: Sequence[Entity]) -> int:
        """Insert or replace entities by id in one transaction; returns how many changed."""
        upserts: dict[str, list[dict[str, Any]]] = {}
        for e in entities:
            rec = e.record()
            if self._read_one(e.type_name, e.id) != rec:
                upserts.setdefault(e.type_name, []).append(rec)
        n = sum(len(v) for v in upserts.values())
        if n:
            self._apply(Changes(upserts, {}))
        return n

    def delete(self, etype: type[Entity], ids: Iterable[str]) -> int:
        """Delete entities by id in one transaction; returns how many existed."""
        existing = [i for i in ids if self._read_one(etype.type_name, i) is not None]
        if existing:
            self._apply(Changes({}, {etype.type_name: existing}))
        return len(existing)

    def get(self, etype: type[E], id: str) -> E | None:
        rec = self._read_one(etype.type_name, id)
        return None if rec is None else etype.model_validate(rec)

    def list(self, etype: type[E]) -> list[E]:
        recs = self._read_all(etype.type_name)
        return [etype.model_validate(recs[k]) for k in sorted(recs)]

    def snapshot(self) -> Graph:
        """The whole graph as it is now (API clients excluded)."""
        g = Graph()
        for etype in BUNDLE_TYPES:
            recs = self._read_all(etype.type_name)
            g.table(etype).update({k: etype.model_validate(recs[k]) for k in sorted(recs)})
        return g


def store_key(store: GraphStore) -> tuple[str, str | None, int]:
    """Identity and revision of a store's content (caches key on it): URL, database, revision."""
    return store.url, getattr(store, "database", None), store.revision()


def entity_type(type_name: str) -> type[Entity]:
    """The entity class for a type name (``"product"`` → :class:`Product`)."""
    return ENTITY_TYPES[type_name]
