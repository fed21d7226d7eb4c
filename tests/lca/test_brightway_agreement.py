"""Every intensity equals bw2calc's score on the same datapackage (1e-9 relative)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tanlian.lca.core.datapackage import to_datapackage
from tanlian.lca.core.result import solve_graph
from tanlian.lca.core.solve import loop_components

from .builders import chain_graph, loop_graph, random_graph

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import bw2calc as bc

RTOL, ATOL = 1e-9, 1e-9


def bw_scores(result) -> np.ndarray:
    """One bw2calc LCA per product: demand 1 unit, score = C B A⁻¹ f (kgCO2e)."""
    dp = to_datapackage(result.system)
    lca = bc.LCA(demand={0: 1}, data_objs=[dp])
    lca.lci()
    lca.lcia()
    scores = []
    for j in range(len(result.system.products)):
        lca.redo_lcia({j: 1})
        scores.append(lca.score)
    return np.array(scores)


def assert_agrees(result) -> None:
    ours = result.intensity
    theirs = bw_scores(result)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("make", [loop_graph, chain_graph])
def test_hand_graphs_agree_with_bw2calc(make):
    assert_agrees(solve_graph(make()))


@pytest.mark.parametrize("seed", range(6))
def test_random_graphs_with_loops_agree_with_bw2calc(seed):
    g = random_graph(60, seed)
    r = solve_graph(g)
    assert loop_components(r.system.M), "the random graph should contain supply loops"
    assert_agrees(r)


def test_by_gas_agrees_with_bw2calc_per_gas():
    r = solve_graph(random_graph(40, 11))
    dp = to_datapackage(r.system)
    lca = bc.LCA(demand={0: 1}, data_objs=[dp])
    lca.lci()
    lca.lcia()
    for j in range(len(r.system.products)):
        lca.redo_lcia({j: 1})
        per_gas = np.asarray(lca.characterized_inventory.sum(axis=1)).ravel()
        gas_rows = [lca.dicts.biosphere[10_000_000 + g] for g in range(len(r.system.gases))]
        np.testing.assert_allclose(r.Y[j], per_gas[gas_rows], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("scope2", ["market", "location"])
def test_demo_park_agrees_with_bw2calc(scope2):
    from tanlian.connectors.bundle import load_bundle
    from tanlian.seed_data.library import demo_park_path

    assert_agrees(solve_graph(load_bundle(demo_park_path()).graph, scope2=scope2))
