"""Scope 1/2/3 and the park inventory against numbers computed by hand."""

from __future__ import annotations

import pytest

from tanlian.api.schemas.footprints import footprint_body
from tanlian.graph.model import Activity, Enterprise, Factor, Graph, Park, Product, Sale
from tanlian.lca.accounting.park import park_inventory
from tanlian.lca.accounting.scope import enterprise_account, scope3_lines
from tanlian.lca.core.result import solve_graph
from tanlian.seed_data.library import demo_park_path
from tanlian.units import conversion_factor

from .builders import flow, process

REL = 1e-12


def test_ghg_protocol_example_4_3_tkm_allocation():
    """GHG Protocol Scope 3 Technical Guidance, example 4.3: a carrier's 31.5 kgCO2 over
    shipments of 240, 150 and 100 t·km (490 in all): 31.5 × 240/490 = 15.43, × 150/490 = 9.64,
    × 100/490 = 6.43 kgCO2. A carrier in the graph sells ``freight`` per t·km; each buyer's
    Category 4 line is quantity × the carrier's intensity (31.5 / 490 kg per t·km)."""
    g = Graph.from_entities(
        [
            Enterprise(id="T", name="carrier"),
            *(Enterprise(id=c, name=c) for c in ("C1", "C2", "C3")),
            Product(id="freight", enterprise="T", unit="t*km", output=490),
            process("T", "CO2", 31.5),
            flow("freight", "C1", 240, "t*km"),
            flow("freight", "C2", 150, "t*km"),
            flow("freight", "C3", 100, "t*km"),
        ]
    )
    r = solve_graph(g)
    got = {c: scope3_lines(r, c) for c in ("C1", "C2", "C3")}
    assert {c: [ln.category for ln in lines] for c, lines in got.items()} == {"C1": [4], "C2": [4], "C3": [4]}
    assert [round(got[c][0].kgco2e, 2) for c in ("C1", "C2", "C3")] == [15.43, 9.64, 6.43]
    for c, tkm in (("C1", 240), ("C2", 150), ("C3", 100)):
        assert got[c][0].kgco2e == pytest.approx(31.5 * tkm / 490, rel=REL)


def small_park(outside_buys_steam: bool = False) -> Graph:
    """CHP H and factory F in park P; supplier S and customer K outside. Numbers in the tests."""
    entities = [
        Park(id="P", name="park", year=2022),
        Enterprise(id="H", name="CHP", park="P", region="CN-East"),
        Enterprise(id="F", name="factory", park="P", region="CN-East"),
        Enterprise(id="S", name="ore supplier", region="CN-North"),
        Enterprise(id="K", name="customer"),
        Factor(id="coalx", unit="t", kgco2e=2000, kind="energy", gases={"CO2": 2000}, upstream_kgco2e=100),
        Factor(
            id="grid_CN-East_2022",
            unit="kWh",
            kgco2e=0.5,
            kind="energy",
            group="grid",
            region="CN-East",
            year=2022,
            gases={"CO2": 0.5},
        ),
        Factor(
            id="grid_residual_CN_2022",
            unit="kWh",
            kgco2e=0.6,
            kind="energy",
            group="grid_residual",
            region="CN",
            year=2022,
            gases={"CO2": 0.6},
        ),
        Factor(id="ore", unit="t", kgco2e=100, kind="material"),
        Factor(id="transport_road", unit="t*km", kgco2e=0.1, kind="service"),
        Product(id="steam", enterprise="H", unit="GJ", output=1000, kind="energy", carrier="steam"),
        Product(id="widget", enterprise="F", unit="t", output=100),
        Product(id="s_ore", enterprise="S", unit="t", output=1000),
        Activity(enterprise="H", type="fuel", item="coalx", quantity=10, unit="t"),
        Activity(enterprise="F", type="electricity", item="grid", quantity=10, unit="MWh", green_mwh=4),
        Activity(enterprise="F", type="removal", item="ccus", quantity=1, unit="t"),
        process("S", "CO2", 5000),
        flow("factor:ore", "S", 1000),
        flow("steam", "F", 500, "GJ"),
        flow("s_ore", "F", 50, distance_km=100, mode="road"),
        Sale(product="widget", customer="K", quantity=80, unit="t", distance_km=200, mode="road"),
    ]
    if outside_buys_steam:
        entities.append(flow("steam", "S", 10, "GJ"))
    return Graph.from_entities(entities)


