"""Green procurement alternatives and what-if scenarios, checked against hand calculations."""

from __future__ import annotations

import pytest

from tanlian.connectors.bundle import load_bundle
from tanlian.errors import NotFound
from tanlian.graph.model import Activity
from tanlian.lca.analysis.geo import haversine_km
from tanlian.lca.analysis.procurement import alternatives
from tanlian.lca.analysis.scenarios import Scenario, ScenarioError, run_scenario
from tanlian.lca.core.cache import results
from tanlian.lca.core.result import solve_graph
from tanlian.seed_data.library import demo_park_path

from .builders_hotspots import lat_at_km, mixed_graph, suppliers_graph

REL = 1e-9
RESIDUAL_2022 = 0.5856  # kgCO2/kWh, national grid excluding market-traded non-fossil power 2022


def test_haversine_along_a_meridian():
    assert haversine_km(0.0, 0.0, lat_at_km(1500), 0.0) == pytest.approx(1500.0, rel=1e-12)


def test_nearer_dirtier_supplier_beats_cleaner_far_one():
    """Buyer needs 100 t; road 0.1 kgCO2e/t·km; now MID 2.00 t/t at 300 km: 200 000 + 3000 = 203 000.

    NEAR 1.90 t/t at 50 km:   190 000 + 100 × 50 × 0.1   =   500 → 190 500, Δ = −12 500 kg.
    FAR  1.80 t/t at 1500 km: 180 000 + 100 × 1500 × 0.1 = 15 000 → 195 000, Δ =  −8 000 kg.
    Costs: NEAR 100 × (400 − 410) = −1000 CNY, FAR 100 × (390 − 410) = −2000 CNY.
    """
    out = alternatives(solve_graph(suppliers_graph()), "buy")
    assert out["current"]["total_kgco2e"] == pytest.approx(203_000.0, rel=REL)
    shared = [a for a in out["alternatives"] if a["shared"]]
    assert [a["source"] for a in shared] == ["c_near", "c_far"]
    near, far = shared
    assert near["transport_kgco2e"] == pytest.approx(500.0, rel=REL)
    assert near["delta_kgco2e"] == pytest.approx(-12_500.0, rel=REL)
    assert far["transport_kgco2e"] == pytest.approx(15_000.0, rel=REL)
    assert far["delta_kgco2e"] == pytest.approx(-8_000.0, rel=REL)
    assert (near["delta_cost_cny"], far["delta_cost_cny"]) == pytest.approx((-1000.0, -2000.0), rel=REL)


def test_not_shared_supplier_offered_at_class_average_with_flag():
    """HID (really 1000 kg/t) does not share: it is shown at the output-weighted average of the makers
    of class 3744 that do share, (2000 + 1900 + 1800) × 1000 t / 3000 t = 1900 kg/t; its own value
    never enters (the same class average as the footprint route and the buyer's Scope 3 view)."""
    hid = next(a for a in alternatives(solve_graph(suppliers_graph()), "buy")["alternatives"] if a["source"] == "c_hid")
    assert hid["shared"] is False and hid["method"] == "average-data"
    assert hid["kgco2e_per_unit"] == pytest.approx(1900.0, rel=REL)


def test_alternative_in_another_unit_is_converted():
    g = suppliers_graph()
    g.products["c_far"] = g.products["c_far"].model_copy(update={"unit": "kg", "output": 1_000_000.0})
    far = next(a for a in alternatives(solve_graph(g), "buy")["alternatives"] if a["source"] == "c_far")
    assert (far["quantity"], far["unit"]) == (100_000.0, "kg")
    assert far["goods_kgco2e"] == pytest.approx(180_000.0, rel=REL)


def test_switch_supplier_changes_buyer_scope3_by_hand():
    """Switch to NEAR (distance from coordinates, 50 km road): Scope 3 203 000 → 190 500."""
    r = solve_graph(suppliers_graph())
    before = r.graph.records()
    sc = Scenario.model_validate(
        {"name": "near", "changes": [{"op": "switch_supplier", "flow": "buy", "to": "c_near"}]}
    )
    out = run_scenario(r, sc)
    assert out["solve"]["matrix_changed"] is True
    assert out["enterprises"]["BUY"]["scope3_kgco2e"] == pytest.approx(
        {"before": 203_000.0, "after": 190_500.0, "delta": -12_500.0}, rel=REL
    )
    assert r.graph.records() == before  # the snapshot is untouched


def green_graph():
    g = mixed_graph()
    a = Activity(enterprise="STL", type="electricity", item="grid", quantity=100_000, unit="kWh")
    g.activities[a.id] = a
    return g


def test_green_power_lowers_market_scope2_and_intensities_reusing_the_solver():
    """STL buys 100 MWh grid power; 40 MWh green: market Scope 2 −40 000 × 0.5856 = −23 424 kg.

    Steel −234.24 kg/t (100 t); BUY's Scope 3 (10 t steel) −2342.4 kg.
    """
    r = solve_graph(green_graph())
    solver = r.solver  # the scenario must reuse the result's solver (same M)
    out = run_scenario(
        r, Scenario(name="green", changes=[{"op": "add_green_power", "enterprise": "STL", "green_mwh": 40}])
    )
    assert out["solve"] == {
        "method": "sweep-same-matrix",
        "matrix_changed": False,
        "residual": pytest.approx(0, abs=1e-6),
    }
    stl = out["enterprises"]["STL"]
    assert stl["scope2_market_kgco2e"]["delta"] == pytest.approx(-40_000 * RESIDUAL_2022, rel=REL)
    assert "scope2_location_kgco2e" not in stl and "scope1_kgco2e" not in stl
    assert out["products"]["steel"]["delta"] == pytest.approx(-400 * RESIDUAL_2022, rel=REL)
    assert "power" not in out["products"]
    assert out["enterprises"]["BUY"]["scope3_kgco2e"]["delta"] == pytest.approx(-4000 * RESIDUAL_2022, rel=REL)
    assert out["parks"]["P"]["net_kgco2e"]["delta"] < 0
    assert r.solver is solver and r.graph.activities["STL|electricity|grid"].green_mwh is None


