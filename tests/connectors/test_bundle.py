"""Bundle import: every validation error kind with its exact place, atomicity, idempotence, round trips."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tanlian.connectors.bundle import export_bundle, import_bundle, load_bundle
from tanlian.connectors.tables import read_tables, write_tables
from tanlian.errors import ValidationFailed
from tanlian.graph.embedded import EmbeddedStore
from tanlian.seed_data.library import demo_park_path


def copy_bundle(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def edit(bundle: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` is the line number as in the file (header = 1)."""
    df = pd.read_csv(bundle / f"{file}.csv", dtype=str, keep_default_na=False)
    if column not in df.columns:
        df[column] = ""
    df.loc[row - 2, column] = value
    df.to_csv(bundle / f"{file}.csv", index=False)


def errors_of(bundle: Path, store=None) -> list:
    with pytest.raises(ValidationFailed) as exc:
        if store is None:
            load_bundle(bundle)
        else:
            import_bundle(store, bundle)
    return exc.value.errors


def test_mini_bundle_loads(mini_bundle):
    g = load_bundle(mini_bundle).graph
    assert g.counts()["flows"] == 4 and g.year == 2022
    assert g.flows["F1"].factor_id == "ore_test"
    assert g.factors["fuel_test"].gases == {"CO2": 2990.0, "CH4": 0.2, "N2O": 0.01}


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "reason"),
    [
        ("flows", 3, "unit", "blorps", "unknown unit"),
        ("flows", 3, "unit", "kWh", "cannot convert"),
        ("flows", 2, "quantity", "-5", "greater than or equal to 0"),
        ("products", 3, "output", "abc", "valid number"),
        ("flows", 4, "to", "NOBODY", "unknown enterprise"),
        ("flows", 2, "from", "factor:nonexistent", "unknown factor"),
        ("flows", 2, "from", "factor:coal_bituminous", "energy factors"),
        ("activities", 3, "green_mwh", "500", "above the enterprise's electricity use"),
        ("products", 2, "unit", "10**4*m**3", "number with a unit"),
        ("enterprises", 3, "park", "P9", "unknown park"),
        ("flows", 4, "quantity", "100", "more than its output"),
        ("enterprises", 2, "allocation", "energy", "needs column 'energy_mj'"),
        ("products", 2, "carrier", "power", "'electricity', 'heat', 'steam', 'cooling' or 'fuel'"),
        ("products", 2, "carrier", "heat", "only energy products have a carrier"),
        ("flows", 2, "unit", "kg", None),  # a valid edit: kg of ore converts to t
    ],
)
def test_each_error_names_file_row_column(tmp_path, mini_bundle, file, row, column, value, reason):
    b = copy_bundle(mini_bundle, tmp_path / "b")
    edit(b, file, row, column, value)
    if reason is None:
        load_bundle(b)  # no error
        return
    errs = errors_of(b)
    match = [e for e in errs if reason in e.reason]
    assert match, errs
    e = match[0]
    # over-output is reported on the product row; everything else on the edited cell
    if reason == "more than its output":
        assert (e.file, e.column) == ("products.csv", "output")
    else:
        assert (e.file, e.row, e.column) == (f"{file}.csv", row, column)


def test_energy_product_without_carrier_names_the_carrier_column(tmp_path, mini_bundle):
    b = copy_bundle(mini_bundle, tmp_path / "b")
    edit(b, "products", 4, "kind", "energy")
    (e,) = [e for e in errors_of(b) if e.column == "carrier"]
    assert (e.file, e.row, e.value) == ("products.csv", 4, None)
    assert "required for kind=energy: electricity | heat | steam | cooling | fuel" in e.reason


def test_duplicate_id_names_both_rows(tmp_path, mini_bundle):
    b = copy_bundle(mini_bundle, tmp_path / "b")
    edit(b, "products", 4, "id", "A1")
    (e,) = [e for e in errors_of(b) if "duplicate" in e.reason]
    assert (e.file, e.row, e.column, e.value) == ("products.csv", 4, "id", "A1")
    assert "row 2" in e.reason


def test_default_flow_ids_that_collide_must_be_explicit(tmp_path, mini_bundle):
    b = copy_bundle(mini_bundle, tmp_path / "b")
    df = pd.read_csv(b / "flows.csv", dtype=str, keep_default_na=False)
    df = pd.concat([df, df.iloc[[1]]]).assign(id="")
    df.to_csv(b / "flows.csv", index=False)
    errs = errors_of(b)
    assert any("explicit id" in e.reason and e.row == 6 for e in errs), errs


def test_missing_required_column_and_file(tmp_path, mini_bundle):
    b = copy_bundle(mini_bundle, tmp_path / "b")
    df = pd.read_csv(b / "products.csv", dtype=str).drop(columns=["unit"])
    df.to_csv(b / "products.csv", index=False)
    (b / "enterprises.csv").unlink()
    errs = errors_of(b)
    assert any((e.file, e.column, e.reason) == ("products.csv", "unit", "missing required column") for e in errs)
    assert any((e.file, e.reason) == ("enterprises.csv", "required file is missing") for e in errs)


def test_parks_file_required_when_an_enterprise_names_a_park(tmp_path, mini_bundle):
    b = copy_bundle(mini_bundle, tmp_path / "b")
    (b / "parks.csv").unlink()
    errs = errors_of(b)
    assert any("parks.csv is required" in e.reason for e in errs)


