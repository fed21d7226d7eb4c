"""Strict bundles (issue 12, deliverable 1): every header and table is known, or the import says so."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tanlian.cli import app
from tanlian.cli.console import err_console
from tanlian.connectors.bundle import import_bundle, load_bundle
from tanlian.connectors.columns import EXTRA_COLUMNS, KNOWN_COLUMNS, REQUIRED_COLUMNS
from tanlian.errors import ValidationFailed
from tanlian.graph.model import Flow
from tanlian.seed_data.library import demo_park_path

runner = CliRunner()
DEMO = demo_park_path()
DOCS = Path(__file__).parents[2] / "docs" / "bundle-format.md"


@pytest.fixture(autouse=True)
def wide_error_table(monkeypatch):
    """Error tables one line per problem, so messages can be matched whole."""
    monkeypatch.setattr(err_console, "width", 400)


def misspell(name: str) -> str:
    """Double the middle letter: ``share_footprints`` → ``share_fooootprints``-like typos, never a case change."""
    i = len(name) // 2
    return name[:i] + name[i] + name[i:]


def demo_headers() -> list[tuple[str, str]]:
    return [(f.stem, col) for f in sorted(DEMO.glob("*.csv")) for col in pd.read_csv(f, dtype=str, nrows=0).columns]


def copy_demo(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "b"))


def rename_column(bundle: Path, file: str, old: str, new: str) -> None:
    df = pd.read_csv(bundle / f"{file}.csv", dtype=str, keep_default_na=False)
    df.rename(columns={old: new}).to_csv(bundle / f"{file}.csv", index=False)


def errors_of(bundle: Path, **kw) -> list:
    with pytest.raises(ValidationFailed) as exc:
        load_bundle(bundle, **kw)
    return exc.value.errors


@pytest.mark.parametrize(("file", "column"), demo_headers())
def test_any_misspelt_demo_header_exits_2_naming_it(tmp_path, file, column):
    """Done-when of issue 12: a single header misspelt (beyond case) in the demo bundle is exit 2
    naming the header and the known name it is closest to; nothing is written."""
    bad = misspell(column)
    assert bad.lower() not in {c.lower() for c in KNOWN_COLUMNS[file]}
    b = copy_demo(tmp_path)
    rename_column(b, file, column, bad)
    db = tmp_path / "t.db"
    r = runner.invoke(app, ["import", str(b), "--store", f"sqlite:///{db}"])
    assert r.exit_code == 2, r.output
    out = r.output
    assert f"{file}.csv" in out and bad in out and "unknown column" in out
    assert f"did you mean `{column}`?" in out
    r = runner.invoke(app, ["export", str(tmp_path / "out"), "--store", f"sqlite:///{db}"])
    assert pd.read_csv(tmp_path / "out" / "enterprises.csv").empty


def test_the_issue_typos_are_errors_with_a_suggestion(tmp_path):
    b = copy_demo(tmp_path)
    rename_column(b, "enterprises", "share_footprints", "share_footprint")
    rename_column(b, "flows", "distance_km", "distanse_km")
    errs = errors_of(b)
    assert [(e.file, e.row, e.column) for e in errs] == [
        ("enterprises.csv", 1, "share_footprint"),
        ("flows.csv", 1, "distanse_km"),
    ]
    assert errs[0].reason == "unknown column; did you mean `share_footprints`?"
    assert errs[1].reason == "unknown column; did you mean `distance_km`?"


def test_case_only_differences_are_accepted_and_noted(tmp_path):
    b = copy_demo(tmp_path)
    (b / "flows.csv").rename(b / "Flows.csv")
    rename_column(b, "products", "output", "Output")
    bundle = load_bundle(b)
    assert bundle.graph.records() == load_bundle(DEMO).graph.records()
    assert "Flows.csv read as flows.csv (case differs)" in bundle.notes
    assert "products.csv: column `Output` read as `output` (case differs)" in bundle.notes


def test_replace_with_a_case_only_table_name_keeps_every_flow(tmp_path, embedded_store):
    """The issue's probe: ``Flows.csv`` + ``--replace`` deleted all 137 flows."""
    import_bundle(embedded_store, DEMO)
    b = copy_demo(tmp_path)
    (b / "flows.csv").rename(b / "Flows.csv")
    summary, _ = import_bundle(embedded_store, b, replace=True)
    assert summary.removed["flows"] == 0
    assert len(embedded_store.list(Flow)) == len(pd.read_csv(DEMO / "flows.csv"))


@pytest.mark.parametrize(("name", "hint"), [("flow", "flows.csv"), ("enterprise", "enterprises.csv"), ("xyz", None)])
def test_unknown_table_is_an_error_with_the_closest_name(tmp_path, name, hint):
    b = copy_demo(tmp_path)
    (b / "sales.csv").rename(b / f"{name}.csv")
    (e,) = errors_of(b)
    assert (e.file, e.row, e.column) == (f"{name}.csv", None, None)
    assert e.reason == "unknown table" + (f"; did you mean `{hint}`?" if hint else "")


