"""The vectorised row path (graph/fast_rows.py) accepts exactly what pydantic accepts, with the same
values, and leaves every error (with its row number) to the pydantic path."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from tanlian.graph.fast_rows import SPECS, accept
from tanlian.graph.model import Activity, Enterprise, Flow, Product, Sale
from tanlian.graph.row_tables import parse_table
from tanlian.graph.rows import columns_of


def reference(etype, df: pd.DataFrame) -> dict[int, dict | None]:
    """Line → record (None if pydantic rejects the row), row by row through pydantic."""
    out: dict[int, dict | None] = {}
    for i, row in enumerate(df.to_dict("records")):
        data = {k: v.strip() for k, v in row.items() if v.strip() != ""}
        if not data:
            continue
        try:
            out[i + 2] = etype.model_validate(data).record()
        except ValidationError:
            out[i + 2] = None
    return out


def parsed(etype, df: pd.DataFrame) -> tuple[dict[int, dict], list]:
    rows, errors = parse_table(etype, df, "t.csv", {})
    return {line: e.record() for line, e in rows}, errors


FLOWS = pd.DataFrame(
    {
        "id": ["", "", "f3", "", "", "", "", "", "", "", "", "", "", " f14 "],
        "from": ["P1", "P2", "P1", "P1", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P10", "", "P11"],
        "to": ["E1", "E1", "E2", "E3", "E1", "E1", "E1", "E1", "E1", "E1", "E1", "E1", "", "E1"],
        "quantity": ["1", " 2.5 ", "1e3", "nan", "-1", "", "inf", "1e400", "3.", ".5", "1_0", "+1", "", "0"],
        "unit": ["t", "kg", "t", "t", "t", "", "t", "t", "t", "lightyear_x", "t", "t", "", "t"],
        "spend_cny": ["", "", "", "", "", "10", "", "", "", "", "", "", "", ""],
        "category": ["", "3", "", "2.0", "", "", "", "", "16", "", "", "", "", "15"],
        "capital": ["", "yes", "TRUE", "", "no", "maybe", "", "", "", "", "", "", "", "0"],
        "distance_km": ["", "", "", "", "", "", "", "", "", "", "", "", "", "5"],
        "mode": ["", "", "", "", "", "", "", "", "", "", "", "", "", "road"],
        "note": ["a", "", "", "", "", "", "", "", "", "", "", "", "", "x"],
    }
)


def test_flows_match_pydantic_row_by_row():
    got, _ = parsed(Flow, FLOWS)
    ref = reference(Flow, FLOWS)
    assert {k: v for k, v in ref.items() if v is not None} == got
    assert ref[15] is not None and got[15]["id"] == "f14" and got[15]["note"] == "x"  # stripped, extra kept
    assert (got[3]["capital"], got[3]["category"], got[4]["capital"]) == (True, 3, True)  # yes / TRUE
    assert None in ref.values()  # the table has rejected rows too


def test_fast_path_accepts_only_what_pydantic_accepts_and_most_plain_rows():
    cells = {c: FLOWS[c].astype(str).str.strip() for c in FLOWS.columns}
    fast = accept(Flow, cells)
    ref = reference(Flow, FLOWS)
    assert all(ref[i + 2] is not None for i in fast.rows)
    assert {0, 1, 2}.issubset(set(fast.rows.tolist()))


@pytest.mark.parametrize(
    "etype,df",
    [
        (
            Product,
            pd.DataFrame(
                {
                    "id": ["P1", "P2", "P3", "P4", "P5", "P6"],
                    "enterprise": ["E1", "E1", "", "E2", "E2", "E2"],
                    "unit": ["t", "kWh", "t", "t", "m**3", "t"],
                    "output": ["1", "0", "2", "3", "4", "5"],
                    "kind": ["", "energy", "", "waste", "Product", ""],
                    "carrier": ["", "electricity", "", "", "", ""],
                    "share": ["", "", "", "0.5", "", "1.5"],
                }
            ),
        ),
        (
            Activity,
            pd.DataFrame(
                {
                    "enterprise": ["E1", "E1", "E2", "E3"],
                    "type": ["process", "electricity", "process", "fuel"],
                    "item": ["CO2", "grid", "CH4", "coal"],
                    "quantity": ["1", "2", "3", "4"],
                    "unit": ["kg", "kWh", "t", "t"],
                    "green_mwh": ["", "0.001", "1", "0"],
                }
            ),
        ),
        (
            Enterprise,
            pd.DataFrame(
                {
                    "id": ["E1", "E2", "E3", "", "E5", "E6", "E7"],
                    "name": ["a", "b", "", "d", "e", "f", "g"],
                    "lat": ["31.2", "91", "", "", "-90", "nan", ""],
                    "allocation": ["", "mass", "", "", "Mass", "", "explicit"],
                    "share_footprints": ["", "no", "yes", "", "on", "", "0"],
                    "region": ["", "", "", "", "", "", "Jiangsu"],
                }
            ),
        ),
        (
            Sale,
            pd.DataFrame(
                {
                    "product": ["P1", "P2", "P3"],
                    "customer": ["C1", "C2", ""],
                    "quantity": ["1", "2", "3"],
                    "unit": ["t", "t", "t"],
                    "distance_km": ["", "10", ""],
                    "mode": ["", "", ""],
                }
            ),
        ),
    ],
)
def test_other_tables_match_pydantic(etype, df):
    got, errors = parsed(etype, df)
    ref = reference(etype, df)
    assert {k: v for k, v in ref.items() if v is not None} == got
    assert {e.row for e in errors} == {k for k, v in ref.items() if v is None}


def test_errors_keep_their_file_row_after_accepted_rows_and_duplicates_point_back():
    df = pd.DataFrame(
        {
            "from": ["P1", "P2", "P1", "P3", "P2"],
            "to": ["E1", "E1", "E1", "E1", "E1"],
            "quantity": ["1", "2", "x", "-3", "2.0"],
            "unit": ["t", "t", "t", "t", "t"],
        }
    )
    _, errors = parse_table(Flow, df, "flows.csv", {})
    assert [(e.file, e.row, e.column, e.value) for e in errors] == [
        ("flows.csv", 4, "quantity", "x"),
        ("flows.csv", 5, "quantity", "-3"),
        ("flows.csv", 6, "id", "P2|E1|1"),
    ]
    assert errors[2].reason == "duplicate id, first used on row 3 (give each flow an explicit id)"
    # a duplicate of a row that went through pydantic (capital "on") is found as well
    df2 = pd.DataFrame({"id": ["a", "a"], "from": ["P1", "P2"], "to": ["E1", "E1"], "quantity": ["1", "1"],
                        "unit": ["t", "t"], "capital": ["on", ""]})  # fmt: skip
    _, errors = parse_table(Flow, df2, "flows.csv", {})
    assert [(e.row, e.reason) for e in errors] == [(3, "duplicate id, first used on row 2")]


def test_blank_lines_are_skipped_not_errors():
    df = pd.DataFrame({"from": ["P1", "", "P2"], "to": ["E1", " ", "E1"], "quantity": ["1", "", "2"],
                       "unit": ["t", "", "t"]})  # fmt: skip
    rows, errors = parse_table(Flow, df, "flows.csv", {})
    assert errors == [] and [line for line, _ in rows] == [2, 4]


@pytest.mark.parametrize("etype", list(SPECS))
def test_specs_cover_every_model_field(etype):
    assert set(SPECS[etype]) == {*columns_of(etype), "id"}


def test_a_column_named_like_a_field_not_its_alias_goes_through_pydantic():
    df = pd.DataFrame({"from": ["P1"], "source": ["P2"], "to": ["E1"], "quantity": ["1"], "unit": ["t"]})
    assert accept(Flow, {c: df[c] for c in df.columns}) is None
    got, _ = parsed(Flow, df)
    assert got == {k: v for k, v in reference(Flow, df).items() if v is not None}
