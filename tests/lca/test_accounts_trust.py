"""The accounts never count twice (issue 12): each case solved by hand in its docstring."""

from __future__ import annotations

import pytest

from tanlian.api.schemas.footprints import footprint_body
from tanlian.graph.model import Activity, Enterprise, Factor, Graph, Park, Product
from tanlian.lca.accounting.indicators import park_indicators
from tanlian.lca.accounting.park import park_inventory
from tanlian.lca.accounting.scope import enterprise_account
from tanlian.lca.core.burden import MissingCarrier
from tanlian.lca.core.result import solve_graph

from .builders import chain_graph, flow, process
from .builders_hotspots import mixed_graph

REL = 1e-12
COAL = Factor(id="coalx", unit="t", kgco2e=2000, kind="energy", gases={"CO2": 2000}, upstream_kgco2e=100)


def own_use_graph() -> Graph:
    """PWR burns 10 t of coal (2 000 kg CO2/t, 100 kg/t upstream) for 1 000 MWh gross; it uses
    100 MWh itself and sells 500 MWh to BUY (the rest leaves the graph)."""
    return Graph.from_entities(
        [
            Park(id="P", name="p", year=2022),
            Enterprise(id="PWR", name="plant", park="P"),
            Enterprise(id="BUY", name="buyer", park="P"),
            COAL,
            Product(id="power", enterprise="PWR", unit="MWh", output=1000, kind="energy", carrier="electricity"),
            Activity(enterprise="PWR", type="fuel", item="coalx", quantity=10, unit="t"),
            flow("power", "PWR", 100, "MWh"),
            flow("power", "BUY", 500, "MWh"),
        ]
    )


def test_own_product_consumed_in_house_is_scope1_only():
    """PWR: Scope 1 = 10 × 2 000 = 20 000; Scope 2 = 0 (its own power is no purchase); Scope 3 =
    Category 3 coal upstream 10 × 100 = 1 000 only. The 900 MWh that leave the plant carry it all:
    intensity 21 000 / 900, direct 20 000 / 900. BUY: Scope 2 = 500 × 20 000 / 900, Category 3 =
    500 × 1 000 / 900. Park: net 21 000; the naive sum of the two accounts adds 500 × 21 000 / 900."""
    r = solve_graph(own_use_graph())
    pwr = enterprise_account(r, "PWR")
    assert pwr["scope1_kgco2e"] == pytest.approx(20_000, rel=REL)
    assert (pwr["scope2_location_kgco2e"], pwr["scope2_market_kgco2e"]) == (0, 0)
    assert pwr["scope3_by_category"] == pytest.approx({"3": 1000}, rel=REL)
    assert [ln["source"] for ln in pwr["lines"]] == ["PWR|fuel|coalx"]
    fp = footprint_body(r, "power")
    assert fp["kgco2e_per_unit"] == pytest.approx(21_000 / 900, rel=REL)
    assert fp["direct_kgco2e_per_unit"] == pytest.approx(20_000 / 900, rel=REL)
    assert fp["upstream_kgco2e_per_unit"] == pytest.approx(1_000 / 900, rel=REL)
    buy = enterprise_account(r, "BUY")
    assert buy["scope2_market_kgco2e"] == pytest.approx(500 * 20_000 / 900, rel=REL)
    assert buy["scope2_location_kgco2e"] == pytest.approx(500 * 20_000 / 900, rel=REL)
    assert buy["scope3_by_category"] == pytest.approx({"3": 500 * 1_000 / 900}, rel=REL)
    inv = park_inventory(r, "P")
    assert inv["net_kgco2e"] == pytest.approx(21_000, rel=REL)
    assert inv["intra_park_excluded_kgco2e"] == pytest.approx(500 * 21_000 / 900, rel=REL)


def test_own_input_product_is_not_a_purchase():
    """Y uses 5 t of its own y1 (economic shares 0.6 / 0.4 of 10 790 kgCO2e as in chain_graph):
    Y's Scope 3 stays Category 1 = 8 t x × 1 000 = 8 000 and nothing from y1."""
    g = chain_graph()
    f = flow("y1", "Y", 5)
    g.flows[f.id] = f
    y = enterprise_account(solve_graph(g), "Y")
    assert y["scope3_by_category"] == pytest.approx({"1": 8000}, rel=REL)
    assert y["scope1_kgco2e"] == pytest.approx(2790, rel=REL)


