"""Intensities checked against systems solved on paper."""

from __future__ import annotations

import pytest

from tanlian.api.schemas.footprints import edges_of, footprint_body
from tanlian.errors import AllocationError, NonProductiveLoop
from tanlian.graph.model import Product
from tanlian.lca.core.result import solve_graph

from .builders import chain_graph, flow, loop_graph

REL = 1e-12


def test_two_product_loop():
    """y_A = 10 + 0.2 y_B and y_B = 4 + 0.5 y_A  →  y_A = 10.8 / 0.9 = 12, y_B = 4 + 6 = 10."""
    r = solve_graph(loop_graph())
    assert footprint_body(r, "A")["kgco2e_per_unit"] == pytest.approx(12.0, rel=REL)
    assert footprint_body(r, "B")["kgco2e_per_unit"] == pytest.approx(10.0, rel=REL)
    assert footprint_body(r, "A")["direct_kgco2e_per_unit"] == pytest.approx(10.0, rel=REL)
    assert footprint_body(r, "A")["upstream_kgco2e_per_unit"] == pytest.approx(2.0, rel=REL)


def test_three_enterprise_chain_with_multi_output():
    """x: 5 t fuel × 2000 kg / 10 t = 1000 kg/t.

    Y burden: 8 t x × 1000 = 8000 + 100 kg CH4 × 27.9 = 2790 → 10 790 kgCO2e. Economic shares:
    y1 100 t × 30 = 3000, y2 50 t × 40 = 2000 → 0.6 / 0.4; waste ys gets 0 (cut-off).
    y1 = 0.6 × 10 790 / 100 = 64.74; y2 = 0.4 × 10 790 / 50 = 86.32.
    z = (60 × 64.74 + 10 × 86.32 + 500) / 20 = (3884.4 + 863.2 + 500) / 20 = 262.38 per piece.
    CH4 share of z: (60 × 16.74 + 10 × 22.32) / 20 = 61.38.
    """
    r = solve_graph(chain_graph())
    fp = {p: footprint_body(r, p) for p in ("x", "y1", "y2", "ys", "z")}
    assert fp["x"]["kgco2e_per_unit"] == pytest.approx(1000.0, rel=REL)
    assert fp["y1"]["kgco2e_per_unit"] == pytest.approx(64.74, rel=REL)
    assert fp["y2"]["kgco2e_per_unit"] == pytest.approx(86.32, rel=REL)
    assert fp["ys"]["kgco2e_per_unit"] == 0.0
    assert fp["z"]["kgco2e_per_unit"] == pytest.approx(262.38, rel=REL)
    assert fp["z"]["by_gas"]["CH4"] == pytest.approx(61.38, rel=REL)
    assert fp["z"]["by_gas"]["CO2"] == pytest.approx(262.38 - 61.38, rel=REL)
    assert fp["y1"]["direct_kgco2e_per_unit"] == pytest.approx(0.6 * 2790 / 100, rel=REL)
    assert fp["z"]["direct_kgco2e_per_unit"] == pytest.approx(25.0, rel=REL)
    assert fp["y1"]["by_gas"] == pytest.approx({"CO2": 0.6 * 8000 / 100, "CH4": 0.6 * 2790 / 100}, rel=REL)


def test_gwp_set_changes_methane():
    """AR5 CH4 = 28: Y burden 8000 + 2800 → y1 = 0.6 × 10 800 / 100 = 64.8."""
    r = solve_graph(chain_graph(), gwp="AR5")
    assert footprint_body(r, "y1")["kgco2e_per_unit"] == pytest.approx(64.8, rel=REL)
    assert footprint_body(r, "y1")["gwp"] == "AR5"


def test_embodied_carbon_on_edges():
    r = solve_graph(chain_graph())
    edges = {e["flow"]: e for e in edges_of(r)}
    e = edges["x|Y|1"]
    assert (e["quantity"], e["unit"]) == (8.0, "t")
    assert e["embodied_kgco2e"] == pytest.approx(8000.0, rel=REL)
    assert edges["y1|Z|1"]["embodied_kgco2e"] == pytest.approx(60 * 64.74, rel=REL)


def test_mass_fallback_when_a_price_is_missing():
    g = chain_graph()
    g.products["y2"] = g.products["y2"].model_copy(update={"price_cny": None})
    r = solve_graph(g)
    # mass shares 100 t : 50 t → 2/3 : 1/3
    assert footprint_body(r, "y1")["kgco2e_per_unit"] == pytest.approx(10790 * 2 / 3 / 100, rel=REL)
    assert footprint_body(r, "y1")["allocation"] == "mass"
    assert any("fell back to mass" in w for w in r.warnings)


def test_missing_allocation_data_names_enterprise_and_column():
    g = chain_graph()
    g.products["y2"] = g.products["y2"].model_copy(update={"price_cny": None, "mass_kg": None})
    g.products["y2"] = Product(id="y2", enterprise="Y", unit="piece", output=50)
    with pytest.raises(AllocationError, match=r"'Y'.*price_cny.*y2"):
        solve_graph(g)


def test_non_productive_loop_is_an_error():
    """A needs 2 B per unit and B needs 1 A per unit: spectral radius √2 ≥ 1."""
    g = loop_graph()
    g.flows = {}
    for f in (flow("B", "EA", 200), flow("A", "EB", 50)):
        g.flows[f.id] = f
    with pytest.raises(NonProductiveLoop) as exc:
        solve_graph(g)
    assert set(exc.value.products) == {"A", "B"}
    assert exc.value.spectral_radius == pytest.approx(2**0.5, rel=1e-9)


def test_edges_of_one_enterprise_are_the_flows_into_or_out_of_it():
    r = solve_graph(chain_graph())
    every = edges_of(r)
    for ent in ("X", "Y", "Z", "nobody"):
        makers = {p.id for p in r.graph.products.values() if p.enterprise == ent}
        expected = [e for e in every if e["to"] == ent or e["from"] in makers]
        assert edges_of(r, ent) == expected
