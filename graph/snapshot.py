"""The columnar snapshot: every bundle table of one year as Arrow tables, at one store revision.

Backends read it in ONE read transaction in which they also read the revision, so a snapshot is
never half an import and never labelled with a revision it does not show. The embedded store
keeps a derived copy per (year, revision) as Arrow IPC files next to the store file
(``<file>.snap/<year>-<revision>/<type>.arrow``), memory-mapped on the next read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import pyarrow as pa
import pyarrow.ipc as ipc

from tanlian.graph.columns import arrow_schema
from tanlian.graph.entity_build import arrow_to_entities
from tanlian.graph.model import BUNDLE_TYPES, YEARLESS_TYPES, Entity, Graph

#: How many snapshot directories a store keeps (the newest ones; older ones are pruned).
KEEP = 4


@dataclass(frozen=True)
class TableSnapshot:
    """One year of the store at one revision: an Arrow table per bundle type (by type name)."""

    revision: int
    year: int | None  # None: the store holds no year yet
    tables: Mapping[str, pa.Table]

    def table(self, etype: type[Entity]) -> pa.Table:
        return self.tables[etype.type_name]

    def counts(self) -> dict[str, int]:
        return {t.file: self.tables[t.type_name].num_rows for t in BUNDLE_TYPES}

    @property
    def empty(self) -> bool:
        """No row of this year (factors, shared by all years, do not count)."""
        return not any(self.tables[t.type_name].num_rows for t in BUNDLE_TYPES if t not in YEARLESS_TYPES)

    def entities(self, etype: type[Entity]) -> dict[str, Entity]:
        """The entities of one type keyed by id, in id order (built from the columns)."""
        return {e.id: e for e in arrow_to_entities(etype, self.table(etype).sort_by("id"))}

    def to_graph(self) -> Graph:
        """The same data as pydantic entities (for accounting, analysis and exports)."""
        g = Graph()
        for etype in BUNDLE_TYPES:
            g.table(etype).update(self.entities(etype))
        return g


def frozen(revision: int, year: int | None, tables: dict[str, pa.Table]) -> TableSnapshot:
    return TableSnapshot(revision, year, MappingProxyType(dict(tables)))


def empty_tables() -> dict[str, pa.Table]:
    return {t.type_name: arrow_schema(t).empty_table() for t in BUNDLE_TYPES}


# ------------------------------------------------------------------------------ file cache
def _dir(root: Path, year: int, revision: int) -> Path:
    return root / f"{year}-{revision}"


def load_cached(root: Path, year: int, revision: int) -> dict[str, pa.Table] | None:
    """The memory-mapped tables of (year, revision), or None when not cached (or unreadable)."""
    d = _dir(root, year, revision)
    if not d.is_dir():
        return None
    try:
        out = {}
        for t in BUNDLE_TYPES:
            with pa.memory_map(str(d / f"{t.type_name}.arrow")) as src:
                out[t.type_name] = ipc.open_file(src).read_all()
        return out
    except (OSError, pa.ArrowException):
        return None


def save_cached(root: Path, year: int, revision: int, tables: Mapping[str, pa.Table]) -> None:
    """Write the tables of (year, revision) atomically (a temp dir renamed), prune old ones.

    Best effort: a read-only directory or a race with another process only costs the cache."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-"))
        for name, table in tables.items():
            with pa.OSFile(str(tmp / f"{name}.arrow"), "wb") as sink, ipc.new_file(sink, table.schema) as w:
                w.write_table(table)
        try:
            os.replace(tmp, _dir(root, year, revision))
        except OSError:  # another process wrote the same snapshot first
            shutil.rmtree(tmp, ignore_errors=True)
        _prune(root)
    except OSError:
        return


def _prune(root: Path) -> None:
    dirs = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
    )
    for old in dirs[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
