"""Import of a whole bundle given as columnar tables (the store's typed columns, Arrow).

Inside the backend's write transaction: read the year's current tables, diff them against the
bundle with one id join and one comparison per column (no record per row), check the revision
precondition, let a guard veto, write only what changed. Returns the summary and the tables as
they are after the write (the embedded store keeps them as the revision's snapshot).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tanlian.errors import StoreConflict
from tanlian.graph.changes import (
    Changes,
    Guard,
    ImportSummary,
    Lazy,
    Progress,
    WriteTx,
    bundle_year,
    factors_used_elsewhere,
    latest_year,
)
from tanlian.graph.columns import arrow_schema, rows_to_arrow, to_row
from tanlian.graph.model import BUNDLE_TYPES, YEARLESS_TYPES, Entity, Graph


@dataclass(frozen=True)
class TableDiff:
    """How a bundle table differs from the stored one: the rows to write, and counts."""

    upserts: pa.Table
    added: int
    changed: int
    gone: list[str]  # stored ids the bundle lacks


def graph_tables(graph: Graph) -> dict[str, pa.Table]:
    """An in-memory graph as columnar tables (type name → table in :func:`arrow_schema` layout),
    rows sorted by id as a store snapshot holds them."""
    return {
        t.type_name: rows_to_arrow(t, [to_row(t, graph.table(t)[k].record()) for k in sorted(graph.table(t))])
        for t in BUNDLE_TYPES
    }


def conform(etype: type[Entity], table: pa.Table | None) -> pa.Table:
    """``table`` in exactly the schema of ``etype`` (column order and types), one chunk."""
    schema = arrow_schema(etype)
    if table is None:
        return schema.empty_table()
    return table.select(schema.names).cast(schema).combine_chunks()


def current_tables(tx: WriteTx, year: int) -> dict[str, pa.Table]:
    """Every bundle table of ``year`` (factors: all) as read inside ``tx``; a backend may offer a
    faster columnar read as ``tx.read_tables(year)``."""
    reader = getattr(tx, "read_tables", None)
    if reader is not None:
        return {t.type_name: conform(t, tbl) for t, tbl in zip(BUNDLE_TYPES, reader(year), strict=True)}
    out = {}
    for t in BUNDLE_TYPES:
        recs = tx.read_all(t.type_name, None if t in YEARLESS_TYPES else year)
        out[t.type_name] = rows_to_arrow(t, [to_row(t, r) for r in recs.values()])
    return out


def _same(a: pa.ChunkedArray | pa.Array, b: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Cells equal, nulls equal to nulls (exact: what was stored is what is compared)."""
    eq = pc.fill_null(pc.equal(a, b), False)
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    return pc.or_(eq, both_null).to_numpy(zero_copy_only=False)


def diff_table(new: pa.Table, cur: pa.Table) -> TableDiff:
    """Added and changed rows of ``new`` against ``cur`` (same schema), and the ids ``new`` lacks."""
    if not cur.num_rows:
        return TableDiff(new, new.num_rows, 0, [])
    pos = pc.index_in(new.column("id"), value_set=cur.column("id").combine_chunks())
    pos = pc.fill_null(pos, -1).to_numpy(zero_copy_only=False)
    matched = pos >= 0
    changed = np.zeros(new.num_rows, bool)
    if matched.any():
        old = cur.take(pa.array(pos[matched]))
        both = new.filter(pa.array(matched))
        differs = np.zeros(int(matched.sum()), bool)
        for name in new.column_names:
            differs |= ~_same(both.column(name), old.column(name))
        changed[matched] = differs
    gone_mask = pc.invert(pc.fill_null(pc.is_in(cur.column("id"), value_set=new.column("id").combine_chunks()), False))
    gone = sorted(cur.column("id").filter(gone_mask).to_pylist())
    return TableDiff(new.filter(pa.array(~matched | changed)), int((~matched).sum()), int(changed.sum()), gone)


def after(cur: pa.Table, upserts: pa.Table, deletes: list[str]) -> pa.Table:
    """The stored table once ``upserts`` and ``deletes`` are written, sorted by id (as a read gives it)."""
    drop = pa.concat_arrays([upserts.column("id").combine_chunks(), pa.array(deletes, pa.string())])
    kept = cur.filter(pc.invert(pc.fill_null(pc.is_in(cur.column("id"), value_set=drop), False)))
    return pa.concat_tables([kept, upserts]).sort_by("id").combine_chunks()


def import_tables(
    tx: WriteTx,
    tables: Mapping[str, pa.Table],
    *,
    replace: bool = False,
    progress: Progress | None = None,
    expected_revision: int | None = None,
    guard: Guard | None = None,
    year: int | None = None,
) -> tuple[ImportSummary, dict[str, pa.Table] | None]:
    """Diff ``tables`` (type name → table; absent types are empty) against ``tx``'s store and write
    the difference (``replace``: also delete what the bundle lacks in its year).

    Returns the summary and, when something was written, every table of the year after the write."""
    rev = tx.revision()
    if expected_revision is not None and expected_revision != rev:
        raise StoreConflict(expected_revision, rev)
    parks = tables.get("park")
    years = set(parks.column("year").to_pylist()) if parks is not None and parks.num_rows else set()
    y = bundle_year(years, year, latest_year(tx))
    summary = ImportSummary(revision_before=rev, year=y)
    current = current_tables(tx, y)
    upserts: dict[str, pa.Table] = {}
    deletes: dict[str, list[str]] = {}
    for etype in BUNDLE_TYPES:
        name = etype.type_name
        new = conform(etype, tables.get(name))
        d = diff_table(new, current[name])
        gone = d.gone if replace else []
        if gone and etype in YEARLESS_TYPES:
            gone = sorted(set(gone) - factors_used_elsewhere(tx, y))
        upserts[name], deletes[name] = d.upserts, gone
        summary.added[etype.file] = d.added
        summary.changed[etype.file] = d.changed
        summary.unchanged[etype.file] = new.num_rows - d.added - d.changed
        summary.removed[etype.file] = len(gone)
    changes = Changes(dict(upserts), deletes, y)
    if guard is not None:
        guard(Lazy(tx, y, {}), changes)
    if not changes:
        summary.revision_after = rev
        return summary, None
    summary.revision_after = tx.apply(changes, progress)
    return summary, {n: after(current[n], upserts[n], deletes[n]) for n in current}
