"""Cypher text of the Neo4j store: labels, owned relationships and statements (parameters only).

Labels and relationship types in the text come only from the fixed maps below, never from data.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tanlian.graph.model import AUX_TYPES, BUNDLE_TYPES, FACTOR_PREFIX, YEARLESS_TYPES

#: type name -> node label. Labels in Cypher text come only from this map: the bundle types
#: below, plus one label per auxiliary type derived from its class name (checked identifier).
LABELS: dict[str, str] = {
    "park": "Park",
    "enterprise": "Enterprise",
    "product": "Product",
    "factor": "Factor",
    "activity": "Activity",
    "flow": "Flow",
    "sale": "Sale",
    "residual": "Residual",
    "need": "Need",
}
for _t in AUX_TYPES:
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", _t.__name__) or _t.__name__ in ("Meta", *LABELS.values()):
        raise ValueError(f"auxiliary type {_t.__name__!r} cannot be a Neo4j label")
    LABELS[_t.type_name] = _t.__name__

#: Flows are no nodes: each is one ``FLOWS_TO`` relationship carrying the record, keyed by
#: (``_year``, ``id``) with a relationship uniqueness constraint (Neo4j 5.7+).
FLOW = "flow"
#: Labels whose nodes are keyed by (``_year``, ``id``); factors and auxiliary nodes by ``id``.
YEARLY: frozenset[str] = frozenset(
    LABELS[t.type_name] for t in BUNDLE_TYPES if t not in YEARLESS_TYPES and t.type_name != FLOW
)


def key(label: str, id_expr: str, year_expr: str = "$year") -> str:
    """The key map of a node of ``label``: ``{id: ..., _year: ...}`` or ``{id: ...}``."""
    return f"{{id: {id_expr}, _year: {year_expr}}}" if label in YEARLY else f"{{id: {id_expr}}}"


#: type name -> (reference field, relationship type, label of the referenced node, the
#: relationship points from the referenced node to this one). Flows are handled apart.
OWNED: dict[str, tuple[str, str, str, bool]] = {
    "enterprise": ("park", "IN_PARK", "Park", False),
    "product": ("enterprise", "MAKES", "Enterprise", True),
    "activity": ("enterprise", "HAS_ACTIVITY", "Enterprise", True),
    "sale": ("product", "SOLD_AS", "Product", True),
    "residual": ("enterprise", "HAS_RESIDUAL", "Enterprise", True),
    "need": ("enterprise", "HAS_NEED", "Enterprise", True),
}

INT64 = (-(2**63), 2**63 - 1)


# ------------------------------------------------------------------------------ Cypher text
def owned_pattern(type_name: str, node: str, other: str, rel: str) -> str:
    """The relationship a record of ``type_name`` owns, as a pattern ``node``—``other``."""
    _, rtype, olabel, incoming = OWNED[type_name]
    if incoming:
        return f"({other}:{olabel})-[{rel}:{rtype}]->({node})"
    return f"({node})-[{rel}:{rtype}]->({other}:{olabel})"


STUB_IDS = "collect(DISTINCT CASE WHEN {v}._json IS NULL THEN elementId({v}) END)"


def exists_query(type_name: str) -> str:
    """Which of ``$ids`` have a node already (stored or stub)."""
    label = LABELS[type_name]
    return f"UNWIND $ids AS id MATCH (n:{label} {key(label, 'id')}) RETURN collect(n.id) AS ids"


def rel_clause(type_name: str) -> str:
    """Cypher run with ``n`` bound: create the relationship ``n``'s record owns, the other end
    MERGEd on its key (the stored node or a stub). Empty if it owns none."""
    if type_name not in OWNED:
        return ""
    field, rtype, olabel, incoming = OWNED[type_name]
    arrow = f"(o)-[:{rtype}]->(n)" if incoming else f"(n)-[:{rtype}]->(o)"
    return f"WITH n WHERE n.{field} IS NOT NULL MERGE (o:{olabel} {key(olabel, 'n.' + field)}) CREATE {arrow}"


def create_query(type_name: str) -> str:
    """New nodes (no node with their id yet, so no relationships either) and their relationships;
    ``$rows`` are the nodes' property maps."""
    label = LABELS[type_name]
    return f"UNWIND $rows AS r CREATE (n:{label}) SET n = r {rel_clause(type_name)}"