def test_enterprise_scopes_by_hand():
    """F: Scope 2 location = 10 000 kWh × 0.5 + 500 GJ steam × 20 (H's direct 20 000 kg / 1000 GJ)
    = 15 000; market = (10 000 − 4 000 green) × 0.6 + 10 000 = 13 600 (DECISIONS 14).
    Scope 3: cat 1 ore 50 t × 105 (S: (5 000 + 1 000 t × 100) / 1 000 t) = 5 250; cat 3 steam
    500 × (21 − 20) = 500 (H: 21 000 kg incl. 1 000 coal upstream / 1 000 GJ); cat 4 50 t ×
    100 km × 0.1 = 500; cat 9 80 t × 200 km × 0.1 = 1 600 → 7 850. Primary (supplier-specific)
    lines: ore and steam → (5 250 + 500) / 7 850."""
    r = solve_graph(small_park())
    f = enterprise_account(r, "F")
    assert f["scope1_kgco2e"] == 0
    assert f["scope2_location_kgco2e"] == pytest.approx(15_000, rel=REL)
    assert f["scope2_market_kgco2e"] == pytest.approx(13_600, rel=REL)
    assert f["scope3_by_category"] == pytest.approx({"1": 5250, "3": 500, "4": 500, "9": 1600}, rel=REL)
    assert f["scope3_kgco2e"] == pytest.approx(7850, rel=REL)
    assert f["primary_data_share"] == pytest.approx((5250 + 500) / 7850, rel=REL)
    assert f["removals_kgco2e"] == 1000
    h = enterprise_account(r, "H")
    assert h["scope1_kgco2e"] == pytest.approx(20_000, rel=REL)
    assert h["scope1_by_gas"] == pytest.approx({"CO2": 20_000}, rel=REL)
    assert h["scope3_by_category"] == pytest.approx({"3": 1000}, rel=REL)
    # widget (market-based): (3 600 grid + 500 transport + 500 × 21 steam + 50 × 105 ore) / 100 t
    assert footprint_body(r, "widget")["kgco2e_per_unit"] == pytest.approx(198.5, rel=REL)


def test_park_inventory_by_hand():
    """Scope 1 = H 20 000. Scope 2 (outside only) = F's grid: market 3 600, location 5 000 (the
    steam comes from H inside). Scope 3 upstream = H coal upstream 1 000 + ore 50 × 105 + transport
    500 = 6 750. Downstream = 1 600. Removals 1 000. Net = 20 000 + 3 600 + 6 750 + 1 600 − 1 000
    = 30 950. Intra-park excluded: 500 GJ × 21 = 10 500, exactly what the naive sum of members'
    accounts (42 450 − 1 000) adds on top of the park net."""
    r = solve_graph(small_park())
    inv = park_inventory(r, "P")
    assert inv["scope1_kgco2e"] == pytest.approx(20_000, rel=REL)
    assert inv["scope2_market_kgco2e"] == pytest.approx(3_600, rel=REL)
    assert inv["scope2_location_kgco2e"] == pytest.approx(5_000, rel=REL)
    assert inv["scope3_upstream_kgco2e"] == pytest.approx(6_750, rel=REL)
    assert inv["scope3_downstream_kgco2e"] == pytest.approx(1_600, rel=REL)
    assert inv["removals_kgco2e"] == 1000
    assert inv["net_kgco2e"] == pytest.approx(30_950, rel=REL)
    assert inv["intra_park_excluded_kgco2e"] == pytest.approx(10_500, rel=REL)
    naive = sum(
        a["scope1_kgco2e"] + a["scope2_market_kgco2e"] + a["scope3_kgco2e"] - a["removals_kgco2e"]
        for a in (enterprise_account(r, e) for e in ("H", "F"))
    )
    assert naive == pytest.approx(41_450, rel=REL)
    # H: 20 000 + 1 000 coal upstream; F: 3 600 + 5 250 + 500 + 1 600 − 1 000 = 9 950
    shares = {m["enterprise"]: m["share"] for m in inv["by_enterprise"]}
    assert shares == pytest.approx({"H": 21_000 / 30_950, "F": 9_950 / 30_950}, rel=REL)


