"""The command line: demo, import errors as a table with exit code 2, JSON outputs."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tanlian.cli import app
from tanlian.connectors.bundle import load_bundle
from tanlian.lca.core.result import solve_graph
from tanlian.seed_data.library import demo_park_path

runner = CliRunner()


@pytest.fixture
def demo_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    r = runner.invoke(app, ["demo", "--store", url, "--json"])
    assert r.exit_code == 0, r.output
    return url, json.loads(r.stdout)


def test_version():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.startswith("tanlian ")


def test_demo_loads_the_park_and_reports_it(demo_store):
    _, body = demo_store
    assert body["counts"]["enterprises"] >= 15 and body["counts"]["flows"] > 50
    (park,) = body["parks"]
    assert park["net_kgco2e"] > 0 and park["intra_park_excluded_kgco2e"] > 0
    assert {i["id"] for i in park["indicators"]} >= {"carbon_per_energy", "clean_energy_share", "water_reuse"}


def test_demo_twice_changes_nothing(demo_store):
    url, first = demo_store
    r = runner.invoke(app, ["demo", "--store", url, "--json"])
    assert json.loads(r.stdout)["revision"] == first["revision"]


def test_footprint_json_keys(demo_store):
    url, _ = demo_store
    r = runner.invoke(app, ["footprint", "E02_REBAR", "--store", url, "--json", "--mc", "100"])
    assert r.exit_code == 0, r.output
    fp = json.loads(r.stdout)
    for key in (
        "product",
        "unit",
        "kgco2e_per_unit",
        "direct_kgco2e_per_unit",
        "upstream_kgco2e_per_unit",
        "by_gas",
        "gwp",
        "scope2_method",
        "p5",
        "p50",
        "p95",
    ):
        assert key in fp
    # against numpy: the demo bundle's assembled system solved densely, (I − Mᵀ) Y = b
    r = solve_graph(load_bundle(demo_park_path()).graph)
    M = r.system.M.toarray()
    Y = np.linalg.solve(np.eye(len(M)) - M.T, r.system.b)[r.idx("E02_REBAR")]
    assert fp["kgco2e_per_unit"] == pytest.approx(Y.sum(), rel=1e-9)
    want = {g: v for g, v in zip(r.system.gases, Y, strict=True) if v}
    assert fp["by_gas"] == pytest.approx(want, rel=1e-9, abs=1e-9)


def test_edges_scope_park_json(demo_store):
    url, _ = demo_store
    edges = json.loads(runner.invoke(app, ["edges", "--store", url, "--json"]).stdout)
    assert {"flow", "from", "to", "quantity", "unit", "embodied_kgco2e"} <= set(edges[0])
    scope = json.loads(runner.invoke(app, ["scope", "E05", "--store", url, "--json"]).stdout)
    assert {ln["source"] for ln in scope["lines"]} >= {
        f.id for f in load_bundle(demo_park_path()).graph.flows.values() if f.to == "E05"
    }
    loc = json.loads(runner.invoke(app, ["park", "P1", "--store", url, "--json", "--scope2", "location"]).stdout)
    assert loc["scope2_method"] == "location"


def test_unknown_subject_is_a_clean_error(demo_store):
    url, _ = demo_store
    r = runner.invoke(app, ["footprint", "NOPE", "--store", url])
    assert r.exit_code == 2 and "NOPE" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["footprint", "E02_REBAR", "--store", url, "--gwp", "AR9"])
    assert r.exit_code == 2 and "AR9" in r.output


def test_bad_bundle_prints_a_table_and_writes_nothing(tmp_path, mini_bundle):
    bundle = tmp_path / "b"
    shutil.copytree(mini_bundle, bundle)
    df = pd.read_csv(bundle / "flows.csv", dtype=str, keep_default_na=False)
    df.loc[1, "unit"] = "blorps"
    df.to_csv(bundle / "flows.csv", index=False)
    url = f"sqlite:///{tmp_path / 't.db'}"
    r = runner.invoke(app, ["import", str(bundle), "--store", url])
    assert r.exit_code == 2
    assert "flows.csv" in r.output and "blorps" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["export", str(tmp_path / "out"), "--store", url])
    assert r.exit_code == 0
    assert pd.read_csv(tmp_path / "out" / "enterprises.csv").empty


def test_report_writes_markdown_and_tables(demo_store, tmp_path):
    url, _ = demo_store
    r = runner.invoke(app, ["report", "P1", "--store", url, "--out", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "rep" / "report.md").read_text(encoding="utf-8").startswith("# ")
    members = pd.read_csv(tmp_path / "rep" / "members.csv")
    park = {e.id for e in load_bundle(demo_park_path()).graph.enterprises.values() if e.park == "P1"}
    assert set(members["enterprise"]) == park


@pytest.mark.neo4j
def test_demo_and_footprint_on_neo4j(neo4j_url):
    from tanlian.graph.neo4j import Neo4jStore

    Neo4jStore(neo4j_url).wipe()
    r = runner.invoke(app, ["demo", "--store", neo4j_url, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["counts"]["flows"] > 50
    r = runner.invoke(app, ["footprint", "E02_REBAR", "--store", neo4j_url, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["kgco2e_per_unit"] > 0
    from tanlian.seed_data.library import demo_park_path

    r = runner.invoke(app, ["import", str(demo_park_path()), "--store", "bolt://127.0.0.1:1"])
    assert r.exit_code == 2 and "unavailable" in r.output and "Traceback" not in r.output


def test_demo_never_overwrites_a_store_holding_other_data(tmp_path, mini_bundle):
    """A store with the user's own data: demo refuses (exit 2, nothing changed) unless --force."""
    from tanlian.graph.factory import open_store

    url = f"sqlite:///{tmp_path / 'mine.db'}"
    assert runner.invoke(app, ["import", str(mini_bundle), "--store", url]).exit_code == 0
    before = open_store(url).snapshot().records()
    r = runner.invoke(app, ["demo", "--store", url])
    assert r.exit_code == 2
    message = " ".join(r.output.split())
    assert "holds other data" in message and "--force" in message and "--store" in message
    assert open_store(url).snapshot().records() == before
    r = runner.invoke(app, ["demo", "--store", url, "--force", "--json"])
    assert r.exit_code == 0, r.output
    assert open_store(url).snapshot().records() == load_bundle(demo_park_path()).graph.records()


def test_demo_loads_into_an_empty_store(tmp_path, mini_bundle):
    """A store that exists but holds nothing (everything deleted) takes the demo."""
    from tanlian.graph.factory import open_store

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert runner.invoke(app, ["import", str(mini_bundle), "--store", url]).exit_code == 0
    open_store(url).wipe()
    r = runner.invoke(app, ["demo", "--store", url, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["counts"]["flows"] == len(pd.read_csv(demo_park_path() / "flows.csv"))
