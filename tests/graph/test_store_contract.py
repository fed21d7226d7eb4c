"""The GraphStore contract: every backend (embedded SQLite, Neo4j) passes these same tests."""

from __future__ import annotations

import pytest

from tanlian.graph.model import Activity, Client, Enterprise, Factor, Flow, Graph, Park, Product
from tanlian.graph.store import GraphStore


def small_graph() -> Graph:
    """Two tiers and a loop: S makes s1 → M makes m1 → C; m1 also flows back to S."""
    return Graph.from_entities(
        [
            Park(id="P", name="Park", year=2022),
            Enterprise(id="S", name="Supplier", park="P", region="CN-East", 名称="供应商"),
            Enterprise(id="M", name="Maker", park="P"),
            Enterprise(id="C", name="Customer"),
            Factor(id="f1", unit="t", kgco2e=2.5, kind="material", gases={"CO2": 2.4, "CH4": 0.003}),
            Product(id="s1", enterprise="S", unit="t", output=10, price_cny=100.0),
            Product(id="m1", enterprise="M", unit="piece", output=1000, kind="product", cpc="4299"),
            Activity(enterprise="S", type="fuel", item="f1", quantity=3, unit="t"),
            Flow.model_validate({"from": "factor:f1", "to": "S", "quantity": 5, "unit": "t"}),
            Flow.model_validate({"id": "F2", "from": "s1", "to": "M", "quantity": 8, "unit": "t"}),
            Flow.model_validate({"id": "F3", "from": "m1", "to": "C", "quantity": 900, "unit": "piece"}),
            Flow.model_validate({"id": "F4", "from": "m1", "to": "S", "quantity": 10, "unit": "piece"}),
        ]
    )


def test_store_satisfies_protocol(store):
    assert isinstance(store, GraphStore)


def test_empty_store(store):
    assert store.snapshot().counts() == Graph().counts()
    assert store.get(Enterprise, "S") is None
    assert store.list(Product) == []


def test_import_then_snapshot_round_trips(store):
    g = small_graph()
    summary = store.import_graph(g)
    assert summary.added["flows"] == 4 and summary.wrote
    snap = store.snapshot()
    assert snap.records() == g.records()
    ent = store.get(Enterprise, "S")
    assert ent.model_extra == {"名称": "供应商"}
    assert store.get(Factor, "f1").gases == {"CO2": 2.4, "CH4": 0.003}


def test_energy_carrier_round_trips(store):
    g = small_graph()
    heat = Product(id="c_heat", enterprise="C", unit="GJ", output=5, kind="energy", carrier="heat")
    g.products[heat.id] = heat
    store.import_graph(g)
    got = store.get(Product, "c_heat")
    assert (got.carrier, got.model_extra) == ("heat", {})
    assert store.snapshot().products["c_heat"] == heat


def test_reimport_identical_changes_nothing(store):
    store.import_graph(small_graph())
    rev = store.revision()
    summary = store.import_graph(small_graph())
    assert not summary.wrote
    assert store.revision() == rev
    assert sum(summary.unchanged.values()) == len(list(small_graph().entities()))


def test_every_write_bumps_revision(store):
    r0 = store.revision()
    store.upsert([Park(id="P9", name="x", year=2022)])
    r1 = store.revision()
    assert r1 > r0
    assert store.upsert([Park(id="P9", name="x", year=2022)]) == 0  # identical: no write
    assert store.revision() == r1
    store.upsert([Park(id="P9", name="renamed", year=2022)])
    r2 = store.revision()
    assert r2 > r1 and store.get(Park, "P9").name == "renamed"
    assert store.delete(Park, ["P9", "nope"]) == 1
    assert store.revision() > r2 and store.get(Park, "P9") is None


def test_upsert_keeps_absent_rows_replace_removes_them(store):
    store.import_graph(small_graph())
    partial = Graph.from_entities([Enterprise(id="S", name="Renamed supplier", park="P")])
    s = store.import_graph(partial)
    assert s.changed["enterprises"] == 1 and s.removed["enterprises"] == 0
    assert len(store.list(Enterprise)) == 3
    s = store.import_graph(partial, replace=True)
    assert store.snapshot().records() == partial.records()
    assert s.removed["flows"] == 4


def test_replace_keeps_api_clients(store):
    store.upsert([Client(id="c1", name="ERP", role="enterprise", enterprise="S", secret_hash="x")])
    store.import_graph(small_graph(), replace=True)
    assert store.get(Client, "c1").name == "ERP"
    assert store.snapshot().counts()["flows"] == 4


