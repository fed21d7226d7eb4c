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

#: Labels whose nodes are keyed by (``_year``, ``id``); factors and auxiliary nodes by ``id``.
YEARLY: frozenset[str] = frozenset(LABELS[t.type_name] for t in BUNDLE_TYPES if t not in YEARLESS_TYPES)


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

#: Flow fields copied onto the FLOWS_TO relationship (``source`` is the record's ``from``).
FLOW_REL_FIELDS = ("quantity", "unit", "spend_cny", "category", "capital", "distance_km", "mode")

INT64 = (-(2**63), 2**63 - 1)


# ------------------------------------------------------------------------------ Cypher text
def owned_pattern(type_name: str, node: str, other: str, rel: str) -> str:
    """The relationship a record of ``type_name`` owns, as a pattern ``node``—``other``."""
    _, rtype, olabel, incoming = OWNED[type_name]
    if incoming:
        return f"({other}:{olabel})-[{rel}:{rtype}]->({node})"
    return f"({node})-[{rel}:{rtype}]->({other}:{olabel})"


STUB_IDS = "collect(DISTINCT CASE WHEN {v}._json IS NULL THEN elementId({v}) END)"
#: A flow's relationship, found from its customer (no relationship property index needed).
OLD_FLOW_REL = "OPTIONAL MATCH (s)-[old:FLOWS_TO]->(c:Enterprise {{id: {to}, _year: $year}}) WHERE old.id = {id}"


def exists_query(type_name: str) -> str:
    """Which of ``$ids`` have a node already (stored or stub)."""
    label = LABELS[type_name]
    return f"UNWIND $ids AS id MATCH (n:{label} {key(label, 'id')}) RETURN collect(n.id) AS ids"


def rel_clause(type_name: str, source_label: str = "Product") -> str:
    """Cypher run with ``n`` bound: create the relationship ``n``'s record owns, from ``n``'s
    properties (the other end MERGEd by id: the stored node or a stub). Empty if it owns none."""
    if type_name == "flow":
        src = "n.`from`" if source_label == "Product" else f"substring(n.`from`, {len(FACTOR_PREFIX)})"
        rel = ", ".join(f"{k}: n.{k}" for k in FLOW_REL_FIELDS)
        return (
            f"WITH n MERGE (s:{source_label} {key(source_label, src, 'n._year')}) "
            f"MERGE (c:Enterprise {key('Enterprise', 'n.to', 'n._year')}) "
            f"CREATE (s)-[f:FLOWS_TO]->(c) SET f = {{id: n.id, source: n.`from`, {rel}}}"
        )
    if type_name not in OWNED:
        return ""
    field, rtype, olabel, incoming = OWNED[type_name]
    arrow = f"(o)-[:{rtype}]->(n)" if incoming else f"(n)-[:{rtype}]->(o)"
    return (
        f"WITH n WHERE n.{field} IS NOT NULL MERGE (o:{olabel} {key(olabel, 'n.' + field, 'n._year')}) CREATE {arrow}"
    )


def create_query(type_name: str, source_label: str = "Product") -> str:
    """New nodes (no node with their id yet, so no relationships either) and their relationships."""
    label = LABELS[type_name]
    return f"UNWIND $rows AS r CREATE (n:{label}) SET n = r.props {rel_clause(type_name, source_label)}"


def _update_query(type_name: str) -> str:
    """Rewrite existing nodes (stored or stubs); drop the relationships they own (made anew by
    :func:`relink_query`); return the stubs at their other end, which may now be orphans."""
    label = LABELS[type_name]
    head = f"UNWIND $rows AS r MERGE (n:{label} {key(label, 'r.id')}) SET n = r.props"
    if type_name == "flow":
        # the flow's relationship ends on its old customer: find it there, before the SET
        return (
            f"UNWIND $rows AS r MERGE (n:Flow {key('Flow', 'r.id')}) WITH r, n, n.to AS to SET n = r.props "
            f"WITH r, to {OLD_FLOW_REL.format(id='r.id', to='to')} DELETE old "
            f"RETURN {STUB_IDS.format(v='s')} + {STUB_IDS.format(v='c')} AS orphans"
        )
    if type_name in OWNED:
        pattern = owned_pattern(type_name, "n", "o", "old")
        return f"{head} WITH n OPTIONAL MATCH {pattern} DELETE old RETURN {STUB_IDS.format(v='o')} AS orphans"
    return f"{head} WITH count(*) AS written RETURN [] AS orphans"


