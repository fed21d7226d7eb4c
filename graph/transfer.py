"""Whole-store transfers: the old JSON-blob layout, and every year + auxiliary records at once
(``tanlian store migrate / backup / restore``).

A store's content is ``Content``: one :class:`Graph` per year (factors, shared by all years,
travel with each) and the auxiliary entities (API clients, ...). :meth:`StoreBase.replace_all`
writes one into a store in ONE transaction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from tanlian.errors import TanlianError
from tanlian.graph.model import AUX_TYPES, BUNDLE_TYPES, ENTITY_TYPES, Entity, Graph
from tanlian.graph.store import UNDATED, GraphStore


@dataclass
class Content:
    """Everything a store holds: a graph per year and the auxiliary entities."""

    years: dict[int, Graph] = field(default_factory=dict)
    aux: list[Entity] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {str(y): sum(g.counts().values()) for y, g in sorted(self.years.items())}
        out["auxiliary"] = len(self.aux)
        return out


def read_store(store: GraphStore) -> Content:
    """Every year and auxiliary entity of ``store``."""
    years = {y: store.snapshot(y) for y in store.years()}
    aux = [e for t in AUX_TYPES for e in store.list(t)]
    return Content(years, aux)


def read_json_blob(path: str | Path, year: int | None = None) -> Content:
    """A store file of the old layout (one ``entities`` table of JSON records, no years): the
    parks' year, else ``year``, else :data:`UNDATED`."""
    p = Path(path)
    if not p.is_file():
        raise TanlianError(f"{p}: no such store file")
    db = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT type, data FROM entities").fetchall()
    except sqlite3.DatabaseError as exc:
        raise TanlianError(f"{p}: not a store of the old layout ({exc})") from exc
    finally:
        db.close()
    graph, aux = Graph(), []
    for type_name, data in rows:
        etype = ENTITY_TYPES.get(type_name)
        if etype is None:
            raise TanlianError(f"{p}: unknown entity type {type_name!r}")
        ent = etype.model_validate(json.loads(data))
        if etype in BUNDLE_TYPES:
            graph.table(etype)[ent.id] = ent
        else:
            aux.append(ent)
    parks = {pk.year for pk in graph.parks.values()}
    if len(parks) > 1:
        raise TanlianError(f"{p}: parks of several years {sorted(parks)}: the old layout held one year")
    y = parks.pop() if parks else (year if year is not None else UNDATED)
    return Content({y: graph} if any(graph.counts().values()) else {}, aux)