def update_query(type_name: str) -> str:
    """Rewrite existing nodes (stored or stubs); drop the relationships they own (made anew by
    :func:`relink_query`); return the stubs at their other end, which may now be orphans."""
    label = LABELS[type_name]
    head = f"UNWIND $rows AS r MERGE (n:{label} {key(label, 'r.id')}) SET n = r"
    if type_name in OWNED:
        pattern = owned_pattern(type_name, "n", "o", "old")
        return f"{head} WITH n OPTIONAL MATCH {pattern} DELETE old RETURN {STUB_IDS.format(v='o')} AS orphans"
    return f"{head} WITH count(*) AS written RETURN [] AS orphans"


def relink_query(type_name: str) -> str:
    label = LABELS[type_name]
    return f"UNWIND $ids AS id MATCH (n:{label} {key(label, 'id')}) {rel_clause(type_name)}"


def delete_query(type_name: str) -> str:
    """Turn stored nodes into stubs (GC removes them unless still referenced); flows: drop
    their relationships. Returns the stubs that may now be orphans."""
    if type_name == FLOW:
        return FLOW_DELETE
    label = LABELS[type_name]
    head = f"UNWIND $ids AS id MATCH (n:{label} {key(label, 'id')}) WHERE n._json IS NOT NULL"
    tail = "SET n = {id: n.id, _year: n._year} RETURN collect(DISTINCT elementId(n))"
    if type_name in OWNED:
        pattern = owned_pattern(type_name, "n", "o", "old")
        return f"{head} OPTIONAL MATCH {pattern} DELETE old {tail} + {STUB_IDS.format(v='o')} AS orphans"
    return f"{head} {tail} AS orphans"


#: Drop the flows ``$ids`` of ``$year`` (a rewrite drops, then creates); returns the stubs at
#: their ends, which may now be orphans.
FLOW_DELETE = (
    "UNWIND $ids AS id MATCH (s)-[f:FLOWS_TO {_year: $year, id: id}]->(c) DELETE f "
    f"RETURN {STUB_IDS.format(v='s')} + {STUB_IDS.format(v='c')} AS orphans"
)


def flow_create_query(source_label: str) -> str:
    """New flows: one ``FLOWS_TO`` per row of ``$rows`` (``from``, ``to`` and ``props``, the
    relationship's properties), from its source (:Product, or :Factor for ``factor:<id>``) to
    its customer, both MERGEd on their key."""
    src = "r.`from`" if source_label == "Product" else f"substring(r.`from`, {len(FACTOR_PREFIX)})"
    return (
        f"UNWIND $rows AS r MERGE (s:{source_label} {key(source_label, src)}) "
        f"MERGE (c:Enterprise {key('Enterprise', 'r.to')}) CREATE (s)-[f:FLOWS_TO]->(c) SET f = r.props"
    )


def any_stored_query(type_name: str) -> str:
    """Whether ``$year`` has any node (stored or stub) of the type, or any flow: if not, a write of
    the type needs no lookup of existing ids."""
    if type_name == FLOW:
        match = "MATCH ()-[n:FLOWS_TO]->() WHERE n._year = $year AND n.id IS NOT NULL"
    else:
        label = LABELS[type_name]
        match = f"MATCH (n:{label}) WHERE n.id IS NOT NULL" + (" AND n._year = $year" if label in YEARLY else "")
    return f"{match} WITH n LIMIT 1 RETURN count(n) > 0 AS found"


def source_of(node: str) -> str:
    """A flow's ``from`` from its source node: the product id, or ``factor:<id>``."""
    return f"CASE WHEN {node}:Factor THEN '{FACTOR_PREFIX}' + {node}.id ELSE {node}.id END"


def row_of(type_name: str, var: str) -> str:
    """The Cypher expression of one stored record bound to ``var`` (see :func:`record_of`): its
    properties; a flow's also its ends (``from`` and ``to`` are not properties)."""
    if type_name != FLOW:
        return f"[properties({var})]"
    return f"[properties({var}), {source_of(f'startNode({var})')}, endNode({var}).id]"


