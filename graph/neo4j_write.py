"""The Neo4j store's write path: a :class:`~tanlian.graph.store.Changes` applied inside one
transaction in batched ``UNWIND`` statements (a helper of :mod:`tanlian.graph.neo4j`).

Per batch of ``BATCH`` records of one type:

* a type of which the year holds nothing yet (a first import) is only CREATEd, no lookups;
* nodes: one query finds which ids have a node already (stored or stub, on the key constraint);
  the new ones are CREATEd with the relationship they own (the other end MERGEd on its key), the
  others rewritten, their owned relationship dropped and made anew;
* flows (``FLOWS_TO`` relationships carrying the record): the ids' relationships are deleted on
  the (``_year``, ``id``) relationship constraint, then all rows CREATEd between their ends,
  both MERGEd on their key.

Parameters only carry property maps and ids, never Cypher text. Neo4j holds the transaction
in heap until commit and about doubles it while committing (≈ 4 KiB per entity at that peak for
bundle-like data: a 1 GiB heap, whose transactions may take 716.8 MiB, fits ≈ 170 000 entities;
bench/README.md); a larger one fails with a :class:`~tanlian.errors.StoreUnavailable` that says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import neo4j

from tanlian.graph.cypher import (
    AUX_BUMP,
    BUMP,
    FLOW,
    GC,
    LABELS,
    REVISION,
    any_stored_query,
    create_query,
    delete_query,
    exists_query,
    flow_create_query,
    node_props,
    rel_clause,
    relink_query,
    update_query,
)
from tanlian.graph.model import FACTOR_PREFIX
from tanlian.graph.neo4j_tx import typed_names, update_years
from tanlian.graph.store import YEARLY_NAMES, Changes, Progress

BATCH = 5000
_ENDS = ("from", "to")
WriteBatch = Callable[[neo4j.Transaction, str, list[dict[str, Any]], bool], list[str]]


def _records(changes: Changes, type_name: str) -> list[dict[str, Any]]:
    """The records to upsert of one type (the one place that knows how ``Changes`` holds them)."""
    return changes.records(type_name)


def _props(type_name: str, recs: list[dict[str, Any]], year: int | None) -> list[dict[str, Any]]:
    """Property maps of ``recs``, the last record per id winning (as INSERT OR REPLACE)."""
    names = typed_names(type_name)
    rows = [node_props(r, year, names) for r in {r["id"]: r for r in recs}.values()]
    if type_name == FLOW:  # a relationship is never a stub: no marker needed
        for r in rows:
            if r["_json"] == "{}":
                del r["_json"]
    return rows


def _flow_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flow property maps as ``FLOWS_TO`` rows: ``from`` and ``to`` are its ends, not properties."""
    return [{"from": r["from"], "to": r["to"], "props": {k: v for k, v in r.items() if k not in _ENDS}} for r in rows]


def write(tx: neo4j.Transaction, changes: Changes, progress: Progress | None, write_batch: WriteBatch) -> int:
    """Apply ``changes`` inside ``tx``: deletes, upserts (``write_batch`` per batch of property
    maps), stubs left orphaned, the years held, then the revision bumps. Returns the revision."""
    for type_name in (*changes.upserts, *changes.deletes):
        if type_name not in LABELS:
            raise ValueError(f"unknown entity type {type_name!r}")
    year = changes.year
    deletes = {t: list(dict.fromkeys(ids)) for t, ids in changes.deletes.items()}
    upserts = {t: _props(t, _records(changes, t), year if t in YEARLY_NAMES else None) for t in changes.upserts}
    total = sum(map(len, upserts.values())) + sum(map(len, deletes.values()))
    done = 0
    orphans: set[str] = set()
    for type_name, ids in deletes.items():
        query = delete_query(type_name)
        for i in range(0, len(ids), BATCH):
            batch = ids[i : i + BATCH]
            orphans.update(tx.run(query, {"ids": batch, "year": year}).single(strict=True)["orphans"])
            done += len(batch)
            if progress:
                progress(done, total)
    for type_name, rows in upserts.items():
        # none of the type in the year yet (a first import): every row is new, no lookups
        fresh = bool(rows) and not tx.run(any_stored_query(type_name), {"year": year}).single(strict=True)["found"]
        for i in range(0, len(rows), BATCH):
            batch = rows[i : i + BATCH]
            orphans.update(write_batch(tx, type_name, batch, fresh))
            done += len(batch)
            if progress:
                progress(done, total)
    ids = sorted(orphans)
    for i in range(0, len(ids), BATCH):
        tx.run(GC, {"ids": ids[i : i + BATCH]}).consume()
    if year is not None and any(t in YEARLY_NAMES for t in changes.types()):
        update_years(tx, year)
    if changes.aux:
        tx.run(AUX_BUMP).consume()
    if changes.bundle:
        return int(tx.run(BUMP).single(strict=True)["value"])
    return int(tx.run(REVISION).single(strict=True)["value"])


def write_batch(tx: neo4j.Transaction, type_name: str, rows: list[dict[str, Any]], fresh: bool = False) -> list[str]:
    """Upsert one batch of property maps (yearly types carry ``_year``); ``fresh``: none of their
    ids is in the store. Returns orphan candidates."""
    year = rows[0].get("_year") if rows else None
    if type_name == FLOW:
        return _write_flows(tx, rows, year, fresh)
    found: set[str] = set()
    if not fresh:
        ids = [r["id"] for r in rows]
        found = set(tx.run(exists_query(type_name), {"ids": ids, "year": year}).single(strict=True)["ids"])
    new = [r for r in rows if r["id"] not in found]
    old = [r for r in rows if r["id"] in found]
    if new:
        tx.run(create_query(type_name), {"rows": new, "year": year}).consume()
    orphans: list[str] = []
    if old:
        orphans = tx.run(update_query(type_name), {"rows": old, "year": year}).single(strict=True)["orphans"]
        if rel_clause(type_name):
            ids = [r["id"] for r in old]
            tx.run(relink_query(type_name), {"ids": ids, "year": year}).consume()
    return orphans


def _write_flows(tx: neo4j.Transaction, rows: list[dict[str, Any]], year: int | None, fresh: bool) -> list[str]:
    """Drop the flows' relationships (a rewrite may move them), then create them all anew."""
    orphans: list[str] = []
    if not fresh:
        params = {"ids": [r["id"] for r in rows], "year": year}
        orphans = tx.run(delete_query(FLOW), params).single(strict=True)["orphans"]
    factors = [r for r in rows if r["from"].startswith(FACTOR_PREFIX)]
    products = [r for r in rows if not r["from"].startswith(FACTOR_PREFIX)] if factors else rows
    for source_label, part in (("Product", products), ("Factor", factors)):
        if part:
            tx.run(flow_create_query(source_label), {"rows": _flow_rows(part), "year": year}).consume()
    return orphans
