"""Neo4j-only behaviour: faults, rollback on a server-side failure, parameters only, the
relationships that mirror the records, and Cypher answers equal to the networkx ones."""

from __future__ import annotations

import random
import sys
import threading
from pathlib import Path
from typing import Any, ClassVar

import neo4j
import pytest
from neo4j.exceptions import ConstraintError
from neo4j_raw import count, orphan_stubs, rels  # tests/graph is on sys.path (rootdir conftest)
from test_store_contract import small_graph

from tanlian.errors import Conflict, StoreUnavailable
from tanlian.graph import queries
from tanlian.graph.model import (
    Activity,
    Enterprise,
    Factor,
    Flow,
    Graph,
    Park,
    Product,
    Sale,
)
from tanlian.graph.neo4j import BATCH, Neo4jStore, split_credentials
from tanlian.graph.store import Changes
from tanlian.settings import Settings

pytestmark = pytest.mark.neo4j

EVIL = "x'}) DETACH DELETE n //"


# ---------------------------------------------------------------------------------- faults
def test_unreachable_server_raises_store_unavailable():
    with pytest.raises(StoreUnavailable) as ei:
        Neo4jStore("bolt://127.0.0.1:1")
    assert ei.value.address == "bolt://127.0.0.1:1"
    assert "bolt://127.0.0.1:1" in str(ei.value)


def test_unreachable_server_message_never_shows_the_password():
    with pytest.raises(StoreUnavailable) as ei:
        Neo4jStore("bolt://neo4j:s3cret@127.0.0.1:1")
    assert "s3cret" not in str(ei.value) and ei.value.address == "bolt://127.0.0.1:1"


def test_unknown_database_raises_store_unavailable(neo4j_url):
    with pytest.raises(StoreUnavailable) as ei:
        Neo4jStore(neo4j_url, database="nosuchdb")
    assert "nosuchdb" in str(ei.value)


@pytest.mark.slow
def test_server_gone_after_connect_raises_store_unavailable():
    """A server that stops while the store is open: every operation says so, none hangs."""
    sys.path.insert(0, str(Path(__file__).parents[1]))
    try:
        import neo4j_launcher
    finally:
        sys.path.pop(0)

    class NoRetryStore(Neo4jStore):  # same code paths, minus the driver's 2 s of retries
        DRIVER_CONFIG: ClassVar[dict[str, Any]] = {**Neo4jStore.DRIVER_CONFIG, "max_transaction_retry_time": 0.0}

    server = neo4j_launcher.start()
    try:
        store = NoRetryStore(server.url)
        store.import_graph(small_graph())
    finally:
        server.stop()
    try:
        ops = {
            "revision": store.revision,
            "ping": store.ping,
            "get": lambda: store.get(Enterprise, "S"),
            "list": lambda: store.list(Product),
            "import": lambda: store.import_graph(small_graph(), replace=True),
            "upsert": lambda: store.upsert([Park(id="Q", name="q", year=2022)]),
            "upstream": lambda: store.upstream("m1"),
            "downstream": lambda: store.downstream("S"),
            "park": lambda: store.park_enterprises("P"),
            "wipe": store.wipe,
        }
        for name, op in ops.items():
            with pytest.raises(StoreUnavailable) as ei:
                op()
            assert ei.value.address == server.url, name
    finally:
        store.close()


