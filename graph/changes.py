"""What a write transaction changes, and what backends offer inside one.

:class:`Changes` (records or columnar tables to upsert, ids to delete) is what a backend applies in
one transaction; :class:`WriteTx` is the backend's side of that transaction; :class:`ImportSummary`
what an import reports. Shared by :mod:`store` and :mod:`table_import`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa

from tanlian.errors import TanlianError
from tanlian.graph.columns import arrow_to_records
from tanlian.graph.model import AUX_TYPES, BUNDLE_TYPES, ENTITY_TYPES, FACTOR_PREFIX, YEARLESS_TYPES

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

    upserts: dict[str, list[dict[str, Any]] | pa.Table]  # records, or a table in the store's columns
    deletes: dict[str, list[str]]
    year: int | None = None

    def __bool__(self) -> bool:
        return any(len(v) for v in self.upserts.values()) or any(self.deletes.values())

    def types(self) -> set[str]:
        return {t for t, v in self.upserts.items() if len(v)} | {t for t, v in self.deletes.items() if v}

    def records(self, type_name: str) -> list[dict[str, Any]]:
        """The upserts of one type as records (a columnar table converted)."""
        v = self.upserts.get(type_name, [])
        return arrow_to_records(ENTITY_TYPES[type_name], v) if isinstance(v, pa.Table) else v

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


class Lazy(Mapping[str, Mapping[str, dict[str, Any]]]):
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


def latest_year(tx: WriteTx) -> int | None:
    ys = tx.years()
    return ys[-1] if ys else None


def factors_used_elsewhere(tx: WriteTx, year: int) -> set[str]:
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


def bundle_year(years: set[int], year: int | None, latest: int | None) -> int:
    """The accounting year of a bundle whose parks have ``years``: that year, else ``year``, else
    the latest stored year, else :data:`UNDATED` (DECISIONS 1: one bundle = one year)."""
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
