"""The result's edge columns and per-result memo."""

from __future__ import annotations

import numpy as np
import pytest

from tanlian.lca.core.result import solve_graph

from .builders import chain_graph, flow, random_graph


def test_edge_columns_on_the_hand_solved_chain():
    g = chain_graph()
    extra = flow("factor:fuel", "Z", 2)  # 2 t of fuel at 2000 kgCO2e/t
    g.flows[extra.id] = extra
    t = solve_graph(g).edges
    assert t.flow == sorted(g.flows)
    x_to_y = next(f.id for f in g.flows.values() if f.source == "x")
    k = t.position[x_to_y]
    # x: 5 t fuel × 2000 kgCO2/t over 10 t = 1000 kgCO2e/t; 8000 kg = 8 t flows to Y
    assert (t.quantity[k], t.unit[k], t.source[k], t.to[k]) == (pytest.approx(8.0), "t", "x", "Y")
    assert t.embodied_kgco2e[k] == pytest.approx(8000.0, rel=1e-12)
    k = t.position[extra.id]
    assert t.embodied_kgco2e[k] == pytest.approx(4000.0, rel=1e-12)


def test_edge_columns_match_a_dense_solve():
    r = solve_graph(random_graph(40, seed=3))
    s = r.system
    y = np.linalg.solve(np.eye(len(s.products)) - s.M.toarray().T, s.b.sum(axis=1))
    t = r.edges
    rows = [t.position[fid] for fid in t.flow]
    expected = [t.quantity[k] * y[s.index[t.source[k]]] for k in rows]
    np.testing.assert_allclose(t.embodied_kgco2e[rows], expected, rtol=1e-9)
    assert t.rows_of(t.flow[::-1]).tolist() == list(range(len(t.flow)))[::-1]


def test_memo_builds_once_per_result():
    r1, r2 = solve_graph(chain_graph()), solve_graph(chain_graph())
    calls = []

    def build():
        calls.append(1)
        return object()

    a = r1.memo.get("k", build)
    assert r1.memo.get("k", build) is a
    assert r2.memo.get("k", build) is not a
    assert len(calls) == 2
