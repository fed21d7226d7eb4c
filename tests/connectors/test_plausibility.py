"""Plausibility bounds (issue 12, deliverable 2): a value beyond its field's bound needs --allow-implausible."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tanlian.cli import app
from tanlian.cli.console import err_console
from tanlian.connectors.bundle import load_bundle
from tanlian.connectors.plausibility import HARD_MAX, bounds
from tanlian.errors import ValidationFailed
from tanlian.seed_data.library import demo_park_path

runner = CliRunner()
DEMO = demo_park_path()
MINI = Path(__file__).parents[1] / "data" / "mini"


def set_cell(bundle: Path, file: str, column: str, value: str, row: int = 2) -> None:
    df = pd.read_csv(bundle / f"{file}.csv", dtype=str, keep_default_na=False)
    if column not in df.columns:
        df[column] = ""
    df.loc[row - 2, column] = value
    df.to_csv(bundle / f"{file}.csv", index=False)


def bound_cases() -> list[tuple[str, str, float]]:
    b = bounds()
    return [(r.table, "co2" if r.column == "gases" else r.column, r.max) for r in b.itertuples()]


def implausible(bundle: Path, **kw) -> list:
    try:
        load_bundle(bundle, **kw)
    except ValidationFailed as exc:
        return [e for e in exc.errors if "implausible" in e.reason or "refused" in e.reason]
    return []


@pytest.mark.parametrize(("table", "column", "bound"), bound_cases())
def test_each_bound_is_enforced_with_the_bound_in_the_message(tmp_path, table, column, bound):
    """At the bound: accepted; ten times the bound: an error on that cell quoting the bound."""
    src = MINI if table == "factors" else DEMO
    b = Path(shutil.copytree(src, tmp_path / "b"))
    set_cell(b, table, column, repr(bound))
    assert implausible(b) == []
    set_cell(b, table, column, repr(10 * bound))
    (e,) = implausible(b)
    assert (e.file, e.row, e.column, e.value) == (f"{table}.csv", 2, column, repr(10 * bound))
    assert f"above {bound:g} " in e.reason and "--allow-implausible" in e.reason


def test_1e300_is_refused_even_when_implausible_values_are_allowed(tmp_path):
    b = Path(shutil.copytree(DEMO, tmp_path / "b"))
    set_cell(b, "activities", "quantity", "1e300", row=3)
    (e,) = implausible(b)
    assert (e.row, e.column, e.value) == (3, "quantity", "1e300")
    assert "above 1e+12 unit of the row" in e.reason
    (e,) = implausible(b, allow_implausible=True)
    assert f"above {HARD_MAX:g}" in e.reason and "even with --allow-implausible" in e.reason


def test_allowed_implausible_values_are_kept_and_listed(tmp_path):
    """1.5e12 t of coal with --allow-implausible: imported as given and named in the summary."""
    b = Path(shutil.copytree(DEMO, tmp_path / "b"))
    set_cell(b, "activities", "quantity", "1.5e12", row=2)
    bundle = load_bundle(b, allow_implausible=True)
    assert bundle.graph.activities["A001"].quantity == 1.5e12
    assert bundle.notes == [
        "activities.csv: 1 value(s) of quantity above the plausible 1e+12 unit of the row kept "
        "(--allow-implausible): row(s) 2"
    ]


def test_cli_exit_2_then_allow_implausible(tmp_path, monkeypatch):
    monkeypatch.setattr(err_console, "width", 400)
    b = Path(shutil.copytree(DEMO, tmp_path / "b"))
    set_cell(b, "flows", "distance_km", "50000")
    url = f"sqlite:///{tmp_path / 't.db'}"
    r = runner.invoke(app, ["import", str(b), "--store", url])
    assert r.exit_code == 2 and "implausible: above 40000 km" in r.output
    r = runner.invoke(app, ["import", str(b), "--store", url, "--allow-implausible", "--json"])
    assert r.exit_code == 0, r.output
    assert "flows.csv: 1 value(s) of distance_km above the plausible 40000 km kept" in r.stdout


def test_every_bound_has_a_justification_and_names_a_known_column():
    from tanlian.connectors.columns import KNOWN_COLUMNS

    b = bounds()
    assert (b["justification"].str.len() > 10).all() and (b["max"] > 0).all() and (b["max"] < HARD_MAX).all()
    for r in b.itertuples():
        assert r.column == "gases" or r.column in KNOWN_COLUMNS[r.table], r


def test_many_violations_are_summed_up_not_listed_one_by_one(tmp_path):
    b = Path(shutil.copytree(DEMO, tmp_path / "b"))
    df = pd.read_csv(b / "flows.csv", dtype=str, keep_default_na=False)
    df["distance_km"] = "90000"
    df["mode"] = "road"
    df.to_csv(b / "flows.csv", index=False)
    errs = implausible(b)
    assert len(errs) == 50
    with pytest.raises(ValidationFailed) as exc:
        load_bundle(b)
    (more,) = [e for e in exc.value.errors if "more row(s)" in e.reason]
    assert more.reason == f"{len(df) - 50} more row(s) with the same problem"


def _float_fields():
    """(table, column, capped by the model) of every float field of every bundle entity."""
    import typing

    from annotated_types import Le, Lt

    from tanlian.graph.model import BUNDLE_TYPES

    for t in BUNDLE_TYPES:
        for name, f in t.model_fields.items():
            parts = typing.get_args(f.annotation) if typing.get_origin(f.annotation) is not None else ()
            kinds = [f.annotation, *parts]
            metas = list(f.metadata)
            for k in kinds:
                if typing.get_origin(k) is typing.Annotated:
                    metas += list(k.__metadata__)
                    kinds.append(typing.get_args(k)[0])
            metas += [x for m in metas for x in getattr(m, "metadata", ())]  # Field(le=1) inside Annotated
            if float in kinds:
                yield t.file, f.alias or name, any(isinstance(m, Le | Lt) for m in metas)


def test_every_unbounded_float_field_has_a_plausibility_bound():
    """No float column can take 1e300: the model caps it (lat, lon, share) or the table bounds it."""
    fields = list(_float_fields())
    assert ("products", "price_cny", False) in fields  # the walk sees optional annotated fields
    bounded = {(r.table, r.column) for r in bounds().itertuples()}
    missing = [(t, c) for t, c, capped in fields if not capped and (t, c) not in bounded]
    assert missing == []