def in_chunks(match: str, row: str, order: bool = False) -> str:
    """``match`` (binds ``n``) returned as records of ``$chunk`` rows each, a row being ``row``
    (an expression of ``x``): few large Bolt messages instead of one per row (the driver's cost).
    The server holds only the references and one chunk at a time."""
    sort = " WITH n ORDER BY n.id" if order else ""
    return (
        f"{match}{sort} WITH collect(n) AS ns UNWIND range(0, size(ns) - 1, $chunk) AS i "
        f"RETURN [x IN ns[i..i + $chunk] | {row}] AS rows"
    )


#: Where a type's stored records are: ``n`` bound to the node (or a flow's relationship).
def match_stored(type_name: str) -> str:
    if type_name == FLOW:
        return "MATCH ()-[n:FLOWS_TO]->() WHERE n._year = $year AND n.id IS NOT NULL"
    label = LABELS[type_name]
    return f"MATCH (n:{label}) WHERE n._json IS NOT NULL" + (" AND n._year = $year" if label in YEARLY else "")


GC = (
    "UNWIND $ids AS eid MATCH (n) WHERE elementId(n) = eid "
    "WITH n WHERE n._json IS NULL AND NOT n:Meta AND NOT EXISTS { (n)--() } DELETE n"
)
BUMP = "MERGE (m:Meta {key: 'revision'}) ON CREATE SET m.value = 0 SET m.value = m.value + 1 RETURN m.value AS value"
REVISION = "OPTIONAL MATCH (m:Meta {key: 'revision'}) RETURN coalesce(m.value, 0) AS value"
AUX_BUMP = (
    "MERGE (m:Meta {key: 'aux_revision'}) ON CREATE SET m.value = 0 SET m.value = m.value + 1 RETURN m.value AS value"
)
AUX_REVISION = "OPTIONAL MATCH (m:Meta {key: 'aux_revision'}) RETURN coalesce(m.value, 0) AS value"
#: First statement of every write transaction: the write lock on the revision node (serialises
#: writers) without changing it; returns the revision.
LOCK = (
    "MERGE (m:Meta {key: 'revision'}) ON CREATE SET m.value = 0 "
    "SET m._lock = true REMOVE m._lock RETURN m.value AS value"
)
YEARS = "OPTIONAL MATCH (m:Meta {key: 'years'}) RETURN coalesce(m.years, []) AS years"
SET_YEARS = "MERGE (m:Meta {key: 'years'}) SET m.years = $years"

# One tier of the supply tree: flows into the frontier enterprises, with the maker of their
# source when the source is a stored product (only stored products own a MAKES).
UPSTREAM_START = (
    "MATCH (m:Enterprise)-[:MAKES]->(p:Product {id: $id, _year: $year}) WHERE p._json IS NOT NULL RETURN m.id AS maker"
)
UPSTREAM_TIER = (
    "UNWIND $frontier AS ent "
    "MATCH (:Enterprise {id: ent, _year: $year})<-[f:FLOWS_TO]-(s) "
    f"WITH f, ent, {source_of('s')} AS source "
    "OPTIONAL MATCH (m:Enterprise)-[:MAKES]->(:Product {id: source, _year: $year}) "
    "RETURN f.id AS flow, source, m.id AS maker, ent AS customer"
)
# Flows whose supplier is in the frontier: the supplier of a flow is the maker of its source
# product, or the source itself when that is not a stored product (a factor, a missing product).
DOWNSTREAM_START = "MATCH (e:Enterprise {id: $id, _year: $year}) WHERE e._json IS NOT NULL RETURN e.id AS id"
DOWNSTREAM_TIER = (
    "UNWIND $frontier AS x "
    "OPTIONAL MATCH (:Enterprise {id: x, _year: $year})-[:MAKES]->(p:Product) "
    "WITH x, collect(p.id) AS made "
    "OPTIONAL MATCH (q:Product {id: x, _year: $year})<-[:MAKES]-() "
    "WITH x, [s IN made | [s, x]] + CASE WHEN q IS NULL THEN [[x, null]] ELSE [] END AS sources "
    "UNWIND sources AS sm "
    "WITH sm[0] AS source, sm[1] AS maker "
    # the node the source's flows hang on: :Factor for factor:<id>, else :Product
    "OPTIONAL MATCH (p:Product {id: CASE WHEN NOT source STARTS WITH $prefix THEN source END, _year: $year}) "
    "OPTIONAL MATCH (fa:Factor {id: CASE WHEN source STARTS WITH $prefix "
    "THEN substring(source, size($prefix)) END}) "
    "WITH source, maker, coalesce(p, fa) AS s WHERE s IS NOT NULL "
    "MATCH (s)-[f:FLOWS_TO]->(c:Enterprise) WHERE f._year = $year "
    "RETURN f.id AS flow, source, maker, c.id AS customer"
)
PARK_ENTERPRISES = (
    "MATCH (e:Enterprise)-[:IN_PARK]->(:Park {id: $id, _year: $year}) WHERE e._json IS NOT NULL "
    "RETURN [properties(e)] AS row"
)


