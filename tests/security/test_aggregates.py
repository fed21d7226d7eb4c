"""Item 4: class averages need three peers; alternatives show only what the principal may see."""

from __future__ import annotations

import pytest

from tanlian.lca.core.result import solve_graph
from tanlian.units import conversion_factor

REL = 1e-9


def weighted(r, peers: list[str]) -> float:
    g = r.graph
    return sum(g.products[p].output * r.intensity_of(p) for p in peers) / sum(g.products[p].output for p in peers)


def test_no_class_average_from_fewer_than_three_peers(parks):
    """X06_PIPE (X06 does not share) has two peers, B1 and Z1_BRACKET: an average of two would give
    B, which knows B1, Z1_BRACKET's exact footprint. B gets ``shared: false`` and no value."""
    r = parks.api.get("/v1/products/X06_PIPE/footprint", headers=parks.h("ent_B"))
    assert r.status_code == 200
    body = r.json()
    assert body["shared"] is False and "kgco2e_per_unit" not in body


def test_class_average_of_four_peers(parks):
    r = solve_graph(parks.store.snapshot())
    body = parks.api.get("/v1/products/X06_BAR/footprint", headers=parks.h("ent_B")).json()
    assert body["shared"] is False
    assert body["kgco2e_per_unit"] == pytest.approx(weighted(r, ["A1", "Z1P", "Z2P", "X07_BAR"]), rel=REL)


def test_energy_without_peers_falls_back_to_the_grid_factor(parks):
    """X08_POWER (electricity, does not share, no peer): the grid factor of X08's region per MWh."""
    r = solve_graph(parks.store.snapshot())
    grid = r.book.grid("CN-East")
    per_mwh = (r.book.co2e(grid) + (grid.upstream_kgco2e or 0.0)) * conversion_factor("MWh", grid.unit)
    body = parks.api.get("/v1/products/X08_POWER/footprint", headers=parks.h("ent_B")).json()
    assert body["shared"] is False and grid.id in body["basis"]
    assert body["kgco2e_per_unit"] == pytest.approx(per_mwh, rel=REL)
    assert body["kgco2e_per_unit"] != pytest.approx(r.intensity_of("X08_POWER"), rel=1e-3)


def test_enterprise_alternatives_hide_non_direct_suppliers(parks):
    """B's purchase FBX (5 t of X06_BAR over 30 km): A1 (A supplies B and shares) is exact with its
    price; Z1P, Z2P, X07_BAR (not B's suppliers) carry their class average, no price and the
    current flow's transport; the current X06_BAR (does not share) is averaged and unpriced."""
    r = solve_graph(parks.store.snapshot())
    out = parks.api.get("/v1/flows/FBX/alternatives", headers=parks.h("ent_B")).json()
    by = {a["source"]: a for a in out["alternatives"]}
    assert set(by) == {"A1", "Z1P", "Z2P", "X07_BAR"}
    assert by["A1"]["shared"] is True and by["A1"]["kgco2e_per_unit"] == pytest.approx(r.intensity_of("A1"), rel=REL)
    assert by["A1"]["cost_cny"] == pytest.approx(5 * 4000)
    peers = {"Z1P": ["A1", "Z2P", "X07_BAR"], "Z2P": ["A1", "Z1P", "X07_BAR"], "X07_BAR": ["A1", "Z1P", "Z2P"]}
    for src, ps in peers.items():
        a = by[src]
        assert a["shared"] is False and a["cost_cny"] is None and a["delta_cost_cny"] is None
        assert (a["distance_km"], a["mode"]) == (30, "road")
        assert a["kgco2e_per_unit"] == pytest.approx(weighted(r, ps), rel=REL)
    cur = out["current"]
    assert cur["shared"] is False and cur["cost_cny"] is None
    assert cur["kgco2e_per_unit"] == pytest.approx(weighted(r, ["A1", "Z1P", "Z2P", "X07_BAR"]), rel=REL)


def test_park_admin_alternatives_hide_other_parks_and_non_sharing_suppliers(parks):
    out = parks.api.get("/v1/flows/F2/alternatives", headers=parks.h("p1_admin")).json()
    assert {a["source"] for a in out["alternatives"]} == {"Z1P", "Z2P", "X06_BAR", "X07_BAR"}
    for a in out["alternatives"]:
        assert a["shared"] is False and a["cost_cny"] is None, a
    assert out["current"]["shared"] is True and out["current"]["cost_cny"] == pytest.approx(40 * 4000)
