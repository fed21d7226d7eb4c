"""Brightway both ways, offline: a project the test writes (own biosphere, a loop, IPCC methods).

Background ``bg`` (hand-solved, AR6 CH4 = 27.9, AR5 = 28):
  steel: 2 kg per run, needs 1 kWh power and emits 3 kg CO2 → s = (3 + p) / 2
  power: 1 kWh, needs 0.1 kg steel, emits 0.5 kg CO2 + 0.01 kg CH4 → p = 0.5 + 0.01·GWP + 0.1 s
  ⇒ s = (3.5 + 0.01·GWP) / 1.9 kgCO2e/kg, p = 0.5 + 0.01·GWP + 0.1 s kgCO2e/kWh.
  freight: 1 t·km, emits 0.1 kg CO2 (lognormal, GSD 1.2) → 0.1 kgCO2e/t·km.
  slag landfill: production −1 kg (waste treatment), emits 0.02 kg CO2 → 0.02 per kg treated.

bw2data stores processed exchange amounts and characterisation factors as float32, so anything
computed through a project's processed arrays agrees with float64 hand values to about 1e-7
(``BW_RTOL``). The exported park is also recomputed by bw2calc from the exchanges as stored
(float64) to 1e-9.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tanlian.api.schemas.footprints import edges_of
from tanlian.cli import app
from tanlian.connectors.brightway import resolve_links
from tanlian.connectors.brightway_export import export_to_brightway
from tanlian.connectors.brightway_project import BrightwayProject
from tanlian.connectors.bundle import import_bundle, load_bundle
from tanlian.connectors.tables import read_tables
from tanlian.errors import ValidationFailed
from tanlian.graph.embedded import EmbeddedStore
from tanlian.lca.core.result import solve_graph
from tanlian.seed_data.library import demo_park_path

MINI = Path(__file__).parents[1] / "data" / "mini"
PROJECT = "tanlian-test"
AR6 = ("IPCC 2021", "climate change", "global warming potential (GWP100)")
AR5 = ("IPCC 2013", "climate change", "GWP 100a")
BW_RTOL = 1e-6  # float32 processed arrays (see the module docstring)
runner = CliRunner()


def steel(gwp_ch4: float) -> float:
    return (3.5 + 0.01 * gwp_ch4) / 1.9


def power(gwp_ch4: float) -> float:
    return 0.5 + 0.01 * gwp_ch4 + 0.1 * steel(gwp_ch4)


def background(co2_of_steel: float = 3.0) -> dict:
    return {
        ("bg", "steel"): {
            "name": "steel production, converter",
            "reference product": "steel, low-alloyed",
            "unit": "kilogram",
            "location": "CN",
            "exchanges": [
                {"input": ("bg", "steel"), "amount": 2.0, "type": "production"},
                {"input": ("bg", "power"), "amount": 1.0, "type": "technosphere"},
                {"input": ("bio", "co2"), "amount": co2_of_steel, "type": "biosphere"},
            ],
        },
        ("bg", "power"): {
            "name": "electricity production, hard coal",
            "reference product": "electricity, high voltage",
            "unit": "kilowatt hour",
            "location": "CN",
            "exchanges": [
                {"input": ("bg", "power"), "amount": 1.0, "type": "production"},
                {"input": ("bg", "steel"), "amount": 0.1, "type": "technosphere"},
                {"input": ("bio", "co2"), "amount": 0.5, "type": "biosphere"},
                {"input": ("bio", "ch4"), "amount": 0.01, "type": "biosphere"},
            ],
        },
        ("bg", "freight"): {
            "name": "transport, freight, lorry",
            "reference product": "transport, freight, lorry",
            "unit": "ton kilometer",
            "location": "RoW",
            "exchanges": [
                {"input": ("bg", "freight"), "amount": 1.0, "type": "production"},
                {
                    "input": ("bio", "co2"),
                    "amount": 0.1,
                    "type": "biosphere",
                    "uncertainty type": 2,
                    "loc": math.log(0.1),
                    "scale": math.log(1.2),
                },
            ],
        },
        ("bg", "slag"): {
            "name": "treatment of slag, landfill",
            "reference product": "slag",
            "unit": "kilogram",
            "location": "GLO",
            "exchanges": [
                {"input": ("bg", "slag"), "amount": -1.0, "type": "production"},
                {"input": ("bio", "co2"), "amount": 0.02, "type": "biosphere"},
            ],
        },
    }


@pytest.fixture(scope="module")
def bw(tmp_path_factory):
    """bw2data pointed at a fresh BRIGHTWAY2_DIR (read when bw2data is imported), with the project."""
    base = tmp_path_factory.mktemp("brightway")
    mp = pytest.MonkeyPatch()
    mp.setenv("BRIGHTWAY2_DIR", str(base))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2data as bd
    if Path(bd.projects._base_data_dir) != base:  # imported earlier in this process
        bd.projects.change_base_directories(base)
    bd.projects.set_current(PROJECT)
    bd.Database("bio").write(
        {
            ("bio", "co2"): {"name": "Carbon dioxide, fossil", "unit": "kilogram", "type": "emission"},
            ("bio", "ch4"): {"name": "Methane, fossil", "unit": "kilogram", "type": "emission"},
        }
    )
    bd.Database("bg").write(background())
    for name, ch4 in ((AR6, 27.9), (AR5, 28.0)):
        m = bd.Method(name)
        m.register(unit="kg CO2-Eq")
        m.write([(("bio", "co2"), 1.0), (("bio", "ch4"), ch4)])
    other = bd.Method(("IPCC 2021", "climate change: fossil", "global warming potential (GWP100)"))
    other.register(unit="kg CO2-Eq")
    other.write([(("bio", "co2"), 1.0)])
    yield bd
    mp.undo()


def bundle_with(tmp_path: Path, flows: list[dict] | None = None, links: list[dict] | None = None) -> Path:
    """The mini bundle with extra flows (and a brightway_links table)."""
    b = shutil.copytree(MINI, tmp_path / "bundle")
    if flows:
        df = pd.read_csv(b / "flows.csv", dtype=str, keep_default_na=False)
        pd.concat([df, pd.DataFrame(flows)], ignore_index=True).fillna("").to_csv(b / "flows.csv", index=False)
    if links is not None:
        pd.DataFrame(links).to_csv(b / "brightway_links.csv", index=False)
    return b


STEEL_FLOW = {"id": "FS", "from": "factor:bw:bg:steel", "to": "B", "quantity": "2", "unit": "t"}


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


def test_cli_export_writes_the_database(bw, tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    import_bundle(EmbeddedStore(tmp_path / "t.db"), MINI)
    r = runner.invoke(app, ["brightway", "export", "--project", PROJECT, "--store", url, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["database"] == "tanlian_P1"
    assert "tanlian_P1" in bw.databases and len(bw.Database("tanlian_P1")) > 3


def test_demo_never_imports_bw2data(tmp_path):
    code = (
        "import sys; from typer.testing import CliRunner; from tanlian.cli import app;"
        f"r = CliRunner().invoke(app, ['demo', '--store', 'sqlite:///{tmp_path / 'd.db'}', '--json']);"
        "assert r.exit_code == 0, r.output; print('bw2data' in sys.modules, 'bw2io' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["False", "False"]


def test_export_carries_a_factor_uncertainty_on_its_activity(bw, tmp_path):
    b = bundle_with(tmp_path)
    factors = pd.read_csv(b / "factors.csv", dtype=str, keep_default_na=False)
    factors.loc[factors["id"] == "ore_test", ["uncertainty_type", "uncertainty"]] = ["lognormal", "1.3"]
    factors.fillna("").to_csv(b / "factors.csv", index=False)
    export_to_brightway(load_bundle(b).graph, PROJECT, "tanlian_unc")
    (e,) = bw.get_node(database="tanlian_unc", code="factor:ore_test").biosphere()
    assert e["uncertainty type"] == 2 and e["amount"] == pytest.approx(100.0)
    assert (e["loc"], e["scale"]) == pytest.approx((math.log(100.0), math.log(1.3)))


def edge(result, flow_id: str) -> dict:
    """The edge row of one flow (embodied kgCO2e)."""
    return next(e for e in edges_of(result) if e["flow"] == flow_id)
