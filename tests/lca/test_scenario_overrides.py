"""What-if scenarios keep the supplier footprints (PACT) the baseline was solved with: a scenario
result equals a fresh solve of the changed graph with the same overrides."""

from __future__ import annotations

import numpy as np
import pytest

from tanlian.connectors.bundle import load_bundle
from tanlian.lca.analysis.scenarios import (
    AddGreenPower,
    Scenario,
    ScenarioError,
    SetQuantity,
    SwitchSupplier,
    apply_changes,
    resolve,
    run_scenario,
)
from tanlian.lca.core.override import Override
from tanlian.lca.core.result import solve_graph
from tanlian.seed_data.library import demo_park_path


@pytest.fixture(scope="module")
def demo():
    return load_bundle(demo_park_path()).graph


def test_scenarios_keep_supplier_footprints(demo):
    ent = next(a.enterprise for a in demo.activities.values() if a.type == "electricity" and a.item == "grid")
    pid = next(p.id for p in demo.products.values() if p.enterprise == ent and p.kind != "waste")
    overrides = {pid: Override(1.234)}
    base = solve_graph(demo, overrides=overrides)
    assert base.intensity[base.system.index[pid]] == pytest.approx(1.234, rel=1e-12)
    flow = next(f for f in demo.flows.values() if f.quantity and f.to == ent and not f.source.startswith("factor:"))
    scenarios = [
        Scenario(name="green", changes=[AddGreenPower(op="add_green_power", enterprise=ent, green_mwh=1)]),
        Scenario(name="more", changes=[SetQuantity(op="set_quantity", flow=flow.id, quantity=flow.quantity * 2)]),
    ]
    for sc in scenarios:
        applied = apply_changes(base, sc)
        after = resolve(base, applied)
        assert after.intensity[after.system.index[pid]] == pytest.approx(1.234, rel=1e-12), sc.name
        fresh = solve_graph(applied.graph, overrides=overrides)
        assert after.system.products == fresh.system.products
        np.testing.assert_allclose(after.intensity, fresh.intensity, rtol=1e-9, atol=1e-12, err_msg=sc.name)


def test_switching_to_an_energy_supplier_has_no_freight_leg(demo):
    """Power, heat and steam come by grid or pipe: a switch to another graph supplier of energy
    computes no road distance (before: 'distance_km needs a mass'); a distance given for goods
    without a mass is refused with a clear scenario error."""
    energy = [p for p in demo.products.values() if p.kind == "energy"]
    f = next(f for f in demo.flows.values() if f.source in {p.id for p in energy})
    unit = demo.products[f.source].unit
    other = next(p for p in energy if p.id != f.source and p.unit == unit)
    base = solve_graph(demo)
    switch = SwitchSupplier(op="switch_supplier", flow=f.id, to=other.id)
    applied = apply_changes(base, Scenario(name="s", changes=[switch]))
    assert applied.graph.flows[f.id].distance_km is None and applied.graph.flows[f.id].source == other.id
    out = run_scenario(base, Scenario(name="s", changes=[switch]))
    assert out["scenario"] == "s"
    far = SwitchSupplier(op="switch_supplier", flow=f.id, to=other.id, distance_km=50)
    with pytest.raises(ScenarioError, match="needs a mass"):
        apply_changes(base, Scenario(name="far", changes=[far]))