def test_allow_extra_warns_and_keeps_the_values(tmp_path):
    b = copy_demo(tmp_path)
    rename_column(b, "enterprises", "share_footprints", "share_footprint")
    shutil.copy(b / "sales.csv", b / "sale.csv")
    bundle = load_bundle(b, allow_extra=True)
    e01 = bundle.graph.enterprises["E01"]
    assert e01.share_footprints is True  # the default: the typo'd column is not read as the field ...
    assert e01.model_extra["share_footprint"] == "true"  # ... but kept as an extra
    assert any("`share_footprint` kept as an extra property" in n and "share_footprints" in n for n in bundle.notes)
    assert any(n.startswith("sale.csv: unknown table, ignored") for n in bundle.notes)


def test_missing_required_column_is_one_error_not_one_per_row(tmp_path):
    b = copy_demo(tmp_path)
    df = pd.read_csv(b / "flows.csv", dtype=str, keep_default_na=False)
    df.drop(columns=["to"]).to_csv(b / "flows.csv", index=False)
    (e,) = errors_of(b)
    assert (e.file, e.row, e.column, e.reason) == ("flows.csv", None, "to", "missing required column")


def test_misspelt_flow_quantity_is_one_error_not_one_per_row(tmp_path):
    """The issue's probe: ``quantity`` misspelt in flows.csv gave a row error on every flow
    (a flow needs a quantity or spend_cny), none naming the column."""
    b = copy_demo(tmp_path)
    rename_column(b, "flows", "quantity", "quantitiy")
    (e,) = errors_of(b)
    assert (e.file, e.row, e.column) == ("flows.csv", 1, "quantitiy")
    assert e.reason == "unknown column; did you mean `quantity`?"


def test_misspelt_required_column_names_both_and_reads_no_row(tmp_path):
    """``quantity`` → ``quantiti`` in activities (required): two header errors, no row errors."""
    b = copy_demo(tmp_path)
    rename_column(b, "activities", "quantity", "quantiti")
    errs = errors_of(b)
    assert {(e.column, e.row) for e in errs} == {("quantiti", 1), ("quantity", None)}


def test_replace_refuses_to_delete_a_table_the_bundle_lacks(tmp_path, embedded_store):
    import_bundle(embedded_store, DEMO)
    b = copy_demo(tmp_path)
    (b / "sales.csv").unlink()
    rev = embedded_store.revision()
    with pytest.raises(ValidationFailed) as exc:
        import_bundle(embedded_store, b, replace=True)
    (e,) = exc.value.errors
    assert e.file == "sales.csv" and "--replace-tables sales" in e.reason and "22 sales" in e.reason
    assert embedded_store.revision() == rev
    with pytest.raises(ValidationFailed, match="did you mean `sales`"):
        import_bundle(embedded_store, b, replace=True, replace_tables=["sale"])
    summary, _ = import_bundle(embedded_store, b, replace=True, replace_tables=["sales"])
    assert summary.removed["sales"] == 22 and summary.removed["flows"] == 0


def test_replace_tables_on_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    assert runner.invoke(app, ["import", str(DEMO), "--store", url]).exit_code == 0
    b = copy_demo(tmp_path)
    for f in ("sales", "needs"):
        (b / f"{f}.csv").unlink()
    r = runner.invoke(app, ["import", str(b), "--store", url, "--replace"])
    assert r.exit_code == 2 and "--replace-tables" in r.output
    r = runner.invoke(app, ["import", str(b), "--store", url, "--replace", "--replace-tables", "sales,needs", "--json"])
    assert r.exit_code == 0, r.output
    assert '"sales": 22' in r.stdout


def test_cli_allow_extra_lists_the_warning_in_the_summary(tmp_path):
    b = copy_demo(tmp_path)
    rename_column(b, "flows", "distance_km", "distanse_km")
    url = f"sqlite:///{tmp_path / 't.db'}"
    r = runner.invoke(app, ["import", str(b), "--store", url, "--allow-extra", "--json"])
    assert r.exit_code == 0, r.output
    assert "flows.csv: unknown column `distanse_km` kept as an extra property" in r.stdout


def test_indicator_columns_must_be_numbers(tmp_path):
    b = copy_demo(tmp_path)
    df = pd.read_csv(b / "enterprises.csv", dtype=str, keep_default_na=False)
    df.loc[2, "water_use_m3"] = "lots"
    df.to_csv(b / "enterprises.csv", index=False)
    (e,) = errors_of(b)
    assert (e.file, e.row, e.column, e.value) == ("enterprises.csv", 4, "water_use_m3", "lots")


