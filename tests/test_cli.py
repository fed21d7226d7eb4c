"""The command line: demo, import errors as a table with exit code 2, JSON outputs."""

from __future__ import annotations

import json
import re
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


EXPONENT = re.compile(r"\d[eE][+-]?\d")
NEGATIVE_ZERO = re.compile(r"(?<![\w.,])-0(?:\.0+)?(?![\w.,])")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]


def test_members_table_shows_every_term_of_the_net(demo_store, monkeypatch):
    """Each member row: scope 1 + scope 2 market + scope 3 up + scope 3 down − removals = net,
    as displayed (whole tonnes, so within 3 t of rounding); E09's net is almost all downstream."""
    from tanlian.cli.console import console as out_console

    monkeypatch.setattr(out_console, "width", 250)
    url, _ = demo_store
    r = runner.invoke(app, ["park", "P1", "--store", url])
    assert r.exit_code == 0, r.output
    head = next(ln for ln in r.output.splitlines() if "scope 3 down" in ln and ln.startswith("┃"))
    assert _cells(head) == [
        "enterprise",
        "scope 1",
        "scope 2 market",
        "scope 3 up",
        "scope 3 down",
        "removals",
        "net",
        "share",
    ]
    rows = [_cells(ln) for ln in r.output.splitlines() if re.match(r"│ E\d\d ", ln)]
    assert len(rows) == 12
    for row in rows:
        s1, s2, up, down, rem, net = (float(c.replace(",", "")) for c in row[1:7])
        assert abs(s1 + s2 + up + down - rem - net) <= 3, row
    e09 = next(r for r in rows if r[0].startswith("E09"))
    assert float(e09[4].replace(",", "")) > 0.9 * float(e09[6].replace(",", ""))


@pytest.mark.parametrize(
    "args",
    [
        ["park", "P1"],
        ["scope", "E09"],
        ["footprint", "E02_REBAR"],
        ["edges", "--enterprise", "E02"],
        ["hotspots", "--enterprise", "E09"],
        ["symbiosis", "P1"],
    ],
)
def test_tables_show_no_exponent_and_no_negative_zero(demo_store, args):
    url, _ = demo_store
    r = runner.invoke(app, [*args, "--store", url])
    assert r.exit_code == 0, r.output
    assert not EXPONENT.search(r.output), EXPONENT.search(r.output)
    assert not NEGATIVE_ZERO.search(r.output)
    assert "True" not in r.output and "False" not in r.output


def test_report_csv_has_a_bom_and_markdown_shows_the_net_terms(demo_store, tmp_path):
    url, demo = demo_store
    r = runner.invoke(app, ["report", "P1", "--store", url, "--out", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    for name in ("members", "indicators", "scope3_lines", "products"):
        assert (tmp_path / "rep" / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf"), name
    members = pd.read_csv(tmp_path / "rep" / "members.csv", encoding="utf-8-sig")
    park = next(p for p in demo["parks"] if p["park"] == "P1")
    assert members["net_kgco2e"].tolist() == [m["net_kgco2e"] for m in park["by_enterprise"]]  # raw floats
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "| enterprise | scope 1 | scope 2 market | scope 3 up | scope 3 down | removals | net | share |" in md
    assert not EXPONENT.search(md) and not NEGATIVE_ZERO.search(md)
    assert "| True |" not in md and "| False |" not in md


def test_export_writes_a_bom_and_reimports(demo_store, tmp_path):
    url, _ = demo_store
    assert runner.invoke(app, ["export", str(tmp_path / "out"), "--store", url]).exit_code == 0
    assert (tmp_path / "out" / "enterprises.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    g = load_bundle(tmp_path / "out").graph
    assert g.records() == load_bundle(demo_park_path()).graph.records()


def test_json_array_in_chunks_is_the_same_bytes_as_one_json(capsys):
    from tanlian.cli.console import print_json, print_json_array

    rows = [{"flow": f"f{i}", "quantity": i / 3, "unit": "t", "nested": {"a": [1, 2]}} for i in range(7)]
    print_json(rows)
    whole = capsys.readouterr().out
    print_json_array([rows[:3], [], rows[3:5], rows[5:]])
    assert capsys.readouterr().out == whole
    print_json_array([[], []])
    assert capsys.readouterr().out == "[]\n"