def test_park_emissions_that_leave_and_come_back_are_not_counted_twice():
    """S now buys 10 GJ of H's steam: F's own Category 1 grows by 50 t × 10 × 21 / 1 000 = 10.5,
    but the park's Scope 3 upstream does not change (that steam is already inside the park)."""
    r = solve_graph(small_park(outside_buys_steam=True))
    assert enterprise_account(r, "F")["scope3_by_category"]["1"] == pytest.approx(5250 + 10.5, rel=REL)
    assert park_inventory(r, "P")["scope3_upstream_kgco2e"] == pytest.approx(6_750, rel=REL)


@pytest.mark.parametrize("scope2", ["market", "location"])
def test_demo_park_against_independent_computations(scope2):
    """The demo park: intensities and direct figures against numpy dense solves; park Scope 1
    against the members' activities recomputed from the factor table; the intra-park excluded
    amount against the dense intensities on every flow between two members."""
    from tanlian.connectors.bundle import load_bundle
    from tanlian.lca.core.factors import FactorBook

    from .dense import dense_direct, dense_intensities

    g = load_bundle(demo_park_path()).graph
    r = solve_graph(g, scope2=scope2)
    y = dense_intensities(r).sum(axis=1)
    assert r.intensity == pytest.approx(y, rel=1e-9, abs=1e-9)
    assert r.direct == pytest.approx(dense_direct(r), rel=1e-9, abs=1e-9)
    book = FactorBook.for_graph(g)
    for park in g.parks:
        inv = park_inventory(r, park)
        members = {e.id for e in g.enterprises.values() if e.park == park}
        s1 = 0.0
        for a in g.activities.values():
            if a.enterprise in members and a.type == "fuel":
                f = book.get(a.item)
                s1 += a.quantity * conversion_factor(a.unit, f.unit) * book.co2e(f)
            elif a.enterprise in members and a.type == "process":
                s1 += a.quantity * conversion_factor(a.unit, "kg") * book.gwp_of(a.item)
        assert inv["scope1_kgco2e"] == pytest.approx(s1, rel=1e-12)
        intra = sum(
            r.edge_quantity(f.id)[0] * y[r.idx(f.source)]
            for f in g.flows.values()
            if f.source in g.products
            and g.products[f.source].enterprise in members
            and f.to in members
            and g.products[f.source].enterprise != f.to
        )
        assert inv["intra_park_excluded_kgco2e"] == pytest.approx(intra, rel=1e-9)


def test_enterprise_view_values_non_sharing_suppliers_at_the_class_average():
    """S stops sharing. F's own view of its ore line: with no other ore maker it is a stated data
    gap, and with one (T, 100 t at 55 kg/t) still, as an average of one peer would be T's exact
    footprint; once U (100 t at 65 kg/t) and V (200 t at 55 kg/t) make ore of the same class, the
    line is 50 t × the output-weighted average (100·55 + 100·65 + 200·55) / 400 = 57.5."""
    g = small_park()
    g.enterprises["S"] = g.enterprises["S"].model_copy(update={"share_footprints": False})
    g.products["s_ore"] = g.products["s_ore"].model_copy(update={"cpc": "1410"})
    r = solve_graph(g)
    real = enterprise_account(r, "F")
    own = enterprise_account(r, "F", shared_only=True)
    assert real["scope3_by_category"]["1"] == pytest.approx(5250, rel=REL)  # park admins: real data
    (line,) = [ln for ln in own["lines"] if ln["counterpart"] == "s_ore"]
    assert line["method"].startswith("data-gap") and line["kgco2e"] == 0
    assert own["warnings"] and "s_ore" in own["warnings"][0]
    g.enterprises["T"] = Enterprise(id="T", name="other ore maker")
    g.products["t_ore"] = Product(id="t_ore", enterprise="T", unit="t", output=100, cpc="1410")
    extra = process("T", "CO2", 5500)
    g.activities[extra.id] = extra
    own = enterprise_account(solve_graph(g), "F", shared_only=True)
    (line,) = [ln for ln in own["lines"] if ln["counterpart"] == "s_ore"]
    assert line["method"].startswith("data-gap") and line["kgco2e"] == 0
    for ent, out, kg in (("U", 100, 6500), ("V", 200, 11000)):
        g.enterprises[ent] = Enterprise(id=ent, name=f"ore maker {ent}")
        g.products[f"{ent}_ore"] = Product(id=f"{ent}_ore", enterprise=ent, unit="t", output=out, cpc="1410")
        a = process(ent, "CO2", kg)
        g.activities[a.id] = a
    own = enterprise_account(solve_graph(g), "F", shared_only=True)
    (line,) = [ln for ln in own["lines"] if ln["counterpart"] == "s_ore"]
    assert (line["method"], line["primary"]) == ("average-data", False)
    assert line["kgco2e"] == pytest.approx(50 * 57.5, rel=REL)
    assert park_inventory(solve_graph(g), "P")["scope3_upstream_kgco2e"] == pytest.approx(6_750, rel=REL)