def test_pact_ids_and_note_are_known_and_kept(tmp_path):
    b = copy_demo(tmp_path)
    df = pd.read_csv(b / "products.csv", dtype=str, keep_default_na=False)
    df["pact_ids"] = ""
    df.loc[0, "pact_ids"] = "urn:a;urn:b"
    df["note"] = "n"
    df.to_csv(b / "products.csv", index=False)
    bundle = load_bundle(b)
    p = bundle.graph.products[df.loc[0, "id"]]
    assert p.pact_ids == "urn:a;urn:b" and p.model_extra["note"] == "n"
    assert bundle.notes == []


def test_the_registry_is_mirrored_in_the_docs():
    """docs/bundle-format.md lists exactly the known and required columns of every table."""
    doc = DOCS.read_text(encoding="utf-8")
    listed = {
        m.group(1): re.findall(r"`([A-Za-z0-9_]+)`(\*?)", m.group(2))
        for m in re.finditer(r"^- \*\*([a-z_]+)\*\*: (.+)$", doc, flags=re.M)
    }
    assert {t: tuple(c for c, _ in cols) for t, cols in listed.items()} == KNOWN_COLUMNS
    assert {t: tuple(c for c, star in cols if star) for t, cols in listed.items()} == REQUIRED_COLUMNS
    assert set(EXTRA_COLUMNS) <= set(KNOWN_COLUMNS)


def test_a_sale_with_a_distance_needs_a_mass_named_at_import(tmp_path, mini_bundle):
    """C1 is counted in pieces without mass_kg: the sale that travels 80 km is an error on its
    distance cell; the sale without a distance is fine."""
    b = Path(shutil.copytree(mini_bundle, tmp_path / "b"))
    with (b / "products.csv").open("a", encoding="utf-8") as f:
        f.write("C1,B,Pump,piece,10,product,,500,,\n")
    pd.DataFrame(
        {
            "id": ["S1", "S2"],
            "product": ["C1", "C1"],
            "customer": ["x", "y"],
            "quantity": ["4", "5"],
            "unit": ["piece", "piece"],
            "distance_km": ["", "80"],
            "mode": ["", "road"],
        }
    ).to_csv(b / "sales.csv", index=False)
    (e,) = errors_of(b)
    assert (e.file, e.row, e.column, e.value) == ("sales.csv", 3, "distance_km", "80")
    assert "product C1 is counted in piece and has no mass_kg" in e.reason
    pd.read_csv(b / "sales.csv", dtype=str).iloc[:1].to_csv(b / "sales.csv", index=False)
    assert load_bundle(b).graph.sales["S1"].quantity == 4


def test_the_factor_library_uses_only_known_columns():
    """seed_data/factors/*.csv follow the same registry as a bundle's factors.csv."""
    from tanlian.connectors.columns import check_headers
    from tanlian.seed_data.library import gas_names, seed_path

    for f in sorted(seed_path("factors").glob("*.csv")):
        h = check_headers({"factors": pd.read_csv(f, dtype=str, nrows=0)}, gas_names())
        assert (h.errors, h.notes) == ([], []), f.name


def test_empty_columns_without_a_header_are_dropped_but_values_without_one_are_an_error(tmp_path):
    """Excel often saves trailing empty columns (``a,b,,``): harmless. Values under no header are not."""
    b = copy_demo(tmp_path)
    text = (b / "parks.csv").read_text(encoding="utf-8").splitlines()
    (b / "parks.csv").write_text("\n".join(ln + ",," for ln in text) + "\n", encoding="utf-8")
    assert load_bundle(b).graph.records() == load_bundle(DEMO).graph.records()
    (b / "parks.csv").write_text("\n".join([text[0] + ",", text[1] + ",oops"]) + "\n", encoding="utf-8")
    (e,) = errors_of(b)
    assert (e.file, e.row, e.column) == ("parks.csv", 1, None)
    assert e.reason == "values in column 5, which has no header"


def test_workbook_sheets_follow_the_same_rules(tmp_path):
    """An .xlsx with a sheet ``Flows`` (case only: noted) and a misspelt column (error)."""
    from tanlian.connectors.tables import read_tables, write_tables

    tables = read_tables(DEMO)
    tables["Flows"] = tables.pop("flows")
    book = write_tables(tables, tmp_path / "demo.xlsx")
    bundle = load_bundle(book)
    assert "Flows.csv read as flows.csv (case differs)" in bundle.notes
    assert len(bundle.graph.flows) == len(tables["Flows"])
    tables["Flows"] = tables["Flows"].rename(columns={"mode": "mdoe"})
    (e,) = errors_of(write_tables(tables, tmp_path / "typo.xlsx"))
    assert (e.file, e.column, e.reason) == ("Flows.csv", "mdoe", "unknown column; did you mean `mode`?")
