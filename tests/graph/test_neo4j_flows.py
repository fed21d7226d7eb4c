"""Neo4j flows: ``FLOWS_TO`` relationships between stored ends or stubs; a flow whose product,
customer or factor is not stored (yet) lands on a stub end; stores of the layout with (:Flow)
nodes are upgraded when opened."""

from __future__ import annotations

import json

import pytest
from neo4j_raw import count, orphan_stubs, rels  # tests/graph is on sys.path
from test_store_contract import small_graph

from tanlian.graph import queries
from tanlian.graph.model import Enterprise, Factor, Flow, Graph, Park, Product
from tanlian.graph.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j


def test_flows_with_and_without_stored_ends(nstore, raw):
    g = Graph()
    g.parks["PK"] = Park(id="PK", name="P", year=2024)
    for e in ("A", "B"):
        g.enterprises[e] = Enterprise(id=e, name=e, park="PK")
    g.products["PA"] = Product(id="PA", enterprise="A", unit="t", output=10)
    flows = [
        Flow.model_validate({"id": "f1", "from": "PA", "to": "B", "quantity": 1, "unit": "t"}),  # both ends stored
        Flow.model_validate({"id": "f2", "from": "PX", "to": "B", "quantity": 2, "unit": "t"}),  # product not stored
        Flow.model_validate({"id": "f3", "from": "PA", "to": "Z", "quantity": 3, "unit": "t"}),  # customer not stored
    ]
    g.flows.update((f.id, f) for f in flows)
    summary = nstore.import_graph(g)
    assert summary.added["flows"] == 3
    got = {f.id: (f.source, f.to, f.quantity) for f in nstore.list(Flow)}
    assert got == {"f1": ("PA", "B", 1.0), "f2": ("PX", "B", 2.0), "f3": ("PA", "Z", 3.0)}
    stubs = count(raw, "MATCH (n) WHERE n._json IS NULL AND NOT n:Meta RETURN count(n)")
    assert rels(raw, "FLOWS_TO") == 3 and stubs == 2  # PX and Z exist as stubs only
    again = nstore.import_graph(g)
    assert not again.wrote


def test_store_of_the_layout_with_flow_nodes_is_upgraded_when_opened(nstore, raw, neo4j_url):
    """Before flows became relationships, each was a (:Flow) node holding the record (and nodes
    held the whole record in _json) next to a FLOWS_TO {id, source, ...}: opening moves them."""
    g = small_graph()
    nstore.import_graph(g)
    flows = {f.id: f.record() for f in g.flows.values()}
    ents = {e.id: json.dumps(e.record()) for e in g.enterprises.values()}
    raw.execute_query(
        "MATCH ()-[f:FLOWS_TO]->() CREATE (n:Flow) SET n = $flows[f.id], n._year = f._year, n._json = $json[f.id] "
        "SET f = {id: f.id, source: n.`from`, quantity: f.quantity, unit: f.unit}",
        flows=flows,
        json={k: json.dumps(r) for k, r in flows.items()},
    )
    raw.execute_query("MATCH (e:Enterprise) SET e._json = $ents[e.id]", ents=ents)
    assert count(raw, "MATCH (n:Flow) RETURN count(n)") == len(g.flows)
    with Neo4jStore(neo4j_url) as store:
        assert count(raw, "MATCH (n:Flow) RETURN count(n)") == 0
        moved = "MATCH ()-[f:FLOWS_TO]->() WHERE f.source IS NULL AND f.`from` IS NULL AND f.unit IS NOT NULL"
        moved += " RETURN count(f)"
        assert count(raw, moved) == 4
        assert store.snapshot().records() == g.records()
        assert not store.import_graph(g).wrote  # every record reads back exactly
        assert store.upstream("m1", 3) == queries.upstream(g, "m1", 3)


def test_library_factor_gets_a_stub_that_is_not_a_stored_factor(nstore, raw):
    flow = Flow.model_validate({"from": "factor:grid", "to": "S", "quantity": 5, "unit": "MWh"})
    nstore.upsert([Enterprise(id="S", name="s"), flow])
    assert nstore._read_all("factor") == {}
    assert nstore.list(Factor) == []
    assert count(raw, "MATCH (f:Factor {id: 'grid'})-[:FLOWS_TO]->() RETURN count(f)") == 1
    nstore.upsert([Factor(id="grid", unit="MWh", kgco2e=570)])  # the real one fills the stub
    assert [f.id for f in nstore.list(Factor)] == ["grid"]
    assert count(raw, "MATCH (f:Factor) RETURN count(f)") == 1
    nstore.delete(Factor, ["grid"])  # still referenced: back to a stub
    assert nstore.list(Factor) == [] and count(raw, "MATCH (f:Factor) RETURN count(f)") == 1
    nstore.delete(Flow, [flow.id])  # no longer referenced: gone
    assert count(raw, "MATCH (f:Factor) RETURN count(f)") == 0
    assert orphan_stubs(raw) == 0