@pytest.mark.parametrize(
    "changes",
    [
        [{"op": "add_green_power", "enterprise": "STL", "green_mwh": 40}],
        [{"op": "replace_factor", "factor": "ore", "kgco2e": 35.0}],
        [{"op": "replace_factor", "factor": "transport_road", "kgco2e": 0.05}],
        [{"op": "set_quantity", "flow": "factor:ore|STL|1", "quantity": 150}],
        [{"op": "set_quantity", "flow": "power|STL|1", "quantity": 80}],
        [{"op": "switch_supplier", "flow": "factor:ore|BUY|1", "to": "ore", "distance_km": 30}],
    ],
)
def test_scenario_agrees_with_a_full_rebuild(changes):
    """The reused-LU path and the rebuild path both equal solving the changed graph from scratch."""
    from tanlian.lca.analysis.scenarios import apply_changes, resolve

    r = solve_graph(green_graph())
    sc = Scenario(name="x", changes=changes)
    applied = apply_changes(r, sc)
    fast, full = resolve(r, applied), solve_graph(applied.graph)
    assert fast.intensity == pytest.approx(full.intensity, rel=1e-12, abs=1e-12)
    assert fast.info.method.endswith("same-matrix") is (not applied.touches_matrix)
    for e in full.graph.enterprises:
        from tanlian.lca.analysis.scenarios import enterprise_totals

        assert enterprise_totals(fast, e) == pytest.approx(enterprise_totals(full, e), rel=1e-12, abs=1e-9)


def test_replace_factor_reported():
    """Ore 20 → 35 kg/t (+15). Steel: 2 t ore/t + 0.5 MWh × 0.1 t ore/MWh → +30.75 kg/t.

    BUY: 1 t ore (+15) + 10 t steel (+307.5) + 5 MWh power, Category 3 upstream (+5 × 0.1 × 15 = 7.5).
    """
    r = solve_graph(mixed_graph())
    out = run_scenario(r, Scenario(name="ore", changes=[{"op": "replace_factor", "factor": "ore", "kgco2e": 35}]))
    assert out["products"]["steel"]["delta"] == pytest.approx(2 * 15 + 0.5 * 0.1 * 15, rel=REL)
    assert out["enterprises"]["BUY"]["scope3_kgco2e"]["delta"] == pytest.approx(
        15 + 10 * (30 + 0.75) + 5 * 0.1 * 15, rel=REL
    )


def test_store_is_not_written(tmp_path):
    from tanlian.graph.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "t.db")
    store.import_graph(suppliers_graph(grid_kwh=50_000))
    rev, recs = store.revision(), store.snapshot().records()
    r = results.get(store)
    run_scenario(
        r,
        Scenario(
            name="s",
            changes=[
                {"op": "switch_supplier", "flow": "buy", "to": "c_far"},
                {"op": "add_green_power", "enterprise": "BUY", "green_mwh": 10},
                {"op": "replace_factor", "factor": "transport_road", "kgco2e": 0.2},
            ],
        ),
    )
    assert store.revision() == rev and store.snapshot().records() == recs
    assert results.get(store) is r
    store.close()


@pytest.mark.parametrize(
    "doc, error, msg",
    [
        (
            {"name": "x", "changes": [{"op": "add_green_power", "enterprise": "BUY", "green_mwh": 60}]},
            ScenarioError,
            "more than",
        ),
        ({"name": "x", "changes": [{"op": "set_quantity", "flow": "nope", "quantity": 1}]}, NotFound, "flow 'nope'"),
        (
            {"name": "x", "changes": [{"op": "switch_supplier", "flow": "buy", "to": "factor:nope"}]},
            NotFound,
            "product or factor 'factor:nope' not found",
        ),
        (
            {"name": "x", "changes": [{"op": "add_green_power", "enterprise": "NOPE", "green_mwh": 1}]},
            NotFound,
            "enterprise 'NOPE'",
        ),
    ],
)
def test_bad_scenarios_are_domain_errors(doc, error, msg):
    r = solve_graph(suppliers_graph(grid_kwh=50_000))
    with pytest.raises(error, match=msg):
        run_scenario(r, Scenario.model_validate(doc))


def test_scenario_document_is_validated():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Scenario.model_validate({"name": "x", "changes": [{"op": "teleport", "flow": "buy"}]})


def test_spend_categories_are_not_alternatives_to_each_other():
    """Spend factors are EEIO sectors under one class: ferroalloys bought by spend are not to be
    'replaced' by food or business services (which would look greener per CNY)."""
    result = solve_graph(load_bundle(demo_park_path()).graph)
    spend = next(f for f in result.graph.flows.values() if f.source == "factor:spend_metals")
    out = alternatives(result, spend.id)
    assert out["class"] == "spend" and out["alternatives"] == [] and out["skipped"] == []