def test_direct_includes_energy_bought_from_graph_enterprises():
    """mixed_graph: STL burns 100 000 kg CO2 and buys 50 MWh of PWR's power at 500 kg/MWh direct.
    Steel direct = (100 000 + 50 × 500) / 100 t = 1 250 = STL's (Scope 1 + Scope 2) / output;
    upstream = 1 311 − 1 250 = 61 kg/t."""
    r = solve_graph(mixed_graph())
    fp = footprint_body(r, "steel")
    assert fp["direct_kgco2e_per_unit"] == pytest.approx(1250, rel=REL)
    assert fp["upstream_kgco2e_per_unit"] == pytest.approx(61, rel=REL)
    assert fp["own_burden_kgco2e_per_unit"] == pytest.approx(1000, rel=REL)  # gate only: no bought power
    stl = enterprise_account(r, "STL")
    assert stl["scope1_kgco2e"] + stl["scope2_market_kgco2e"] == pytest.approx(125_000, rel=REL)


def test_energy_product_without_carrier_is_an_error_not_a_guess():
    """A store written before the column existed: computing names the product instead of guessing."""
    g = mixed_graph()
    g.products["power"] = g.products["power"].model_copy(update={"carrier": None})
    with pytest.raises(MissingCarrier, match=r"without a carrier.*: power;"):
        solve_graph(g)


def test_energy_chain_scope2_is_generation_all_the_way():
    """A distributor D buys all 1 000 MWh of PWR's power (500 kg/MWh direct, 2 kg/MWh ore upstream)
    and sells 800 MWh to BUY: D's product has direct 500 and intensity 502 per MWh, so BUY's
    Scope 2 = 800 × 500 = 400 000 and its Category 3 = 800 × 2 = 1 600."""
    g = mixed_graph()
    g.flows = {k: v for k, v in g.flows.items() if k == "factor:ore|PWR|1"}
    ents = [
        Enterprise(id="D", name="distributor", park="P"),
        Product(id="grid_d", enterprise="D", unit="MWh", output=1000, kind="energy", carrier="electricity"),
        flow("power", "D", 1000, "MWh"),
        flow("grid_d", "BUY", 800, "MWh"),
    ]
    for e in ents:
        g.table(type(e))[e.id] = e
    r = solve_graph(g)
    assert footprint_body(r, "grid_d")["direct_kgco2e_per_unit"] == pytest.approx(500, rel=REL)
    buy = enterprise_account(r, "BUY")
    assert buy["scope2_market_kgco2e"] == pytest.approx(400_000, rel=REL)
    assert buy["scope3_by_category"] == pytest.approx({"3": 1600}, rel=REL)


def not_shared_steam_graph(s_process_kg: float = 30_000, peers: tuple[str, ...] = ("T", "T2", "T3")) -> Graph:
    """F buys 100 GJ of steam from S, which does not share. T, T2, T3 (sharing) make steam of the
    same class: each 1 000 GJ from 10 t of coal (20 000 kg CO2, 1 000 kg upstream), so 20 direct and
    21 in all per GJ (a class average needs three peers). S really emits ``s_process_kg`` for its
    1 000 GJ."""
    steam = {"unit": "GJ", "output": 1000, "kind": "energy", "carrier": "steam", "cpc": "17300"}
    makers = [Enterprise(id=t, name="open") for t in peers]
    makers += [Product(id=f"{t.lower()}_steam", enterprise=t, **steam) for t in peers]
    makers += [Activity(enterprise=t, type="fuel", item="coalx", quantity=10, unit="t") for t in peers]
    return Graph.from_entities(
        [
            Park(id="P", name="p", year=2022),
            Enterprise(id="F", name="factory", park="P"),
            Enterprise(id="S", name="secretive", share_footprints=False),
            COAL,
            Product(id="s_steam", enterprise="S", **steam),
            process("S", "CO2", s_process_kg),
            flow("s_steam", "F", 100, "GJ"),
            *makers,
        ]
    )


@pytest.mark.parametrize("s_kg", [30_000, 90_000])
def test_non_sharing_energy_supplier_one_basis_in_the_customer_view(s_kg):
    """F's own view values the steam at the class average on both sides: Scope 2 = 100 × 20 =
    2 000 and Category 3 = 100 × (21 − 20) = 100, whatever S really emits. The real data (park
    admins, the park inventory) keep S's figure: Scope 2 = 100 × s_kg / 1 000."""
    r = solve_graph(not_shared_steam_graph(s_kg))
    own = enterprise_account(r, "F", shared_only=True)
    assert own["scope2_market_kgco2e"] == pytest.approx(2000, rel=REL)
    assert own["scope2_location_kgco2e"] == pytest.approx(2000, rel=REL)
    assert own["scope3_by_category"] == pytest.approx({"3": 100}, rel=REL)
    (line,) = own["lines"]
    assert line["method"] == "average-data" and line["primary"] is False
    real = enterprise_account(r, "F")
    assert real["scope2_market_kgco2e"] == pytest.approx(100 * s_kg / 1000, rel=REL)
    assert park_inventory(r, "P")["scope2_market_kgco2e"] == pytest.approx(100 * s_kg / 1000, rel=REL)