# ---------------------------------------------------------------------------------- rollback
def test_constraint_violation_in_last_batch_rolls_back_everything(nstore, raw):
    """Neo4j itself rejects the last row after two full batches went in: nothing stays."""
    nstore.import_graph(small_graph())
    before, rev = nstore.snapshot().records(), nstore.revision()
    rels_before = {t: rels(raw, t) for t in ("FLOWS_TO", "MAKES", "IN_PARK")}
    raw.execute_query("CREATE CONSTRAINT tanlian_test_park_name IF NOT EXISTS FOR (n:Park) REQUIRE n.name IS UNIQUE")
    try:
        recs = [Park(id=f"X{i}", name=f"park {i}", year=2022).record() for i in range(2 * BATCH + 9)]
        recs.append(Park(id="X-last", name="Park", year=2022).record())  # the stored P is "Park"
        # and a few changes of other kinds in the same transaction, written before the parks
        ent = Enterprise(id="S", name="changed", park="X0").record()
        flow = Flow.model_validate({"id": "F9", "from": "factor:zz", "to": "C", "spend_cny": 1}).record()
        done = []
        with pytest.raises(Conflict) as ei:
            nstore._apply(
                Changes({"enterprise": [ent], "flow": [flow], "park": recs}, {"flow": ["F2"]}),
                progress=lambda d, t: done.append((d, t)),
            )
        assert isinstance(ei.value.__cause__, ConstraintError)
        total = len(recs) + 3
        assert done == [(1, total), (2, total), (3, total), (3 + BATCH, total), (3 + 2 * BATCH, total)]
    finally:
        raw.execute_query("DROP CONSTRAINT tanlian_test_park_name IF EXISTS")
    assert nstore.snapshot().records() == before
    assert nstore.revision() == rev
    assert count(raw, "MATCH (p:Park) RETURN count(p)") == 1
    assert count(raw, "MATCH (f:Factor {id: 'zz'}) RETURN count(f)") == 0
    assert {t: rels(raw, t) for t in rels_before} == rels_before


def test_server_out_of_memory_is_store_unavailable_and_rolls_back(nstore, monkeypatch):
    """Neo4j refusing a transaction bigger than its transaction memory (as with a 1 GiB heap and
    ~150 000 entities in one import): the error says what to change, and nothing is written."""
    hydrate = getattr(neo4j.exceptions.Neo4jError, "_hydrate_neo4j", None)
    if hydrate is None:
        pytest.skip("this driver version builds server errors differently")
    nstore.import_graph(small_graph())
    before, rev = nstore.snapshot().records(), nstore.revision()
    real, calls = Neo4jStore._write_batch, []

    def second_batch_fails(tx, type_name, batch, *rest):
        calls.append(type_name)
        if len(calls) == 2:
            raise hydrate(
                code="Neo.TransientError.General.MemoryPoolOutOfMemoryError",
                message="The allocation of an extra 2.0 MiB would use more than the limit 716.8 MiB.",
            )
        return real(tx, type_name, batch, *rest)

    monkeypatch.setattr(Neo4jStore, "_write_batch", staticmethod(second_batch_fails))
    bigger = small_graph()
    bigger.parks.update({f"X{i}": Park(id=f"X{i}", name="x", year=2022) for i in range(BATCH + 1000)})
    with pytest.raises(StoreUnavailable) as ei:
        nstore.import_graph(bigger)
    assert "transaction memory" in str(ei.value) and "heap" in str(ei.value)
    assert nstore.snapshot().records() == before and nstore.revision() == rev


# ---------------------------------------------------------------------------------- parameters
def test_cypher_metacharacters_round_trip_as_data(nstore, raw):
    g = Graph.from_entities(
        [
            Park(id=EVIL, name=EVIL, year=2022),
            Enterprise(id=EVIL, name="e", park=EVIL, **{"we`ird} key": EVIL}),
            Enterprise(id="ok", name="ok", park=EVIL),
            Product(id=EVIL, enterprise=EVIL, unit="t", output=1),
            Flow.model_validate({"id": EVIL, "from": EVIL, "to": "ok", "quantity": 1, "unit": "t"}),
            Flow.model_validate({"from": f"factor:{EVIL}", "to": EVIL, "quantity": 1, "unit": "t"}),
        ]
    )
    nstore.import_graph(g)
    assert nstore.snapshot().records() == g.records()
    assert nstore.get(Enterprise, EVIL).model_extra == {"we`ird} key": EVIL}
    assert [e.id for e in nstore.park_enterprises(EVIL)] == ["ok", EVIL]
    assert [(e.flow, e.customer) for e in nstore.downstream(EVIL)] == [(EVIL, "ok")]
    assert {e.flow for e in nstore.upstream(EVIL, 1)} == {f"factor:{EVIL}|{EVIL}|1"}
    # park, 2 enterprises, product + the factor stub; the flows are relationships
    assert count(raw, "MATCH (n) WHERE NOT n:Meta RETURN count(n)") == 5
    assert rels(raw, "FLOWS_TO") == 2
    assert nstore.delete(Park, [EVIL]) == 1 and nstore.get(Park, EVIL) is None
    assert nstore.get(Enterprise, "ok") is not None


