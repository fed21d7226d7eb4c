"""The Neo4j store's transactions: the write-transaction object, the columnar snapshot read and
the bookkeeping of years (helpers of :mod:`tanlian.graph.neo4j`)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import neo4j
import pyarrow as pa

from tanlian.graph.columns import columns, rows_to_arrow
from tanlian.graph.cypher import (
    FLOW,
    REVISION,
    SET_YEARS,
    YEARS,
    in_chunks,
    match_stored,
    record_of,
    row_of,
    source_of,
)
from tanlian.graph.model import BUNDLE_TYPES, ENTITY_TYPES, Entity
from tanlian.graph.snapshot import TableSnapshot, empty_tables, frozen
from tanlian.graph.store import YEARLY_NAMES, Changes, Progress

#: Rows per result record of a bulk read (:func:`tanlian.graph.cypher.in_chunks`).
CHUNK = 10_000


def read_tables(tx: neo4j.ManagedTransaction, year: int | None) -> tuple[TableSnapshot, int]:
    """Revision, year (default: the latest) and one columnar result per bundle type, all in ``tx``;
    and the revision read again at the end. Neo4j reads are read-committed, not a snapshot: the
    tables show one revision only when both readings agree."""
    rev = int(tx.run(REVISION).single(strict=True)["value"])
    y = year
    if y is None:
        ys = tx.run(YEARS).single(strict=True)["years"]
        y = max(ys) if ys else None
    tables = empty_tables()
    for etype in BUNDLE_TYPES:
        if etype.type_name in YEARLY_NAMES and y is None:
            continue
        tables[etype.type_name] = bundle_table(tx, etype, y)
    return frozen(rev, y, tables), int(tx.run(REVISION).single(strict=True)["value"])


def bundle_table(tx: neo4j.ManagedTransaction | neo4j.Transaction, etype: type[Entity], year: int | None) -> pa.Table:
    """The stored rows of one bundle type (of ``year``; factors: all) as an Arrow table in the
    columns of :func:`tanlian.graph.columns.arrow_schema`, sorted by id: one query, in chunks."""
    cols = ", ".join(f"x.`{c.name.replace('`', '``')}`" for c in columns(etype))
    if etype.type_name == "factor":  # gases: a map, in the JSON of the non-scalar fields
        cols = cols.replace("x.`gases`", "x._json")
    if etype.type_name == FLOW:  # a flow's ends
        cols = cols.replace("x.`from`", source_of("startNode(x)")).replace("x.`to`", "endNode(x).id")
    query = in_chunks(match_stored(etype.type_name), f"[{cols}, x._extra]", order=True)
    rows = [row for rec in tx.run(query, {"year": year, "chunk": CHUNK}) for row in rec["rows"]]
    if etype.type_name == "factor":
        gi = [c.name for c in columns(etype)].index("gases")
        rows = [_factor_gases(r, gi) for r in rows]
    return rows_to_arrow(etype, rows)


class WriteTx:
    """The Neo4j store's side of a write transaction (see :class:`tanlian.graph.store.WriteTx`)."""

    def __init__(self, store: Any, tx: neo4j.Transaction, rev: int):
        self.store, self.tx, self._rev = store, tx, rev

    def revision(self) -> int:
        return self._rev

    def years(self) -> list[int]:
        return sorted(self.tx.run(YEARS).single(strict=True)["years"])

    def read_all(self, type_name: str, year: int | None) -> dict[str, dict[str, Any]]:
        if type_name in YEARLY_NAMES and year is None:
            return {}
        return read_all_in(lambda q, p: list(self.tx.run(q, p)), type_name, year)

    def read_tables(self, year: int) -> list[pa.Table]:
        """Every bundle table of ``year`` (factors: all) in :data:`BUNDLE_TYPES` order, columnar
        (what an import diffs against)."""
        return [bundle_table(self.tx, t, year) for t in BUNDLE_TYPES]

    def apply(self, changes: Changes, progress: Progress | None) -> int:
        return self.store._write(self.tx, changes, progress)


def read_all_in(run: Any, type_name: str, year: int | None) -> dict[str, dict[str, Any]]:
    """Every stored record of one type (of ``year`` for yearly types), keyed by id."""
    query = in_chunks(match_stored(type_name), row_of(type_name, "x"))
    return {row[0]["id"]: record_of(row) for rec in run(query, {"year": year, "chunk": CHUNK}) for row in rec["rows"]}


def update_years(tx: neo4j.Transaction, year: int) -> None:
    """Keep the list of years that hold rows (Meta ``years``) after a write to ``year``."""
    held = any(tx.run(f"{match_stored(t)} RETURN 1 LIMIT 1", {"year": year}).single() for t in sorted(YEARLY_NAMES))
    years = set(tx.run(YEARS).single(strict=True)["years"])
    new = (years | {year}) if held else (years - {year})
    if new != years:
        tx.run(SET_YEARS, {"years": sorted(new)}).consume()


@cache
def typed_names(type_name: str) -> frozenset[str]:
    etype = ENTITY_TYPES[type_name]
    return frozenset(c.name for c in columns(etype)) if etype in BUNDLE_TYPES else frozenset()


def _factor_gases(row: list[Any], gi: int) -> list[Any]:
    """A factor row whose ``gases`` cell holds the record JSON → the gases as JSON (or NULL)."""
    gases = json.loads(row[gi]).get("gases")
    return [
        *row[:gi],
        json.dumps(gases, ensure_ascii=False, sort_keys=True) if gases is not None else None,
        *row[gi + 1 :],
    ]