def test_failed_write_leaves_store_unchanged(store):
    store.import_graph(small_graph())
    before, rev = store.snapshot().records(), store.revision()

    def boom(done, total):
        if done:
            raise RuntimeError("interrupted mid-import")

    bigger = small_graph()
    for i in range(3000):
        bigger.parks[f"X{i}"] = Park(id=f"X{i}", name="x", year=2022)
    with pytest.raises(RuntimeError):
        store.import_graph(bigger, progress=boom)
    assert store.snapshot().records() == before
    assert store.revision() == rev


def test_list_is_sorted_and_typed(store):
    store.import_graph(small_graph())
    ids = [e.id for e in store.list(Enterprise)]
    assert ids == ["C", "M", "S"]
    assert all(isinstance(f, Flow) for f in store.list(Flow))


def test_upstream_supply_tree(store):
    store.import_graph(small_graph())
    edges = store.upstream("m1", depth=1)
    assert [(e.flow, e.depth) for e in edges] == [("F2", 1)]
    deeper = store.upstream("m1", depth=3)
    got = {(e.flow, e.source, e.supplier, e.customer, e.depth) for e in deeper}
    assert got == {
        ("F2", "s1", "S", "M", 1),
        ("F4", "m1", "M", "S", 2),
        ("factor:f1|S|1", "factor:f1", None, "S", 2),
    }
    assert store.upstream("nope") == []


def test_downstream_customers(store):
    store.import_graph(small_graph())
    got = {(e.flow, e.customer, e.depth) for e in store.downstream("S", depth=1)}
    assert got == {("F2", "M", 1)}
    got2 = {(e.flow, e.customer, e.depth) for e in store.downstream("S", depth=2)}
    assert got2 == {("F2", "M", 1), ("F3", "C", 2), ("F4", "S", 2)}


def test_park_enterprises(store):
    store.import_graph(small_graph())
    assert [e.id for e in store.park_enterprises("P")] == ["M", "S"]
    assert store.park_enterprises("nope") == []


def test_wipe(store):
    store.import_graph(small_graph())
    store.wipe()
    assert store.snapshot().counts() == Graph().counts()


def test_demo_park_snapshot_equals_the_embedded_one(store, tmp_path):
    """Importing the demo park gives the same snapshot in every backend, and the same footprints."""
    from tanlian.connectors.bundle import import_bundle
    from tanlian.graph.embedded import EmbeddedStore
    from tanlian.lca.core.result import solve_graph
    from tanlian.seed_data.library import demo_park_path

    reference = EmbeddedStore(tmp_path / "reference.db")
    import_bundle(reference, demo_park_path())
    import_bundle(store, demo_park_path())
    assert store.snapshot().records() == reference.snapshot().records()
    ours, theirs = solve_graph(store.snapshot()), solve_graph(reference.snapshot())
    assert ours.intensity.tolist() == theirs.intensity.tolist()
    reference.close()


# ---------------------------------------------------------------------------------- years, aux, transactions
def year_graph(year: int, name: str = "Park") -> Graph:
    """``small_graph`` moved to ``year`` (the parks' year), with the park renamed."""
    g = small_graph()
    g.parks["P"] = Park(id="P", name=name, year=year)
    return g


def test_years_are_independent(store):
    store.import_graph(year_graph(2022, "old"))
    store.import_graph(year_graph(2023, "new"))
    assert store.years() == [2022, 2023]
    assert store.get(Park, "P").name == "new"  # default: the latest year
    assert store.get(Park, "P", year=2022).name == "old"
    # replacing 2023 by a smaller bundle leaves 2022 whole, factors 2022 uses included
    rev = store.revision()
    s = store.import_graph(Graph.from_entities([Park(id="P", name="new", year=2023)]), replace=True)
    assert s.year == 2023 and s.removed["flows"] == 4 and store.revision() > rev
    assert store.snapshot(2022).records() == year_graph(2022, "old").records()
    assert store.snapshot().counts()["flows"] == 0
    assert store.snapshot_tables().year == 2023 and store.snapshot_tables(2022).counts()["flows"] == 4
    assert [e.id for e in store.park_enterprises("P", year=2022)] == ["M", "S"]
    assert store.park_enterprises("P") == []
    assert {e.flow for e in store.upstream("m1", 1, year=2022)} == {"F2"} and store.upstream("m1", 1) == []


def test_bundle_year_comes_from_parks_or_argument(store):
    from tanlian.errors import TanlianError

    with pytest.raises(TanlianError, match="2021"):
        store.import_graph(year_graph(2022), year=2021)
    s = store.import_graph(Graph.from_entities([Enterprise(id="X", name="x")]), year=2020)
    assert s.year == 2020 and store.years() == [2020]
    assert store.get(Enterprise, "X", year=2020).name == "x"


