"""Industrial symbiosis: matches, benefits per unit and the best assignment, by hand."""

from __future__ import annotations

import math

import pytest

from tanlian.graph.model import Enterprise, Factor, Graph, Need, Park, Residual
from tanlian.lca.analysis.geo import EARTH_RADIUS_KM
from tanlian.lca.analysis.symbiosis import opportunities

REL = 1e-9


def lon_for_km(km: float) -> float:
    """On the equator the great-circle distance is R × Δλ exactly."""
    return math.degrees(km / EARTH_RADIUS_KM)


def competing_suppliers(need_kg: bool = False) -> Graph:
    """T needs 150 t of clinker (800 kg/t). S1 (10 km) and S2 (100 km) each have 100 t of fly
    ash that goes to landfill (10 kg/t); road 0.1 kg/t·km. Far-away S3 (9 000 km) too."""
    return Graph.from_entities(
        [
            Park(id="P", name="p", year=2022),
            Enterprise(id="T", name="cement", park="P", lat=0.0, lon=0.0),
            Enterprise(id="S1", name="near", park="P", lat=0.0, lon=lon_for_km(10)),
            Enterprise(id="S2", name="far", park="P", lat=0.0, lon=lon_for_km(100)),
            Enterprise(id="S3", name="very far", park="P", lat=0.0, lon=lon_for_km(9000)),
            Factor(id="clinker", unit="t", kgco2e=800, kind="material"),
            Factor(id="waste_landfill", unit="t", kgco2e=10, kind="waste"),
            Factor(id="transport_road", unit="t*km", kgco2e=0.1, kind="service"),
            Residual(enterprise="S1", material="fly_ash", quantity=100, unit="t", current_treatment="waste_landfill"),
            Residual(enterprise="S2", material="fly_ash", quantity=100, unit="t", current_treatment="waste_landfill"),
            Residual(enterprise="S3", material="fly_ash", quantity=100, unit="t", current_treatment="waste_landfill"),
            Need(
                enterprise="T",
                material="clinker",
                quantity=150_000 if need_kg else 150,
                unit="kg" if need_kg else "t",
                virgin="clinker",
            ),
        ]
    )


def test_benefit_per_unit_and_the_best_assignment():
    """Per t: S1 800 + 10 − 10 × 0.1 = 809; S2 800 + 10 − 100 × 0.1 = 800; S3 810 − 900 < 0.
    T needs 150 t: all 100 t of S1 and 50 t of S2 → 100 × 809 + 50 × 800 = 120 900 kgCO2e/yr."""
    out = opportunities(competing_suppliers(), "P", detour=1.0)
    by = {m["residual"]: m for m in out["matches"]}
    assert by["S1|fly_ash"]["benefit_kgco2e_per_unit"] == pytest.approx(809, rel=REL)
    assert by["S2|fly_ash"]["benefit_kgco2e_per_unit"] == pytest.approx(800, rel=REL)
    assert by["S3|fly_ash"]["benefit_kgco2e_per_unit"] == pytest.approx(810 - 900, rel=REL)
    assert [by[k]["assigned_quantity"] for k in ("S1|fly_ash", "S2|fly_ash", "S3|fly_ash")] == [100, 50, 0]
    assert out["assigned_kgco2e"] == pytest.approx(120_900, rel=REL)
    assert out["potential_kgco2e"] == pytest.approx(100 * 809 + 100 * 800, rel=REL)


def test_quantities_convert_to_the_needs_unit():
    """The same problem with the need in kg: benefits per kg are a thousandth, totals equal."""
    out = opportunities(competing_suppliers(need_kg=True), "P", detour=1.0)
    by = {m["residual"]: m for m in out["matches"]}
    assert by["S1|fly_ash"]["benefit_kgco2e_per_unit"] == pytest.approx(0.809, rel=REL)
    assert by["S1|fly_ash"]["assigned_quantity"] == pytest.approx(100_000, rel=REL)
    assert out["assigned_kgco2e"] == pytest.approx(120_900, rel=REL)


def test_detour_scales_transport():
    out = opportunities(competing_suppliers(), "P", detour=1.5)
    by = {m["residual"]: m for m in out["matches"]}
    assert by["S2|fly_ash"]["transport_kgco2e_per_unit"] == pytest.approx(100 * 1.5 * 0.1, rel=REL)


def test_incompatible_materials_and_own_residuals_do_not_match():
    g = competing_suppliers()
    for r in (
        Residual(enterprise="S1", material="waste_paper", quantity=5, unit="t"),
        Residual(enterprise="T", material="fly_ash", quantity=5, unit="t"),
    ):
        g.residuals[r.id] = r
    out = opportunities(g, "P")
    assert "S1|waste_paper" in out["unmatched_residuals"] and "T|fly_ash" in out["unmatched_residuals"]


def test_demo_park_assignment_respects_supply_and_demand():
    from tanlian.connectors.bundle import load_bundle
    from tanlian.seed_data.library import demo_park_path

    g = load_bundle(demo_park_path()).graph
    out = opportunities(g, "P1")
    assert out["assigned_kgco2e"] > 0
    for rid, r in g.residuals.items():
        used = sum(m["assigned_quantity"] for m in out["matches"] if m["residual"] == rid)
        assert used <= r.quantity * (1 + 1e-9)
    for nid, n in g.needs.items():
        got = sum(m["assigned_quantity"] for m in out["matches"] if m["need"] == nid)
        assert got <= n.quantity * (1 + 1e-9)
    assert all(m["assigned_quantity"] == 0 for m in out["matches"] if m["benefit_kgco2e_per_unit"] <= 0)