def test_indicators_of_a_small_park_have_no_threshold_and_missing_data_is_null():
    """The small park burns 10 t of coal (no tce row for 'coalx') and 10 MWh of grid power:
    1.229 tce, far below 200 000 tce/yr → the core indicator has threshold null with the reason;
    no member reports water data → water reuse is null with a reason, never passed."""
    from tanlian.lca.accounting.indicators import park_indicators

    inds = {i["id"]: i for i in park_indicators(solve_graph(small_park()), "P")}
    core = inds["carbon_per_energy"]
    assert core["threshold"] is None and core["passed"] is None
    assert "below the 200,000 tce/yr" in core["reason"] and "coalx" in core["reason"]
    assert core["energy_tce"] == pytest.approx(10_000 * 0.1229 / 1000, rel=REL)
    assert inds["water_reuse"]["value"] is None and inds["water_reuse"]["passed"] is None
    assert inds["water_reuse"]["reason"]


def test_demo_park_indicators_use_the_thresholds_table():
    from tanlian.connectors.bundle import load_bundle
    from tanlian.lca.accounting.indicators import park_indicators

    inds = {i["id"]: i for i in park_indicators(solve_graph(load_bundle(demo_park_path()).graph), "P1")}
    core = inds["carbon_per_energy"]
    assert 200_000 <= core["energy_tce"] < 1_000_000 and core["threshold"] == 0.2 and core["gate"]
    assert core["passed"] is (core["value"] <= 0.2)
    assert inds["water_reuse"]["threshold"] == 80 and inds["water_reuse"]["passed"] is True
    assert inds["product_energy_intensity"]["value"] is None


@pytest.mark.parametrize("coal_t", [100, 10])
def test_energy_supplied_outside_the_park_is_deducted_with_its_co2(coal_t):
    """H burns ``coal_t`` of library coal (791.74 kgce/t; 2 071.509 kg CO2/t) for 1 000 GJ of
    steam: 500 GJ go to F inside, 100 GJ to S outside and 400 GJ are sold outside the graph, so
    500 GJ leave the park. F also uses 10 MWh of grid power (6 MWh at the 0.6 residual mix, 4 MWh
    green): 1 229 kgce, 3 600 kg CO2.
    tce = (791.74 coal_t + 1 229 − 500 GJ × 34.121) / 1000; CO2 = 2 071.509 coal_t + 3 600 − 500 ×
    2.071509 coal_t. With 10 t the park would supply more energy than it uses (−7.9 tce): no value."""
    from tanlian.lca.accounting.indicators import park_indicators

    g = small_park(outside_buys_steam=False)
    coal = Activity(enterprise="H", type="fuel", item="coal_bituminous", quantity=coal_t, unit="t")
    g.activities = {k: a for k, a in g.activities.items() if a.item != "coalx"}
    g.activities[coal.id] = coal
    f = flow("steam", "S", 100, "GJ")
    g.flows[f.id] = f
    core = next(i for i in park_indicators(solve_graph(g), "P") if i["id"] == "carbon_per_energy")
    tce = (coal_t * 791.74 + 10_000 * 0.1229 - 500 * 34.121) / 1000
    co2_t = (coal_t * 2071.509 + 3600 - 500 * coal_t * 2071.509 / 1000) / 1000
    assert core["energy_tce"] == pytest.approx(tce, rel=1e-12)
    if tce > 0:
        assert core["value"] == pytest.approx(co2_t / tce, rel=1e-12)
    else:
        assert core["value"] is None and "more supplied out than used" in core["reason"]