def test_non_sharing_energy_supplier_without_class_average_falls_back_to_the_carrier_factor():
    """With one peer (T) there is no class average (it would be T's exact footprint): F's own view
    values the steam at the library factor of its carrier, steam_purchased 110 kgCO2/GJ without an
    upstream part: Scope 2 = 100 × 110 = 11 000 on both bases, Category 3 = 100 × (110 − 110) = 0."""
    own = enterprise_account(solve_graph(not_shared_steam_graph(peers=("T",))), "F", shared_only=True)
    assert own["scope2_market_kgco2e"] == pytest.approx(11_000, rel=REL)
    assert own["scope2_location_kgco2e"] == pytest.approx(11_000, rel=REL)
    assert own["scope3_kgco2e"] == pytest.approx(0, abs=1e-9)
    assert own["lines"][0]["method"] == "average-data"


def test_non_sharing_energy_supplier_without_any_stand_in_is_a_stated_gap():
    """Cooling has no library factor: with one peer F's own view shows neither S's Scope 2 nor its
    Category 3 (both 0, one data-gap line, a warning naming the product)."""
    g = not_shared_steam_graph(peers=("T",))
    for pid in ("s_steam", "t_steam"):
        g.products[pid] = g.products[pid].model_copy(update={"carrier": "cooling"})
    own = enterprise_account(solve_graph(g), "F", shared_only=True)
    assert (own["scope2_market_kgco2e"], own["scope2_location_kgco2e"], own["scope3_kgco2e"]) == (0, 0, 0)
    assert own["lines"][0]["method"].startswith("data-gap")
    assert any("s_steam" in w for w in own["warnings"])


def test_fuel_bought_in_the_graph_is_category_1_and_its_combustion_scope1():
    """GAS sells 10 t of LNG (its own 500 kg CO2 for 100 t → 5 kg/t) to B, which burns it
    (activity: 10 t at 2 000 kg CO2/t). B: Scope 1 = 20 000, Scope 2 = 0, Category 1 = 10 × 5 = 50,
    Category 3 = 10 × 100 coal-factor upstream = 1 000. The steel's direct excludes the fuel."""
    g = Graph.from_entities(
        [
            Enterprise(id="GAS", name="lng terminal"),
            Enterprise(id="B", name="boiler house"),
            COAL,
            Product(id="lng", enterprise="GAS", unit="t", output=100, kind="energy", carrier="fuel"),
            Product(id="b_out", enterprise="B", unit="t", output=10),
            process("GAS", "CO2", 500),
            flow("lng", "B", 10),
            Activity(enterprise="B", type="fuel", item="coalx", quantity=10, unit="t"),
        ]
    )
    r = solve_graph(g)
    b = enterprise_account(r, "B")
    assert b["scope1_kgco2e"] == pytest.approx(20_000, rel=REL)
    assert (b["scope2_location_kgco2e"], b["scope2_market_kgco2e"]) == (0, 0)
    assert b["scope3_by_category"] == pytest.approx({"1": 50, "3": 1000}, rel=REL)
    assert footprint_body(r, "b_out")["direct_kgco2e_per_unit"] == pytest.approx(2000, rel=REL)


def indicator_park(process_kg: float) -> Graph:
    """Park P: CHP H burns 100 t of library coal_bituminous (791.74 kgce/t, 2 071.509 kg CO2/t),
    emits ``process_kg`` of process CO2 and uses 100 MWh of grid power, all green (location 0.5,
    residual 0.6 kg/kWh). Its 1 000 GJ of steam: 400 GJ to F inside, 600 GJ leave the park. F uses
    2 000 000 MWh of grid power, all green."""
    grid = dict(unit="kWh", kind="energy", year=2022, **{"class": "grid"})
    return Graph.from_entities(
        [
            Park(id="P", name="p", year=2022),
            Enterprise(id="H", name="chp", park="P", region="CN-East"),
            Enterprise(id="F", name="factory", park="P", region="CN-East"),
            Factor(id="grid_e", kgco2e=0.5, gases={"CO2": 0.5}, region="CN-East", **grid),
            Factor(
                id="grid_r",
                unit="kWh",
                kgco2e=0.6,
                gases={"CO2": 0.6},
                kind="energy",
                year=2022,
                region="CN",
                **{"class": "grid_residual"},
            ),
            Product(id="steam", enterprise="H", unit="GJ", output=1000, kind="energy", carrier="steam"),
            Activity(enterprise="H", type="fuel", item="coal_bituminous", quantity=100, unit="t"),
            process("H", "CO2", process_kg),
            Activity(enterprise="H", type="electricity", item="grid", quantity=100, unit="MWh", green_mwh=100),
            Activity(enterprise="F", type="electricity", item="grid", quantity=2e6, unit="MWh", green_mwh=2e6),
            flow("steam", "F", 400, "GJ"),
        ]
    )


