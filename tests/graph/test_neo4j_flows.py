"""Neo4j flows of an import: ends that exist are MATCHed, a flow whose product or customer is not
stored (yet) still lands, on a stub end, in the same transaction."""

from __future__ import annotations

import neo4j
import pytest

from tanlian.graph.model import Enterprise, Flow, Graph, Park, Product
from tanlian.graph.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j


@pytest.fixture
def nstore(neo4j_url):
    s = Neo4jStore(neo4j_url)
    s.wipe()
    yield s
    s.close()


def test_flows_with_and_without_stored_ends(nstore, neo4j_url):
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
    with neo4j.GraphDatabase.driver(neo4j_url, auth=None) as d:
        rels = d.execute_query("MATCH ()-[f:FLOWS_TO]->() RETURN count(f) AS n").records[0]["n"]
        stubs = d.execute_query("MATCH (n) WHERE n._json IS NULL AND NOT n:Meta RETURN count(n) AS n").records[0]["n"]
    assert rels == 3 and stubs == 2  # PX and Z exist as stubs only
    again = nstore.import_graph(g)
    assert not again.wrote