# ---------------------------------------------------------------------------------- urls
def test_split_credentials():
    assert split_credentials("bolt://u:p%40ss@db.example:7687") == ("bolt://db.example:7687", "u", "p@ss")
    assert split_credentials("neo4j+s://u@[::1]:7687") == ("neo4j+s://[::1]:7687", "u", None)
    assert split_credentials("bolt://h:7687") == ("bolt://h:7687", None, None)


def test_from_url_strips_credentials(neo4j_url):
    with_creds = neo4j_url.replace("bolt://", "bolt://neo4j:s3cret@", 1)
    assert "s3cret" in with_creds
    store = Neo4jStore.from_url(with_creds, Settings(neo4j_user="other", neo4j_password="x"))
    try:
        assert store.url == neo4j_url
        assert "s3cret" not in repr(store) and "s3cret" not in store.url
        store.ping()
    finally:
        store.close()
    store = Neo4jStore.from_url(neo4j_url, Settings(neo4j_user="neo4j", neo4j_password="pw"))
    try:
        assert store.url == neo4j_url and store.revision() >= 0
    finally:
        store.close()


# ---------------------------------------------------------------------------------- model
def test_relationships_mirror_the_small_graph(nstore, raw):
    nstore.import_graph(small_graph())
    assert rels(raw, "FLOWS_TO") == 4
    assert rels(raw, "MAKES") == 2
    assert rels(raw, "IN_PARK") == 2
    assert rels(raw, "HAS_ACTIVITY") == 1
    assert count(raw, "MATCH (:Factor {id: 'f1'})-[r:FLOWS_TO]->(:Enterprise {id: 'S'}) RETURN count(r)") == 1
    assert (
        count(
            raw,
            "MATCH (:Product {id: 's1'})-[r:FLOWS_TO {id: 'F2', quantity: 8.0, unit: 't'}]->"
            "(:Enterprise {id: 'M'}) RETURN count(r)",
        )
        == 1
    )
    # scalar fields are queryable properties; the exact record sits in _json
    assert count(raw, "MATCH (p:Product) WHERE p.output > 100 RETURN count(p)") == 1
    assert count(raw, "MATCH (e:Enterprise {region: 'CN-East'}) RETURN count(e)") == 1


def test_relationships_follow_updates_and_deletes(nstore, raw):
    nstore.import_graph(small_graph())
    nstore.upsert([Enterprise(id="S", name="Supplier", park="Q")])  # Q not stored yet
    assert [e.id for e in nstore.park_enterprises("Q")] == ["S"]
    assert [e.id for e in nstore.park_enterprises("P")] == ["M"]
    nstore.upsert([Park(id="Q", name="Q", year=2022)])
    assert count(raw, "MATCH (q:Park {id: 'Q'})<-[:IN_PARK]-(:Enterprise {id: 'S'}) RETURN count(q)") == 1
    nstore.delete(Park, ["P"])  # M still says park P (as in the embedded store)
    assert [e.id for e in nstore.park_enterprises("P")] == ["M"]
    nstore.upsert([Flow.model_validate({"id": "F2", "from": "m1", "to": "C", "quantity": 1, "unit": "piece"})])
    assert count(raw, "MATCH ()-[r:FLOWS_TO {id: 'F2'}]->(c) RETURN c.id") == "C"
    assert rels(raw, "FLOWS_TO") == 4
    nstore.delete(Product, ["s1"])
    assert rels(raw, "MAKES") == 1
    nstore.upsert([Sale(product="m1", customer="retail", quantity=1, unit="piece")])
    assert rels(raw, "SOLD_AS") == 1
    assert orphan_stubs(raw) == 0
    nstore.wipe()
    assert count(raw, "MATCH (n) WHERE NOT n:Meta RETURN count(n)") == 0