@pytest.mark.parametrize("scope2", ["market", "location"])
@pytest.mark.parametrize("process_kg", [50_000, 500_000])
def test_core_indicator_counts_energy_co2_on_both_sides(scope2, process_kg):
    """Energy CO2 = H's coal 207 150.9 kg − 600 GJ × 207.15090 kg/GJ (its energy CO2 per GJ, no
    process CO2, market-based Scope 2 0) = 82 860.36 kg, whatever the process CO2 or the Scope 2
    option. tce = (79 174 + 12 290 + 245 800 000 − 600 × 34.121) / 1 000 = 245 870.9914."""
    inds = {i["id"]: i for i in park_indicators(solve_graph(indicator_park(process_kg), scope2=scope2), "P")}
    core = inds["carbon_per_energy"]
    tce = (100 * 791.74 + 100_000 * 0.1229 + 2e9 * 0.1229 - 600 * 34.121) / 1000
    assert core["energy_tce"] == pytest.approx(tce, rel=REL)
    assert core["value"] == pytest.approx(100 * 2071.509 * 0.4 / 1000 / tce, rel=1e-9)
    assert core["passed"] is True and core["threshold"] == 0.2
    assert "market-based" in core["basis"] and "process" in core["basis"]


def test_core_indicator_heat_in_mwh_is_heat_not_power():
    """H's steam re-declared as 277.78 MWh of heat (1 000 GJ): the 600 GJ (166.67 MWh) that leave
    are deducted by enthalpy, 600 × 34.121 kgce, not as electricity (166 667 kWh × 0.1229)."""
    g = indicator_park(0)
    g.products["steam"] = g.products["steam"].model_copy(
        update={"unit": "MWh", "output": 1000 / 3.6, "carrier": "heat"}
    )
    f = flow("steam", "F", 400 / 3.6, "MWh")
    g.flows = {f.id: f}
    core = next(i for i in park_indicators(solve_graph(g), "P") if i["id"] == "carbon_per_energy")
    tce = (100 * 791.74 + 100_000 * 0.1229 + 2e9 * 0.1229 - 600 * 34.121) / 1000
    assert core["energy_tce"] == pytest.approx(tce, rel=1e-9)


def test_ratio_indicators_use_one_member_set():
    """H reports water use 100 and reuse 90; F reports only its use (1 000 m³): F is left out of
    both sums, 90 / 100 = 90 %, and the reason says so."""
    g = indicator_park(0)
    g.enterprises["H"] = Enterprise(
        id="H", name="chp", park="P", region="CN-East", water_use_m3=100, water_reused_m3=90
    )
    g.enterprises["F"] = Enterprise(id="F", name="factory", park="P", region="CN-East", water_use_m3=1000)
    water = next(i for i in park_indicators(solve_graph(g), "P") if i["id"] == "water_reuse")
    assert water["value"] == pytest.approx(90.0, rel=REL)
    assert "F" in water["reason"]


def test_explicit_shares_within_tolerance_are_renormalised():
    """Shares 0.3 and 0.7000005 (sum 1.0000005, within 1e-6) of 1 000 kg CO2 over 10 t each:
    0.3 / 1.0000005 × 100 and 0.7000005 / 1.0000005 × 100 kg/t; the outputs carry exactly 1 000."""
    g = Graph.from_entities(
        [
            Enterprise(id="E", name="e", allocation="explicit"),
            Product(id="a", enterprise="E", unit="t", output=10, share=0.3),
            Product(id="b", enterprise="E", unit="t", output=10, share=0.7000005),
            process("E", "CO2", 1000),
        ]
    )
    r = solve_graph(g)
    assert footprint_body(r, "a")["kgco2e_per_unit"] == pytest.approx(0.3 / 1.0000005 * 100, rel=REL)
    assert footprint_body(r, "b")["kgco2e_per_unit"] == pytest.approx(0.7000005 / 1.0000005 * 100, rel=REL)
    assert r.system.allocations["E"].shares == pytest.approx({"a": 0.3 / 1.0000005, "b": 0.7000005 / 1.0000005})


@pytest.mark.parametrize("prices", [(30.0, 0.0), (0.0, 0.0)])
def test_zero_price_counts_as_no_price(prices):
    """chain_graph's Y with a price of 0: mass fallback, shares 100 t : 50 t → y1 = 10 790 × 2/3 / 100."""
    g = chain_graph()
    for pid, price in zip(("y1", "y2"), prices, strict=True):
        g.products[pid] = g.products[pid].model_copy(update={"price_cny": price})
    r = solve_graph(g)
    assert footprint_body(r, "y1")["kgco2e_per_unit"] == pytest.approx(10790 * 2 / 3 / 100, rel=REL)
    assert footprint_body(r, "y1")["allocation"] == "mass"
    assert any("fell back to mass" in w and "y2" in w for w in r.warnings)
