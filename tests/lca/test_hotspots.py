"""Hotspots: every breakdown closes on the total; paths and tiers against hand-solved chains."""

from __future__ import annotations

import pytest

from tanlian.api.schemas.footprints import footprint_body
from tanlian.lca.analysis.hotspots import enterprise_hotspots, product_hotspots, supply_solver
from tanlian.lca.core.result import solve_graph

from .builders import chain_graph, loop_graph, random_graph
from .builders_hotspots import mixed_graph

REL = 1e-9
GRAPHS = {
    "chain": chain_graph,
    "loop": loop_graph,
    "mixed": mixed_graph,
    "random60_s1": lambda: random_graph(60, seed=1),
    "random60_s7": lambda: random_graph(60, seed=7),
}
BREAKDOWNS = ("by_supplier", "by_product", "by_edge", "by_gas", "by_tier")


@pytest.fixture(scope="module", params=sorted(GRAPHS))
def solved(request):
    return solve_graph(GRAPHS[request.param]())


def assert_closes(h, keys=BREAKDOWNS):
    for key in keys:
        parts = getattr(h, key)
        assert sum(parts.values()) == pytest.approx(h.total_kgco2e, rel=REL, abs=1e-9), key
    for p in h.paths:
        assert p.kgco2e <= h.total_kgco2e * (1 + 1e-12)
    values = [p.kgco2e for p in h.paths]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize("tier1_only", [False, True])
def test_product_breakdowns_close(solved, tier1_only):
    for pid in solved.system.products:
        h = product_hotspots(solved, pid, top=20, max_tier=3, tier1_only=tier1_only)
        assert h.total_kgco2e == pytest.approx(footprint_body(solved, pid)["kgco2e_per_unit"], rel=1e-15)
        assert_closes(h)


@pytest.mark.parametrize("tier1_only", [False, True])
def test_enterprise_breakdowns_close(solved, tier1_only):
    for e in solved.graph.enterprises:
        h = enterprise_hotspots(solved, e, top=20, max_tier=3, tier1_only=tier1_only)
        assert_closes(h, (*BREAKDOWNS, "by_category"))


def test_chain_paths_by_hand():
    """z needs 3 t y1 and 0.5 t y2 per piece; y1 = 0.6 × 8 t x / 100 t = 0.048 t x per t, y2 0.064.

    Paths (kgCO2e per piece): z→y1→x 3 × 0.048 × 1000 = 144; z→y1 3 × 16.74 = 50.22
    (y1's own CH4 0.6 × 2790 / 100); z→y2→x 0.5 × 0.064 × 1000 = 32; z own 500 / 20 = 25;
    z→y2 0.5 × 22.32 = 11.16. They sum to 262.38 (acyclic: all paths).
    """
    r = solve_graph(chain_graph())
    h = product_hotspots(r, "z", top=10)
    got = [(p.nodes, p.kgco2e) for p in h.paths]
    want = [
        (("z", "y1", "x"), 144.0),
        (("z", "y1"), 50.22),
        (("z", "y2", "x"), 32.0),
        (("z",), 25.0),
        (("z", "y2"), 11.16),
    ]
    assert [n for n, _ in got] == [n for n, _ in want]
    for (_, v), (_, w) in zip(got, want, strict=True):
        assert v == pytest.approx(w, rel=1e-12)
    assert sum(v for _, v in got) == pytest.approx(262.38, rel=1e-12)
    assert h.paths[0].share == pytest.approx(144 / 262.38, rel=1e-12)
    assert h.paths[0].enterprises == ("Z", "Y", "X")
    assert h.by_tier == pytest.approx({"0": 25.0, "1": 61.38, "2": 176.0}, rel=1e-12)
    assert h.by_supplier == pytest.approx({"X": 176.0, "Y": 61.38, "Z": 25.0}, rel=1e-12)
    assert h.by_edge == pytest.approx({"y1|Z|1": 3 * 64.74, "y2|Z|1": 0.5 * 86.32, "Z|process|CO2": 25.0}, rel=1e-12)
    assert [p.nodes for p in product_hotspots(r, "z", top=2).paths] == [("z", "y1", "x"), ("z", "y1")]