def test_wipe_keeps_the_revision_counting(nstore):
    r0 = nstore.revision()
    nstore.import_graph(small_graph())
    nstore.wipe()
    assert nstore.revision() == r0 + 2
    nstore.wipe()  # nothing to delete: no write
    assert nstore.revision() == r0 + 2


def test_concurrent_writers_serialise_on_the_revision(nstore):
    r0 = nstore.revision()
    errors = []

    def write(i):
        try:
            nstore.upsert([Park(id=f"T{i}", name="t", year=2022)])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert nstore.revision() == r0 + 8
    assert len(nstore.list(Park)) == 8


# ---------------------------------------------------------------------------------- queries
def random_graph(seed: int) -> Graph:
    """A small tangled graph with dangling references and ids that collide across types."""
    rnd = random.Random(seed)
    parks = [Park(id=f"P{i}", name="p", year=2022) for i in range(3)]
    ent_ids = [f"E{i}" for i in range(8)] + ["p1"]  # an enterprise named like a product
    ents = [
        Enterprise(id=e, name=e, park=rnd.choice(["P0", "P1", "P2", "PX", None])) for e in ent_ids if rnd.random() < 0.9
    ]
    makers = [*ent_ids, "EZ"]  # EZ is never stored
    prod_ids = [*(f"p{i}" for i in range(12)), "factor:f0", "E3"]
    prods = [Product(id=p, enterprise=rnd.choice(makers), unit="t", output=10) for p in prod_ids if rnd.random() < 0.85]
    factors = [Factor(id=f, unit="t", kgco2e=1) for f in ("f0", "f1")]
    sources = [*prod_ids, "ghost", "factor:f0", "factor:f2", "E1", "EZ"]
    customers = [*ent_ids, "EY", "EZ", "factor:f0"]
    flows = [
        Flow.model_validate(
            {"id": f"F{i}", "from": rnd.choice(sources), "to": rnd.choice(customers), "quantity": 1, "unit": "t"}
        )
        for i in range(rnd.randint(15, 40))
    ]
    return Graph.from_entities([*parks, *ents, *prods, *factors, *flows])


def assert_same_answers(store, graph: Graph) -> None:
    prod_ids = [*graph.products, "nope"]
    ent_ids = [*graph.enterprises, "EY", "EZ", "factor:f0", "nope"]
    for depth in range(5):
        for p in prod_ids:
            assert store.upstream(p, depth) == queries.upstream(graph, p, depth), (p, depth)
        for e in ent_ids:
            assert store.downstream(e, depth) == queries.downstream(graph, e, depth), (e, depth)
    for park in ["P0", "P1", "P2", "PX", "nope"]:
        assert store.park_enterprises(park) == queries.park_enterprises(graph, park)


def assert_relationships_mirror(raw, graph: Graph) -> None:
    assert rels(raw, "FLOWS_TO") == len(graph.flows)
    assert rels(raw, "MAKES") == len(graph.products)
    assert rels(raw, "IN_PARK") == sum(1 for e in graph.enterprises.values() if e.park)
    assert orphan_stubs(raw) == 0


@pytest.mark.parametrize("seed", range(4))
def test_cypher_queries_equal_networkx(nstore, raw, seed):
    g1 = random_graph(seed)
    nstore.import_graph(g1)
    assert nstore.snapshot().records() == g1.records()
    assert_same_answers(nstore, g1)
    assert_relationships_mirror(raw, g1)

    g2 = random_graph(seed + 100)  # overwrite everything, delete what g2 lacks
    nstore.import_graph(g2, replace=True)
    assert nstore.snapshot().records() == g2.records()
    assert_same_answers(nstore, g2)
    assert_relationships_mirror(raw, g2)

    nstore.import_graph(random_graph(seed + 200))  # merge: a mix of both
    merged = nstore.snapshot()
    assert_same_answers(nstore, merged)
    assert_relationships_mirror(raw, merged)


def test_queries_on_small_graph_with_activity_stub(nstore):
    g = small_graph()
    g.activities["x"] = Activity(id="x", enterprise="nowhere", type="fuel", item="f1", quantity=1, unit="t")
    nstore.import_graph(g)
    assert_same_answers(nstore, g)
