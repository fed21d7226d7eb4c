"""The lazily built graph of a snapshot, and the warm-up solve of a fresh process."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np

from tanlian.connectors.bundle import load_bundle
from tanlian.graph.snapshot import frozen
from tanlian.graph.table_import import graph_tables
from tanlian.lca.core.gate import gate_matrix, makers_and_energy
from tanlian.lca.core.lazy_graph import LazyGraph
from tanlian.lca.core.result import solve_graph, solve_tables
from tanlian.lca.core.warm import warm_graph, warm_up
from tanlian.seed_data.library import demo_park_path

from .builders import random_graph


def snapshot(graph):
    return frozen(7, 2022, graph_tables(graph))


def test_lazy_graph_equals_the_full_object_snapshot():
    snap = snapshot(random_graph(30, seed=3))
    lazy, full = LazyGraph(snap), snap.to_graph()
    assert lazy.built() == []
    assert lazy == full and full == lazy
    for etype_file in ("parks", "enterprises", "products", "activities", "flows", "factors"):
        assert list(getattr(lazy, etype_file)) == list(getattr(full, etype_file))
    assert lazy.maker(next(iter(full.products))) == full.maker(next(iter(full.products)))
    assert lazy.year == full.year


def test_a_footprint_builds_products_and_enterprises_only():
    snap = snapshot(random_graph(30, seed=4))
    result = solve_tables(snap)
    pid = result.system.products[0]
    _ = result.graph.products[pid], result.graph.enterprises, result.direct[0]
    assert "flows" not in result.graph.built() and "activities" not in result.graph.built()
    assert result.graph.products[pid] == snap.to_graph().products[pid]


def test_tables_are_built_once_under_concurrent_first_access():
    lazy = LazyGraph(snapshot(random_graph(30, seed=5)))
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(id(lazy.flows))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 1 and lazy.built() == ["flows"]


def test_an_assigned_table_replaces_the_built_one():
    lazy = LazyGraph(snapshot(random_graph(10, seed=6)))
    lazy.flows = {}
    assert lazy.flows == {} and lazy.built() == ["flows"]


def test_warm_up_solves_as_the_object_path_once_per_process():
    first = warm_up()
    if first is not None:  # None: another test already warmed this process
        expected = solve_graph(warm_graph())
        np.testing.assert_allclose(first.intensity, expected.intensity, rtol=1e-12)
        assert first.system.uncertain == ["natural_gas"] and (first.intensity > 0).all()
    assert warm_up() is None


def test_gate_matrix_from_columns_equals_the_entity_path():
    """The demo park (steam, electricity and in-house inputs): M_D and the direct intensities
    from the system's product table equal those from the graph's Product entities."""
    graph = load_bundle(demo_park_path()).graph
    result = solve_tables(snapshot(graph))
    system = result.system
    assert system.tables is not None
    maker, energy = makers_and_energy(system, graph)
    no_tables = replace(system, tables=None)
    maker_obj, energy_obj = makers_and_energy(no_tables, graph)
    assert energy.any() and (energy == energy_obj).all()
    assert ((maker[:, None] == maker[None, :]) == (maker_obj[:, None] == maker_obj[None, :])).all()
    assert gate_matrix(system, graph).nnz > 0
    assert (gate_matrix(system, graph) != gate_matrix(no_tables, graph)).nnz == 0
    np.testing.assert_allclose(result.direct, solve_graph(graph).direct, rtol=1e-12)
