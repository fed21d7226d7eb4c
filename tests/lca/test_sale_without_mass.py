"""A count-unit product sold without ``mass_kg`` (issue 12): only a sale with a distance needs a mass."""

from __future__ import annotations

import pytest

from tanlian.graph.model import Enterprise, Factor, Graph, Park, Product, Sale
from tanlian.lca.accounting.scope import enterprise_account
from tanlian.lca.core.result import solve_graph

from .builders import process


def pump_graph(**sale) -> Graph:
    """M makes 100 pumps (unit ``piece``, no mass_kg) with 1 000 kg CO2 of process emissions and
    sells 10 of them; each pump's end of life is 3 kgCO2e (factor per piece)."""
    return Graph.from_entities(
        [
            Park(id="P", name="p", year=2022),
            Enterprise(id="M", name="maker", park="P"),
            Product(id="pump", enterprise="M", unit="piece", output=100),
            Factor(id="eol_pump", unit="piece", kgco2e=3, kind="waste"),
            process("M", "CO2", 1000),
            Sale(product="pump", customer="C", quantity=10, unit="piece", eol="eol_pump", **sale),
        ]
    )


def test_sale_without_distance_needs_no_mass():
    """Scope 1 = 1 000 kg; Scope 3 = Category 12 only: 10 pumps × 3 kgCO2e = 30 kg."""
    acc = enterprise_account(solve_graph(pump_graph()), "M")
    assert acc["scope1_kgco2e"] == pytest.approx(1000, rel=1e-12)
    assert acc["scope3_by_category"] == pytest.approx({"12": 30.0}, rel=1e-12)


def test_sale_with_distance_uses_mass_kg():
    """With mass_kg = 50 the 10 pumps weigh 0.5 t: 0.5 t × 100 km of road freight (Category 9)."""
    g = pump_graph(distance_km=100, mode="road")
    g.products["pump"] = g.products["pump"].model_copy(update={"mass_kg": 50.0})
    lines = [ln for ln in enterprise_account(solve_graph(g), "M")["lines"] if ln["category"] == 9]
    assert [ln["quantity"] for ln in lines] == pytest.approx([0.5 * 100], rel=1e-12)