def relink_query(type_name: str, source_label: str = "Product") -> str:
    label = LABELS[type_name]
    return f"UNWIND $ids AS id MATCH (n:{label} {key(label, 'id')}) {rel_clause(type_name, source_label)}"


def delete_query(type_name: str) -> str:
    """Turn stored nodes into stubs (GC removes them unless still referenced)."""
    label = LABELS[type_name]
    head = f"UNWIND $ids AS id MATCH (n:{label} {key(label, 'id')}) WHERE n._json IS NOT NULL"
    tail = "SET n = {id: n.id, _year: n._year} RETURN collect(DISTINCT elementId(n))"
    if type_name == "flow":
        return (
            f"{head} {OLD_FLOW_REL.format(id='id', to='n.to')} DELETE old {tail} "
            f"+ {STUB_IDS.format(v='s')} + {STUB_IDS.format(v='c')} AS orphans"
        )
    if type_name in OWNED:
        pattern = owned_pattern(type_name, "n", "o", "old")
        return f"{head} OPTIONAL MATCH {pattern} DELETE old {tail} + {STUB_IDS.format(v='o')} AS orphans"
    return f"{head} {tail} AS orphans"


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
    "MATCH (:Enterprise {id: ent, _year: $year})<-[f:FLOWS_TO]-() "
    "OPTIONAL MATCH (m:Enterprise)-[:MAKES]->(:Product {id: f.source, _year: $year}) "
    "RETURN f.id AS flow, f.source AS source, m.id AS maker, ent AS customer"
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
    "MATCH (s)-[f:FLOWS_TO]->(c:Enterprise) WHERE f.source = source AND c._year = $year "
    "RETURN f.id AS flow, source, maker, c.id AS customer"
)
PARK_ENTERPRISES = (
    "MATCH (e:Enterprise)-[:IN_PARK]->(:Park {id: $id, _year: $year}) WHERE e._json IS NOT NULL RETURN e._json AS j"
)


def schema_statements() -> list[str]:
    stmts = []
    for label in LABELS.values():
        name = f"tanlian_{label.lower()}"
        if label in YEARLY:  # an id-only constraint of the layout before years must go
            stmts.append(f"DROP CONSTRAINT {name}_id IF EXISTS")
            stmts.append(
                f"CREATE CONSTRAINT {name}_key IF NOT EXISTS FOR (n:{label}) REQUIRE (n.id, n._year) IS UNIQUE"
            )
            stmts.append(f"CREATE INDEX {name}_year IF NOT EXISTS FOR (n:{label}) ON (n._year)")
        else:
            stmts.append(f"CREATE CONSTRAINT {name}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE")
    stmts.append("CREATE CONSTRAINT tanlian_meta_key IF NOT EXISTS FOR (n:Meta) REQUIRE n.key IS UNIQUE")
    return stmts


# ------------------------------------------------------------------------------ rows
def is_scalar(value: Any) -> bool:
    if isinstance(value, bool | str | float):
        return True
    return isinstance(value, int) and INT64[0] <= value <= INT64[1]


def node_props(rec: dict[str, Any], year: int | None = None, names: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Node properties: the scalar fields (``_``-prefixed keys reserved), ``id``, ``_json`` (the
    exact record), ``_year`` (yearly types) and ``_extra`` (JSON of the fields not in ``names``,
    the typed columns, read back by the columnar snapshot)."""
    props = {k: v for k, v in rec.items() if k and not k.startswith("_") and is_scalar(v)}
    props["id"] = rec["id"]
    props["_json"] = json.dumps(rec, ensure_ascii=False)
    if year is not None:
        props["_year"] = year
    extra = {k: v for k, v in rec.items() if k not in names}
    if names and extra:
        props["_extra"] = json.dumps(extra, ensure_ascii=False)
    return props
