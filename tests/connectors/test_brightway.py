"""A Brightway project as a factor source, offline: linked factors score as hand-solved
(bw_background.py), results equal those of the same plain factors, scores cached, Monte Carlo,
link errors, the CLI mapping; the demo never imports bw2data."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from bw_background import AR5, AR6, BW_RTOL, MINI, PROJECT, STEEL_FLOW, background, bundle_with, power, runner, steel

from tanlian.api.schemas.footprints import edges_of
from tanlian.cli import app
from tanlian.connectors.brightway import resolve_links
from tanlian.connectors.brightway_project import BrightwayProject
from tanlian.connectors.bundle import load_bundle
from tanlian.connectors.tables import read_tables
from tanlian.errors import ValidationFailed
from tanlian.graph.embedded import EmbeddedStore
from tanlian.lca.core.result import solve_graph


def test_linked_scores_are_the_hand_solved_values(bw, tmp_path):
    b = bundle_with(
        tmp_path,
        flows=[STEEL_FLOW, {"id": "FT", "from": "factor:bw:bg:freight", "to": "A", "quantity": "500", "unit": "t*km"}],
        links=[{"factor": "slag_landfill", "database": "bg", "code": "slag", "method": ""}],
    )
    g = load_bundle(b, brightway={"project": PROJECT}).graph
    assert g.factors["bw:bg:steel"].kgco2e == pytest.approx(steel(27.9), rel=BW_RTOL)
    assert g.factors["bw:bg:steel"].unit == "kg" and g.factors["bw:bg:steel"].gwp == "AR6"
    assert g.factors["bw:bg:freight"].kgco2e == pytest.approx(0.1, rel=BW_RTOL)
    assert g.factors["bw:bg:freight"].kind == "service"
    assert g.factors["slag_landfill"].kgco2e == pytest.approx(0.02, rel=BW_RTOL)  # per kg treated
    assert g.factors["slag_landfill"].kind == "waste"
    assert "Brightway project tanlian-test, database bg" in g.factors["bw:bg:steel"].source
    ar5 = load_bundle(b, brightway={"project": PROJECT, "gwp": "AR5"}).graph
    assert ar5.factors["bw:bg:steel"].kgco2e == pytest.approx(steel(28.0), rel=BW_RTOL)
    assert ar5.factors["bw:bg:steel"].gwp == "AR5"


def test_link_table_backs_a_library_factor_and_keeps_its_kind(bw, tmp_path):
    b = bundle_with(
        tmp_path,
        flows=[{"id": "FL", "from": "factor:steel_bof", "to": "B", "quantity": "1", "unit": "t"}],
        links=[{"factor": "steel_bof", "database": "bg", "code": "steel", "method": "|".join(AR5)}],
    )
    f = load_bundle(b, brightway={"project": PROJECT}).graph.factors["steel_bof"]
    assert f.kgco2e == pytest.approx(steel(28.0), rel=BW_RTOL) and f.unit == "kg"
    assert f.kind == "material"
    r = solve_graph(load_bundle(b, brightway={"project": PROJECT}).graph)
    assert edge(r, "FL")["embodied_kgco2e"] == pytest.approx(1000 * steel(28.0), rel=BW_RTOL)


def test_a_linked_factor_gives_the_same_results_as_the_same_plain_factor(bw, tmp_path):
    linked = load_bundle(bundle_with(tmp_path / "a", flows=[STEEL_FLOW]), brightway={"project": PROJECT}).graph
    plain_flow = {**STEEL_FLOW, "from": "factor:steel_plain"}
    b = bundle_with(tmp_path / "b", flows=[plain_flow])
    factors = pd.read_csv(b / "factors.csv", dtype=str, keep_default_na=False)
    value = linked.factors["bw:bg:steel"].kgco2e
    assert value == pytest.approx(steel(27.9), rel=BW_RTOL)
    row = {"id": "steel_plain", "unit": "kg", "kgco2e": repr(value), "kind": "material"}
    pd.concat([factors, pd.DataFrame([row])], ignore_index=True).fillna("").to_csv(b / "factors.csv", index=False)
    plain = load_bundle(b).graph
    r1, r2 = solve_graph(linked), solve_graph(plain)
    assert r1.system.products == r2.system.products
    np.testing.assert_allclose(r1.intensity, r2.intensity, rtol=1e-12, atol=0)
    assert edge(r1, "FS")["embodied_kgco2e"] == pytest.approx(2000 * value, rel=1e-12)
    without = solve_graph(load_bundle(MINI).graph)
    assert r1.intensity[r1.idx("B1")] > without.intensity[without.idx("B1")]  # the linked flow counts


def test_scores_are_cached_on_disk_and_recomputed_when_a_database_changes(bw):
    proj = BrightwayProject(PROJECT)
    key = [("bg", "power", AR6), ("bg", "steel", AR6)]
    proj.cache_file.unlink(missing_ok=True)
    first, computed = proj.scores(key)
    assert computed == 2 and first[key[0]].kgco2e == pytest.approx(power(27.9), rel=BW_RTOL)
    again, computed = BrightwayProject(PROJECT).scores(key)
    assert computed == 0 and again == first
    try:
        bw.Database("bg").write(background(co2_of_steel=5.0))
        changed, computed = BrightwayProject(PROJECT).scores(key)
        assert computed == 2
        assert changed[key[1]].kgco2e == pytest.approx((5.5 + 0.279) / 1.9, rel=BW_RTOL)
    finally:
        bw.Database("bg").write(background())


def test_monte_carlo_of_the_background_gives_a_lognormal_factor(bw, tmp_path):
    b = bundle_with(
        tmp_path, flows=[{"id": "FT", "from": "factor:bw:bg:freight", "to": "A", "quantity": "500", "unit": "t*km"}]
    )
    tables, _ = resolve_links(read_tables(b), project=PROJECT, iterations=400)
    row = tables["factors"].set_index("id").loc["bw:bg:freight"]
    assert row["uncertainty_type"] == "lognormal"
    assert float(row["uncertainty"]) == pytest.approx(1.2, rel=0.03)  # linear in one lognormal exchange
    tables, _ = resolve_links(read_tables(bundle_with(tmp_path / "x", flows=[STEEL_FLOW])), PROJECT, iterations=50)
    assert tables["factors"].set_index("id").loc["bw:bg:steel"].get("uncertainty_type", "") == ""  # none there


@pytest.mark.parametrize(
    ("link", "column", "value", "reason"),
    [
        ({"factor": "x", "database": "nope", "code": "steel"}, "database", "nope", "no database 'nope'"),
        ({"factor": "x", "database": "bg", "code": "nope"}, "code", "nope", "no activity with code 'nope'"),
        ({"factor": "x", "database": "bg", "code": "steel", "method": "a|b"}, "method", "a|b", "no LCIA method"),
        ({"factor": "ore_test", "database": "bg", "code": "steel"}, "factor", "ore_test", "both in factors.csv"),
        ({"factor": "diesel", "database": "bg", "code": "power"}, "factor", "diesel", "point of use"),
    ],
)
def test_bad_links_name_file_row_column_and_value(bw, tmp_path, link, column, value, reason):
    with pytest.raises(ValidationFailed) as exc:
        load_bundle(bundle_with(tmp_path, links=[link]), brightway={"project": PROJECT})
    (err,) = exc.value.errors
    assert (err.file, err.row, err.column, err.value) == ("brightway_links.csv", 2, column, value)
    assert reason in err.reason


def test_a_bw_flow_without_a_project_is_an_error_on_its_row(bw, tmp_path, monkeypatch):
    monkeypatch.delenv("TANLIAN_BRIGHTWAY_PROJECT", raising=False)
    with pytest.raises(ValidationFailed) as exc:
        load_bundle(bundle_with(tmp_path, flows=[STEEL_FLOW]))
    (err,) = exc.value.errors
    assert (err.file, err.row, err.column, err.value) == ("flows.csv", 6, "from", "bw:bg:steel")
    assert "--brightway-project" in err.reason


def test_cli_link_then_import_the_reviewed_mapping(bw, tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    b = bundle_with(tmp_path, flows=[{"id": "FL", "from": "factor:steel_bof", "to": "B", "quantity": "1", "unit": "t"}])
    assert runner.invoke(app, ["import", str(b), "--store", url]).exit_code == 0
    out = tmp_path / "mapping.csv"
    r = runner.invoke(app, ["brightway", "link", "--project", PROJECT, "--out", str(out), "--store", url])
    assert r.exit_code == 0, r.output
    mapping = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("factor")
    assert mapping.loc["steel_bof", "code"] == "steel"  # by name and unit (t ↔ kilogram)
    assert mapping.loc["ore_test", "code"] == "steel"  # the only mass activity that is a product
    assert float(mapping.loc["steel_bof", "kgco2e"]) == pytest.approx(steel(27.9), rel=BW_RTOL)
    mapping.drop(index="ore_test").to_csv(b / "brightway_links.csv")  # reviewed: ore_test is the bundle's own
    r = runner.invoke(app, ["import", str(b), "--store", url, "--brightway-project", PROJECT, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["added"]["factors"] == 1  # steel_bof; stdout stays JSON (bw2data logs go to stderr)
    f = EmbeddedStore(tmp_path / "t.db").snapshot().factors["steel_bof"]
    assert f.kgco2e == pytest.approx(steel(27.9), rel=BW_RTOL)


def test_demo_never_imports_bw2data(tmp_path):
    code = (
        "import sys; from typer.testing import CliRunner; from tanlian.cli import app;"
        f"r = CliRunner().invoke(app, ['demo', '--store', 'sqlite:///{tmp_path / 'd.db'}', '--json']);"
        "assert r.exit_code == 0, r.output; print('bw2data' in sys.modules, 'bw2io' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["False", "False"]


def edge(result, flow_id: str) -> dict:
    """The edge row of one flow (embodied kgCO2e)."""
    return next(e for e in edges_of(result) if e["flow"] == flow_id)
