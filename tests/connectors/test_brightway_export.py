"""A park exported to Brightway, recomputed by bw2calc, equals Tanlian's results (float64 from the
exchanges as stored: 1e-9; through bw2data's float32 arrays: ``BW_RTOL``); the export never
overwrites a database it did not write and carries factor uncertainty."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from bw_background import BW_RTOL, MINI, PROJECT, bundle_with, runner

from tanlian.cli import app
from tanlian.connectors.brightway_export import export_to_brightway
from tanlian.connectors.bundle import import_bundle, load_bundle
from tanlian.graph.embedded import EmbeddedStore
from tanlian.lca.core.result import solve_graph
from tanlian.seed_data.library import demo_park_path


def float64_scores(bd, database: str, method: tuple, products: list[str]) -> np.ndarray:
    """bw2calc scores of ``products`` from the exported exchanges as stored (float64), not float32 arrays."""
    import bw2calc as bc
    import bw_processing as bwp

    nodes = list(bd.Database(database))
    tech = {n.id: i for i, n in enumerate(nodes)}
    bio = {n.id: i for i, n in enumerate(bd.Database(f"{database}_biosphere"))}
    t_rows, t_cols, t_vals, t_flip, b_rows, b_cols, b_vals = [], [], [], [], [], [], []
    for n in nodes:
        for e in n.exchanges():
            if e["type"] == "biosphere":
                b_rows.append(bio[e.input.id] + len(tech)), b_cols.append(tech[n.id]), b_vals.append(e["amount"])
            else:
                t_rows.append(tech[e.input.id]), t_cols.append(tech[n.id]), t_vals.append(e["amount"])
                t_flip.append(e["type"] == "technosphere")
    cfs = [
        (bio[bd.get_node(database=k[0], code=k[1]).id if isinstance(k, tuple) else k] + len(tech), v)
        for k, v in bd.Method(method).load()
    ]

    def idx(rows, cols):
        out = np.empty(len(rows), dtype=bwp.INDICES_DTYPE)
        out["row"], out["col"] = rows, cols
        return out

    dp = bwp.create_datapackage(sequential=True)
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="t",
        indices_array=idx(t_rows, t_cols),
        data_array=np.array(t_vals, dtype=float),
        flip_array=np.array(t_flip, dtype=bool),
    )
    dp.add_persistent_vector(
        matrix="biosphere_matrix", name="b", indices_array=idx(b_rows, b_cols), data_array=np.array(b_vals, dtype=float)
    )
    ids = [r for r, _ in cfs]
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="c",
        indices_array=idx(ids, ids),
        data_array=np.array([v for _, v in cfs], dtype=float),
    )
    code = {n["code"]: tech[n.id] for n in nodes}
    lca = bc.LCA({code[products[0]]: 1.0}, data_objs=[dp])
    lca.lci()
    lca.lcia()
    scores = []
    for p in products:
        lca.redo_lcia({code[p]: 1.0})
        scores.append(lca.score)
    return np.array(scores)


def compare_export(graph, bd, database: str, scope2: str) -> None:
    import bw2calc as bc

    s = export_to_brightway(graph, PROJECT, database, scope2)
    assert s.products == len(graph.products)
    for gwp in ("AR6", "AR5"):
        ours = solve_graph(graph, gwp, scope2)
        method = (f"Tanlian {database}", "GWP100", gwp)
        exact = float64_scores(bd, database, method, ours.system.products)
        np.testing.assert_allclose(exact, ours.intensity, rtol=1e-9, atol=1e-9)
        demands = {p: {bd.get_node(database=database, code=p).id: 1.0} for p in ours.system.products}
        config = {"impact_categories": [method]}
        lca = bc.MultiLCA(demands, config, bd.get_multilca_data_objs(demands, config))
        lca.lci()
        lca.lcia()
        theirs = np.array([lca.scores[(method, p)] for p in ours.system.products])
        np.testing.assert_allclose(theirs, ours.intensity, rtol=BW_RTOL, atol=1e-6)


def test_exported_mini_park_recomputed_by_bw2calc_matches_tanlian(bw):
    g = load_bundle(MINI).graph  # a loop (A1 → B → B1 → A), fuel gases, grid power with green MWh, transport
    compare_export(g, bw, "tanlian_P1", "market")
    compare_export(g, bw, "tanlian_P1_location", "location")
    node = bw.get_node(database="tanlian_P1", code="B1")
    inputs = {e.input["code"]: e.amount for e in node.technosphere()}
    assert inputs["A1"] == pytest.approx(40 / 40, rel=1e-12)  # B's only output: 40 t A1 per 40 t B1
    a1 = {e.input["code"]: e.amount for e in bw.get_node(database="tanlian_P1", code="A1").technosphere()}
    share = 100 * 4000 / (100 * 4000 + 50 * 100)  # economic allocation of A's inputs to A1
    assert a1["B1"] == pytest.approx(2 * share / 100, rel=1e-12)


def test_exported_demo_park_recomputed_by_bw2calc_matches_tanlian(bw):
    compare_export(load_bundle(demo_park_path()).graph, bw, "tanlian_demo", "market")


def test_export_never_overwrites_a_database_it_did_not_write(bw, tmp_path):
    with pytest.raises(Exception, match="not written by Tanlian"):
        export_to_brightway(load_bundle(MINI).graph, PROJECT, "bg")


def test_cli_export_writes_the_database(bw, tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    import_bundle(EmbeddedStore(tmp_path / "t.db"), MINI)
    r = runner.invoke(app, ["brightway", "export", "--project", PROJECT, "--store", url, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["database"] == "tanlian_P1"
    assert "tanlian_P1" in bw.databases and len(bw.Database("tanlian_P1")) > 3


def test_export_carries_a_factor_uncertainty_on_its_activity(bw, tmp_path):
    b = bundle_with(tmp_path)
    factors = pd.read_csv(b / "factors.csv", dtype=str, keep_default_na=False)
    factors.loc[factors["id"] == "ore_test", ["uncertainty_type", "uncertainty"]] = ["lognormal", "1.3"]
    factors.fillna("").to_csv(b / "factors.csv", index=False)
    export_to_brightway(load_bundle(b).graph, PROJECT, "tanlian_unc")
    (e,) = bw.get_node(database="tanlian_unc", code="factor:ore_test").biosphere()
    assert e["uncertainty type"] == 2 and e["amount"] == pytest.approx(100.0)
    assert (e["loc"], e["scale"]) == pytest.approx((math.log(100.0), math.log(1.3)))
