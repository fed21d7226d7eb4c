"""Chart builders: the numbers a figure draws are the numbers it was given (hand-checked on the
mini bundle where they can be), and bilingual names split the right way."""

from __future__ import annotations

import math

import pytest

from tanlian.connectors.bundle import import_bundle
from tanlian.connectors.carbon_flow import carbon_flows, park_inflow_ids
from tanlian.connectors.chart_text import category, short_name
from tanlian.connectors.charts import (
    members_scope_figure,
    park_waterfall_figure,
    sankey_figure,
    scenario_figure,
    symbiosis_figure,
)
from tanlian.lca.accounting.park import park_inventory
from tanlian.lca.core.cache import results


@pytest.fixture
def mini(embedded_store, mini_bundle):
    import_bundle(embedded_store, mini_bundle)
    return results.get(embedded_store, "AR6", "market")


def test_short_name_picks_the_language():
    name = "苏南热电 Sunan CHP (coal/gas cogeneration)"
    assert short_name(name, "zh") == "苏南热电"
    assert short_name(name, "en", limit=100) == "Sunan CHP (coal/gas cogeneration)"
    assert short_name(name, "en", limit=10) == "Sunan CHP…"
    assert short_name("苏南绿色制造产业园 (Sunan Green Manufacturing Park)", "en", limit=100) == (
        "Sunan Green Manufacturing Park"
    )
    assert short_name("Alpha Steel", "zh") == "Alpha Steel"
    assert short_name(None, "zh", "X01") == "X01"
    assert category(4, "zh") == "C4 上游运输和配送" and category(1, "en") == "C1 Purchased goods & services"


def test_carbon_flows_of_the_mini_park(mini):
    """Into P1 (members A, B): F1 150 t ore × 100 kgCO2e/t = 15 t from background materials;
    F2 40 t of A1 to B; F4 2 t of B1 to A; F3 (B1 to C, outside the park) is not drawn."""
    flows = carbon_flows(mini, "P1", park_inflow_ids(mini, "P1"), "en")
    links = {(ln.source, ln.target): ln for ln in flows.links}
    assert set(links) == {("bg:material", "A"), ("A", "B"), ("B", "A")}
    assert links[("bg:material", "A")].tco2e == pytest.approx(15.0, rel=1e-12)
    assert links[("bg:material", "A")].crosses and not links[("A", "B")].crosses
    y = {p: float(mini.intensity[mini.idx(p)]) for p in ("A1", "B1")}
    assert links[("A", "B")].tco2e == pytest.approx(40 * y["A1"] / 1000, rel=1e-12)
    assert links[("B", "A")].tco2e == pytest.approx(2 * y["B1"] / 1000, rel=1e-12)
    assert flows.crossing_tco2e == pytest.approx(15.0)
    cols = {n.key: n.column for n in flows.nodes}
    assert cols == {"bg:material": 0, "A": 1, "B": 1}  # A ⇄ B is one loop: one column
    fig = sankey_figure(flows, "zh")
    sankey = fig.data[0]
    assert list(sankey.node.label) == [n.label for n in flows.nodes]
    assert sorted(sankey.link.value) == sorted(ln.tco2e for ln in flows.links)
    assert any(s.type == "rect" for s in fig.layout.shapes)  # the park boundary


def test_visible_flows_limit_the_sankey(mini):
    flows = carbon_flows(mini, "P1", ["F1"], "en")
    assert [(ln.source, ln.target) for ln in flows.links] == [("bg:material", "A")]


def test_member_bars_add_up_to_the_net(mini):
    inv = park_inventory(mini, "P1")
    fig = members_scope_figure(inv, "en")
    bars = [t for t in fig.data if t.type == "bar"]
    net = next(t for t in fig.data if t.type == "scatter")
    assert len(bars) == 5 and len(net.x) == len(inv["by_enterprise"])
    for k, name in enumerate(net.y):
        stacked = sum(b.x[k] for b in bars)
        assert stacked == pytest.approx(net.x[k], rel=1e-9, abs=1e-9), name
    by_id = {r["enterprise"]: r for r in inv["by_enterprise"]}
    assert sorted(net.x) == pytest.approx(sorted(r["net_kgco2e"] / 1000 for r in by_id.values()))


def test_waterfall_steps_reach_the_total(mini):
    inv = park_inventory(mini, "P1")
    w = park_waterfall_figure(inv, "zh").data[0]
    steps = [y for y, m in zip(w.y, w.measure, strict=True) if m == "relative"]
    assert sum(steps) == pytest.approx(w.y[-1]) and w.y[-1] == pytest.approx(inv["net_kgco2e"] / 1000)
    assert w.x[-1] == "净排放"


def test_symbiosis_lines_mark_the_assignment():
    sym = {
        "matches": [
            {
                "residual": "R1",
                "need": "N1",
                "supplier": "A",
                "taker": "B",
                "material": "slag",
                "assigned_quantity": 5,
                "assigned_kgco2e": 5000.0,
                "potential_kgco2e": 8000.0,
            },
            {
                "residual": "R2",
                "need": "N1",
                "supplier": "C",
                "taker": "B",
                "material": "slag",
                "assigned_quantity": 0,
                "assigned_kgco2e": 0.0,
                "potential_kgco2e": 2000.0,
            },
        ]
    }
    places = {"A": ("A", 31.0, 120.0), "B": ("B", 31.1, 120.1), "C": ("C", 31.2, 120.0)}
    fig = symbiosis_figure(sym, places, "en")
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    chosen = [t for t in lines if t.line.dash == "solid"]
    assert len(lines) == 2 and len(chosen) == 1
    assert chosen[0].x[0] == 120.0 and chosen[0].y[-1] == 31.1
    assert 0 < chosen[0].marker.angle[1] < 90  # A → B heads north-east
    assert chosen[0].line.width > next(t for t in lines if t.line.dash == "dash").line.width
    ratio = fig.layout.yaxis.scaleratio
    assert ratio == pytest.approx(1 / math.cos(math.radians(31.1)))  # lon/lat drawn to scale


def test_scenario_panels_title_the_change():
    report = {"parks": {"P1": {"net_kgco2e": {"before": 2000.0, "after": 1500.0, "delta": -500.0}}}, "enterprises": {}}
    fig = scenario_figure(report, {}, "en")
    assert [b.y[0] for b in fig.data] == [2.0, 1.5]
    assert "<b>-0.5</b>" in fig.layout.annotations[0].text  # tCO2e, not rounded away
    assert "(-25.0%)" in fig.layout.annotations[0].text