def test_invalid_bundle_writes_nothing(tmp_path, mini_bundle, store):
    import_bundle(store, mini_bundle)
    before, rev = store.snapshot().records(), store.revision()
    b = copy_bundle(mini_bundle, tmp_path / "b")
    edit(b, "enterprises", 2, "name", "Renamed")  # a valid change ...
    edit(b, "flows", 5, "unit", "blorps")  # ... and one bad row: nothing may be written
    errors_of(b, store)
    assert store.snapshot().records() == before
    assert store.revision() == rev


def test_reimport_is_idempotent(mini_bundle, store):
    s1, _ = import_bundle(store, mini_bundle)
    rev = store.revision()
    s2, _ = import_bundle(store, mini_bundle)
    assert s1.wrote and not s2.wrote
    assert store.revision() == rev


def test_upsert_may_reference_what_the_store_holds(tmp_path, mini_bundle, embedded_store):
    import_bundle(embedded_store, mini_bundle)
    extra = tmp_path / "extra"
    extra.mkdir()
    pd.DataFrame([{"id": "D", "name": "Delta", "park": "P1"}]).to_csv(extra / "enterprises.csv", index=False)
    pd.DataFrame([{"id": "D1", "enterprise": "D", "unit": "t", "output": "5"}]).to_csv(
        extra / "products.csv", index=False
    )
    pd.DataFrame([{"id": "F9", "from": "A1", "to": "D", "quantity": "1", "unit": "t"}]).to_csv(
        extra / "flows.csv", index=False
    )
    summary, _ = import_bundle(embedded_store, extra)
    assert summary.added["flows"] == 1 and summary.removed["flows"] == 0
    assert embedded_store.snapshot().counts()["flows"] == 5
    with pytest.raises(ValidationFailed):  # with --replace the bundle must stand on its own
        import_bundle(embedded_store, extra, replace=True)


def test_xlsx_and_csv_give_the_same_graph(tmp_path):
    xlsx = write_tables(read_tables(demo_park_path()), tmp_path / "demo.xlsx")
    assert load_bundle(xlsx).graph.records() == load_bundle(demo_park_path()).graph.records()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_round_trip(tmp_path, fmt, embedded_store):
    import_bundle(embedded_store, demo_park_path())
    out = export_bundle(embedded_store.snapshot(), tmp_path / ("out.xlsx" if fmt == "xlsx" else "out"))
    from tanlian.graph.embedded import EmbeddedStore

    other = EmbeddedStore(tmp_path / "other.db")
    import_bundle(other, out)
    assert other.snapshot().records() == embedded_store.snapshot().records()


def test_demo_park_is_valid_and_rich():
    b = load_bundle(demo_park_path())
    g = b.graph
    assert 10 <= sum(e.park is not None for e in g.enterprises.values()) <= 15
    assert 5 <= sum(e.park is None for e in g.enterprises.values()) <= 10
    assert any(a.type == "removal" for a in g.activities.values())
    assert any(a.green_mwh for a in g.activities.values())
    assert g.residuals and g.needs and g.sales


def test_transport_needs_a_mass(tmp_path, mini_bundle):
    b = copy_bundle(mini_bundle, tmp_path / "b")
    df = pd.read_csv(b / "products.csv", dtype=str, keep_default_na=False)
    df.loc[2, ["unit", "mass_kg"]] = ["piece", ""]  # B1 counted in pieces, no mass
    df.to_csv(b / "products.csv", index=False)
    flows = pd.read_csv(b / "flows.csv", dtype=str, keep_default_na=False)
    flows.loc[2, ["unit", "quantity", "distance_km", "mode"]] = ["piece", "30", "50", "road"]
    flows.loc[3, ["unit", "quantity"]] = ["piece", "2"]
    flows.to_csv(b / "flows.csv", index=False)
    (e,) = errors_of(b)
    assert (e.file, e.row, e.column) == ("flows.csv", 4, "distance_km") and "mass" in e.reason


def test_gbk_csv_from_excel_reads_like_utf8(tmp_path, mini_bundle):
    """Excel on a Chinese Windows saves CSV in GBK: names must come through unchanged."""
    b = copy_bundle(mini_bundle, tmp_path / "b")
    df = pd.read_csv(b / "enterprises.csv", dtype=str, keep_default_na=False)
    df.loc[0, "name"] = "苏南热电有限公司"
    df.to_csv(b / "enterprises.csv", index=False, encoding="gbk")
    assert load_bundle(b).graph.enterprises["A"].name == "苏南热电有限公司"


def test_unreadable_csv_names_the_file(tmp_path, mini_bundle):
    b = copy_bundle(mini_bundle, tmp_path / "b")
    (b / "flows.csv").write_bytes(b'id,from\n"unterminated,x\n')
    (e,) = errors_of(b)
    assert e.file == "flows.csv" and "unreadable CSV" in e.reason


def test_a_bundle_of_another_year_is_checked_against_that_year(tmp_path):
    """Upsert import of an earlier year (its parks' year, no --year): validated against the store's
    rows of that year, not the latest year's (before: 'all parks of a bundle share one accounting
    year (found [2021, 2022])')."""
    older = tmp_path / "older"
    shutil.copytree(demo_park_path(), older)
    (older / "parks.csv").write_text((older / "parks.csv").read_text().replace("2022", "2021"))
    store = EmbeddedStore(tmp_path / "s.sqlite")
    import_bundle(store, demo_park_path())
    summary, _ = import_bundle(store, older)
    n_products = load_bundle(demo_park_path()).data["product"].table.num_rows
    assert summary.year == 2021 and summary.added["products"] == n_products and summary.unchanged["products"] == 0
    assert store.years() == [2021, 2022]
    again, _ = import_bundle(store, older)  # and an identical re-import of that year writes nothing
    assert not again.wrote