def test_loop_paths_unrolled_and_tier_rest():
    """y_A = 12 = 10 (own) + A→B 0.2 × 4 + A→B→A 0.2 × 0.5 × 10 + …; tiers 10, 0.8, 1, 0.08, ….

    With 3 tiers kept the rest is 12 − 11.8 = 0.2 and the sum still closes.
    """
    r = solve_graph(loop_graph())
    h = product_hotspots(r, "A", top=4, max_tier=3)
    assert [p.nodes for p in h.paths] == [("A",), ("A", "B", "A"), ("A", "B"), ("A", "B", "A", "B", "A")]
    assert [p.kgco2e for p in h.paths] == pytest.approx([10.0, 1.0, 0.8, 0.1], rel=1e-12)
    assert h.by_tier == pytest.approx({"0": 10.0, "1": 0.8, "2": 1.0, "≥3": 0.2}, rel=1e-9)
    assert h.by_product == pytest.approx({"A": 10 / 0.9, "B": 0.8 / 0.9}, rel=1e-12)


def test_path_cutoff_and_depth():
    r = solve_graph(loop_graph())
    deep = product_hotspots(r, "A", top=100, cutoff_rel=0.0, max_depth=12).paths
    assert max(len(p.nodes) for p in deep) == 13
    assert all(p.kgco2e >= 12 * 1e-4 for p in product_hotspots(r, "A", top=100).paths)


def test_enterprise_energy_and_factor_lines():
    """BUY: 10 t steel (1311/t) + 200 t·km road (0.1) + 5 MWh power, Category 3 = 5 × (502 − 500) + 1 t ore.

    Steel's own burden 1311 − 0.5 × 502 = 1060/t → STL 10 600; PWR 10 × 0.5 × 502 + 10 = 2520.
    """
    r = solve_graph(mixed_graph())
    h = enterprise_hotspots(r, "BUY")
    assert h.total_kgco2e == pytest.approx(13_340.0, rel=1e-12)
    assert h.by_category == pytest.approx({"1": 13_130.0, "3": 10.0, "4": 200.0}, rel=1e-12)
    assert h.by_supplier == pytest.approx(
        {"STL": 10_600.0, "PWR": 2520.0, "factor:transport_road": 200.0, "factor:ore": 20.0}, rel=1e-12
    )
    assert h.by_tier == pytest.approx({"1": 10_830.0, "2": 2510.0}, rel=1e-12)
    assert h.by_edge["steel|BUY|1"] == pytest.approx(13_310.0, rel=1e-12)


def test_tier1_only_hides_deeper_suppliers():
    r = solve_graph(chain_graph())
    h = product_hotspots(r, "z", tier1_only=True)
    assert set(h.by_supplier) == {"Z", "Y"}
    assert h.by_supplier["Y"] == pytest.approx(262.38 - 25.0, rel=1e-12)
    assert "x" not in h.by_product and all(len(p.nodes) <= 2 for p in h.paths)
    assert h.by_tier == pytest.approx({"0": 25.0, "1": 237.38}, rel=1e-12)
    e = enterprise_hotspots(r, "Z", tier1_only=True)
    assert set(e.by_supplier) == {"Y"} and set(e.by_product) == {"y1", "y2"}
    assert all("X" not in p.enterprises and p.aggregated for p in e.paths)
    rec = e.record()
    assert "x" not in str(rec["paths"]) and "X" not in str(rec["by_supplier"])


@pytest.mark.parametrize("with_lu", [False, True])
def test_supply_solver(with_lu):
    """x solves (I − M) x = d, by the series or by the transposed solve of the result's LU."""
    import numpy as np

    r = solve_graph(random_graph(30, seed=3))
    if with_lu:
        r.solver  # noqa: B018 - computes the factorisation
    d = np.random.default_rng(0).random(len(r.system.products))
    x = supply_solver(r)(d)
    assert np.abs((np.eye(len(d)) - r.system.M.toarray()) @ x - d).max() < 1e-10
