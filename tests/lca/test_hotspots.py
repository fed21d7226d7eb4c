"""Hotspots: breakdowns against a dense numpy solve; paths and tiers against hand-solved chains."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from tanlian.lca.analysis.hotspots import enterprise_hotspots, product_hotspots, supply_solver
from tanlian.lca.core.result import solve_graph

from .builders import chain_graph, loop_graph, random_graph
from .builders_hotspots import mixed_graph
from .dense import dense_direct, dense_intensities, dense_supply, dense_tiers

REL = 1e-9
GRAPHS = {
    "chain": chain_graph,
    "loop": loop_graph,
    "mixed": mixed_graph,
    "random60_s1": lambda: random_graph(60, seed=1),
    "random60_s7": lambda: random_graph(60, seed=7),
}


@pytest.fixture(scope="module", params=sorted(GRAPHS))
def solved(request):
    return solve_graph(GRAPHS[request.param]())


def assert_same(got: dict[str, float], want: dict[str, float], scale: float, what: str) -> None:
    """Every key of either dict agrees (missing = 0) within 1e-9 of ``scale``."""
    for k in set(got) | set(want):
        assert got.get(k, 0.0) == pytest.approx(want.get(k, 0.0), abs=1e-9 * abs(scale) + 1e-12), (what, k)


def grouped(keys, values) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for k, v in zip(keys, values, strict=True):
        out[k] += float(v)
    return dict(out)


def assert_paths_ranked(h):
    for p in h.paths:
        assert p.kgco2e <= h.total_kgco2e * (1 + 1e-12)
    values = [p.kgco2e for p in h.paths]
    assert values == sorted(values, reverse=True)


def test_product_breakdowns_against_a_dense_solve(solved):
    """Each breakdown key by key against numpy: y = (I − Mᵀ)⁻¹ b, x = (I − M)⁻¹ e_j, tiers b·Mᵏ e_j."""
    r, s = solved, solved.system
    Y, b = dense_intensities(r), s.b.sum(axis=1)
    makers = [r.graph.products[p].enterprise for p in s.products]
    for j, pid in enumerate(s.products):
        y = float(Y[j].sum())
        h = product_hotspots(r, pid, top=20, max_tier=3)
        assert h.total_kgco2e == pytest.approx(y, rel=1e-9, abs=1e-12)
        e = np.zeros(len(s.products))
        e[j] = 1.0
        contrib = dense_supply(r, e) * b
        assert_same(h.by_product, dict(zip(s.products, contrib, strict=True)), y, "by_product")
        assert_same(h.by_supplier, grouped(makers, contrib), y, "by_supplier")
        assert_same(h.by_gas, dict(zip(s.gases, Y[j], strict=True)), y, "by_gas")
        *tiers, rest = dense_tiers(r, e, 3)
        assert_same(h.by_tier, {**{str(k): t for k, t in enumerate(tiers)}, "≥3": rest}, y, "by_tier")
        assert sum(h.by_edge.values()) == pytest.approx(y, rel=1e-9, abs=1e-12)
        assert_paths_ranked(h)


def test_product_tier1_view_against_a_dense_solve(solved):
    """Tier-1 view: each direct input i of j carries M[i, j] · y_i, j itself b_j (+ its own loop)."""
    r, s = solved, solved.system
    Y, b, M = dense_intensities(r), s.b.sum(axis=1), s.M.toarray()
    y_all = Y.sum(axis=1)
    makers = [r.graph.products[p].enterprise for p in s.products]
    for j, pid in enumerate(s.products):
        h = product_hotspots(r, pid, top=20, max_tier=3, tier1_only=True)
        contrib = M[:, j] * y_all
        contrib[j] += b[j]
        assert_same(h.by_product, dict(zip(s.products, contrib, strict=True)), y_all[j], "by_product")
        assert_same(h.by_supplier, grouped(makers, contrib), y_all[j], "by_supplier")
        assert_same(h.by_tier, {"0": b[j], "1": float(M[:, j] @ y_all)}, y_all[j], "by_tier")
        assert_paths_ranked(h)


def dense_scope3_upstream(r, enterprise: str) -> tuple[dict[str, float], dict[str, float]]:
    """(by category, by tier-1 supplier or factor) of an enterprise's upstream Scope 3, rebuilt from
    the graph: inputs from other makers at the dense intensity (less the dense direct of Scope-2
    energy), own Scope 3 lines of categories 1–8 at their kgCO2e."""
    y, d = dense_intensities(r).sum(axis=1), dense_direct(r)
    g, s = r.graph, r.system
    by_cat: dict[str, float] = defaultdict(float)
    by_sup: dict[str, float] = defaultdict(float)
    for f in g.flows.values():
        p = g.products.get(f.source)
        if f.to != enterprise or p is None or p.enterprise == enterprise:
            continue
        i = s.index[p.id]
        kg = r.edge_quantity(f.id)[0] * (y[i] - (d[i] if p.scope2_energy else 0.0))
        by_cat["3" if p.scope2_energy else str(f.category or (2 if f.capital else 1))] += kg
        by_sup[p.enterprise] += kg
    for ln in s.lines:
        if ln.enterprise == enterprise and ln.scope == 3 and 1 <= ln.category <= 8:
            kg = ln.kg * r.book.gwp_of(ln.gas)
            by_cat[str(ln.category)] += kg
            by_sup[ln.counterpart if ln.counterpart.startswith("factor:") else f"factor:{ln.counterpart}"] += kg
    return dict(by_cat), dict(by_sup)


@pytest.mark.parametrize("tier1_only", [False, True])
def test_enterprise_breakdowns_against_a_dense_solve(solved, tier1_only):
    """Totals and categories against the rebuilt account; every breakdown sums to that total, and
    the tier-1 view's suppliers agree key by key."""
    for e in solved.graph.enterprises:
        by_cat, by_sup = dense_scope3_upstream(solved, e)
        total = sum(by_cat.values())
        h = enterprise_hotspots(solved, e, top=20, max_tier=3, tier1_only=tier1_only)
        assert h.total_kgco2e == pytest.approx(total, rel=1e-9, abs=1e-9)
        assert_same(h.by_category, by_cat, total, "by_category")
        for key in ("by_supplier", "by_product", "by_edge", "by_gas", "by_tier"):
            assert sum(getattr(h, key).values()) == pytest.approx(total, rel=1e-9, abs=1e-9), key
        if tier1_only:
            assert_same(h.by_supplier, by_sup, total, "by_supplier")
        assert_paths_ranked(h)


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