def test_aux_writes_leave_the_revision_alone(store):
    store.import_graph(small_graph())
    rev, aux = store.revision(), store.aux_revision()
    store.upsert([Client(id="c1", name="ERP", role="enterprise", enterprise="S", secret_hash="x")])
    assert store.revision() == rev and store.aux_revision() > aux
    assert store.get(Client, "c1").name == "ERP"
    aux = store.aux_revision()
    assert store.delete(Client, ["c1"]) == 1
    assert store.revision() == rev and store.aux_revision() > aux and store.list(Client) == []


def test_expected_revision_and_guard(store):
    from tanlian.errors import StoreConflict, TanlianError

    store.import_graph(small_graph())
    rev = store.revision()
    with pytest.raises(StoreConflict):
        store.import_graph(year_graph(2022, "x"), expected_revision=rev - 1)
    seen = {}

    def guard(current, changes):
        seen["parks"] = dict(current["park"])
        seen["changed"] = [r["id"] for r in changes.records("park")]
        raise TanlianError("not yours")

    with pytest.raises(TanlianError, match="not yours"):
        store.import_graph(year_graph(2022, "x"), expected_revision=rev, guard=guard)
    assert seen == {"parks": {"P": Park(id="P", name="Park", year=2022).record()}, "changed": ["P"]}
    assert store.revision() == rev and store.get(Park, "P").name == "Park"
    s = store.import_graph(year_graph(2022, "x"), expected_revision=rev, guard=lambda cur, ch: None)
    assert s.revision_after > rev and store.get(Park, "P").name == "x"


def _big(name: str, n: int) -> Graph:
    g = small_graph()
    g.parks.update({f"X{i}": Park(id=f"X{i}", name=name, year=2022) for i in range(n)})
    return g


def test_snapshot_during_an_import_is_the_old_or_the_new_graph(store):
    import threading

    store.import_graph(_big("old", 200))
    old = store.snapshot_tables()
    new_graph = _big("new", 3000)
    done = threading.Event()
    errors = []

    def writer():
        try:
            store.import_graph(new_graph, replace=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    t = threading.Thread(target=writer)
    t.start()
    seen = set()
    while not done.is_set() or not seen:
        snap = store.snapshot_tables()
        names = set(snap.table(Park).column("name").to_pylist())
        n = snap.counts()["parks"]
        if snap.revision == old.revision:
            assert (n, names) == (201, {"old", "Park"})
        else:
            assert (n, names) == (3001, {"new", "Park"})
        seen.add(snap.revision)
    t.join()
    assert not errors
    assert store.snapshot().records() == new_graph.records()


def test_concurrent_conflicting_imports_are_serial_or_conflict(store):
    import threading

    from tanlian.errors import StoreConflict

    store.import_graph(small_graph())
    rev = store.revision()
    graphs = [_big("a", 1500), _big("b", 1500)]
    outcome: dict[int, object] = {}

    def run(i, expected):
        try:
            outcome[i] = store.import_graph(graphs[i], replace=True, expected_revision=expected)
        except StoreConflict as exc:
            outcome[i] = exc

    for expected in (rev, None):
        outcome.clear()
        threads = [threading.Thread(target=run, args=(i, expected)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wins = [i for i, o in outcome.items() if not isinstance(o, StoreConflict)]
        if expected is not None:  # both based on the same revision: exactly one wins
            assert len(wins) == 1
            assert store.snapshot().records() == graphs[wins[0]].records()
            graphs.reverse()  # the second round writes the other way round, so both write
        else:  # no expectation: both commit, one after the other
            assert len(wins) == 2
            first, second = sorted(wins, key=lambda i: outcome[i].revision_after)
            assert outcome[second].revision_before == outcome[first].revision_after
            assert store.snapshot().records() == graphs[second].records()
        rev = store.revision()


def test_snapshot_tables_are_typed_columns(store):
    import pyarrow as pa

    store.import_graph(small_graph())
    snap = store.snapshot_tables()
    flows = snap.table(Flow)
    assert snap.year == 2022 and snap.revision == store.revision()
    assert flows.column("id").to_pylist() == sorted(small_graph().flows)
    assert flows.schema.field("quantity").type == pa.float64()
    assert flows.schema.field("capital").type == pa.bool_()
    assert snap.to_graph().records() == small_graph().records()


def test_replace_all_makes_the_store_equal_to_its_content(store):
    store.import_graph(year_graph(2021, "gone"))
    store.upsert([Client(id="c0", name="old", role="auditor", park="P", secret_hash="x")])
    client = Client(id="c1", name="ERP", role="enterprise", enterprise="S", secret_hash="x")
    store.replace_all({2022: year_graph(2022, "a"), 2023: year_graph(2023, "b")}, [client])
    assert store.years() == [2022, 2023]
    assert store.snapshot(2022).records() == year_graph(2022, "a").records()
    assert store.snapshot(2023).records() == year_graph(2023, "b").records()
    assert store.list(Client) == [client]
