"""Item 1: a scenario that switches a purchase to a product whose exact footprint the principal may
not see (another park's, a non-sharing supplier's) runs on the class average, never the real figure."""

from __future__ import annotations

import pytest

from tanlian.lca.core.result import solve_graph

REL = 1e-9


def switch(parks, who: str, to: str, flow: str = "F2", **extra):
    body = {"name": "probe", "changes": [{"op": "switch_supplier", "flow": flow, "to": to, **extra}]}
    return parks.api.post("/v1/scenarios", json=body, headers=parks.h(who))


def class_avg(r, product: str, peers: list[str]) -> float:
    """Output-weighted average intensity of ``peers`` (all in t, like ``product``)."""
    g = r.graph
    return sum(g.products[p].output * r.intensity_of(p) for p in peers) / sum(g.products[p].output for p in peers)


@pytest.mark.parametrize(
    ("to", "peers"),
    [
        ("Z1P", ["A1", "Z2P", "X07_BAR"]),  # another park's steel bar: peers of other sharing makers
        ("X06_BAR", ["A1", "Z1P", "Z2P", "X07_BAR"]),  # a supplier that does not share
    ],
)
def test_switch_to_a_hidden_product_reports_the_class_average(parks, to, peers):
    """B buys 40 t of A1 (no distance). Switching to ``to`` moves B's Scope 3 by 40 × (average − y(A1)),
    the average of the steel bars of the other sharing makers; 40 × (y(to) − y(A1)) would reveal
    y(to) exactly."""
    r = solve_graph(parks.store.snapshot())
    out = switch(parks, "p1_admin", to)
    assert out.status_code == 200, out.text
    delta = out.json()["enterprises"]["B"]["scope3_kgco2e"]["delta"]
    assert delta == pytest.approx(40 * (class_avg(r, to, peers) - r.intensity_of("A1")), rel=REL)
    assert delta != pytest.approx(40 * (r.intensity_of(to) - r.intensity_of("A1")), rel=1e-3)
    assert to not in out.json()["products"]


def test_switch_to_a_hidden_product_without_average_is_not_found_like_a_missing_one(parks):
    """Z1_SOLO (P2) has no peer of its class: the switch is refused exactly as for a product that
    does not exist (no existence oracle)."""
    hidden = switch(parks, "p1_admin", "Z1_SOLO")
    missing = switch(parks, "p1_admin", "NO_SUCH_PRODUCT")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace("Z1_SOLO", "X") == missing.json()["detail"].replace("NO_SUCH_PRODUCT", "X")


def test_own_park_products_stay_exact(parks):
    """A switch of Z2's purchase by P2's admin to Z1P (its own park, delivered over 0 km) uses Z1P's
    real footprint."""
    r = solve_graph(parks.store.snapshot())
    out = switch(parks, "p2_admin", "Z1P", flow="FX6", distance_km=0).json()
    delta = out["enterprises"]["Z2"]["scope3_kgco2e"]["delta"]
    assert delta == pytest.approx(10 * (r.intensity_of("Z1P") - r.intensity_of("X06_BAR")), rel=REL)