def schema_statements() -> list[str]:
    stmts = []
    for label in LABELS.values():
        name = f"tanlian_{label.lower()}"
        if label == LABELS[FLOW]:  # flows were nodes before they became relationships
            stmts += [f"DROP CONSTRAINT {name}_key IF EXISTS", f"DROP INDEX {name}_year IF EXISTS"]
        elif label in YEARLY:  # an id-only constraint of the layout before years must go
            stmts.append(f"DROP CONSTRAINT {name}_id IF EXISTS")
            stmts.append(
                f"CREATE CONSTRAINT {name}_key IF NOT EXISTS FOR (n:{label}) REQUIRE (n.id, n._year) IS UNIQUE"
            )
            stmts.append(f"CREATE INDEX {name}_year IF NOT EXISTS FOR (n:{label}) ON (n._year)")
        else:
            stmts.append(f"CREATE CONSTRAINT {name}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE")
    stmts.append(
        "CREATE CONSTRAINT tanlian_flows_to_key IF NOT EXISTS FOR ()-[f:FLOWS_TO]-() REQUIRE (f._year, f.id) IS UNIQUE"
    )
    stmts.append("CREATE CONSTRAINT tanlian_meta_key IF NOT EXISTS FOR (n:Meta) REQUIRE n.key IS UNIQUE")
    return stmts


#: The layout before flows became relationships: (:Flow) nodes next to a FLOWS_TO without the
#: record. Move each record onto its relationship and drop the node; run until it returns 0.
UPGRADE_FLOWS = (
    "MATCH (n:Flow) WITH n LIMIT 5000 "
    "OPTIONAL MATCH ()-[f:FLOWS_TO]->(:Enterprise {id: n.to, _year: n._year}) WHERE f.id = n.id "
    "FOREACH (_ IN CASE WHEN n._json IS NULL THEN [] ELSE [1] END | SET f = properties(n) REMOVE f.`from`, f.to) "
    "DETACH DELETE n RETURN count(*) AS moved"
)


# ------------------------------------------------------------------------------ rows
def is_scalar(value: Any) -> bool:
    if isinstance(value, bool | str | float):
        return True
    return isinstance(value, int) and INT64[0] <= value <= INT64[1]


def node_props(rec: dict[str, Any], year: int | None = None, names: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The properties of a stored record: its scalar fields (``_``-prefixed keys reserved) and
    ``id``; ``_json``, the JSON of the fields that are not scalar properties (``{}`` for most
    records; it also marks a node as stored, not a stub); ``_year`` (yearly types); ``_extra``
    (JSON of the fields not in ``names``, the typed columns, read back by the columnar snapshot).
    :func:`record_of` turns them back into the record."""
    props: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for k, v in rec.items():
        if k and k[0] != "_" and is_scalar(v):
            props[k] = v
        else:
            rest[k] = v
    props["id"] = rec["id"]
    props["_json"] = json.dumps(rest, ensure_ascii=False) if rest else "{}"
    if year is not None:
        props["_year"] = year
    if names and not rec.keys() <= names:
        props["_extra"] = json.dumps({k: v for k, v in rec.items() if k not in names}, ensure_ascii=False)
    return props


def record_of(row: list[Any]) -> dict[str, Any]:
    """The record of a :func:`row_of` row: the properties (:func:`node_props`; also the layout
    before it, whose ``_json`` held the whole record), and a flow's ``from`` and ``to``."""
    props = row[0]
    rec = {k: v for k, v in props.items() if k and k[0] != "_"}
    rest = props.get("_json")
    if rest and rest != "{}":
        rec.update(json.loads(rest))
    if len(row) == 3:
        rec["from"], rec["to"] = row[1], row[2]
    return rec
