"""The columnar row path (graph/row_tables.py) gives the rows, values and lines pydantic gives row
by row, and an import's own snapshot equals what the store reads back."""

from __future__ import annotations

import shutil

import pandas as pd
import pyarrow as pa
import pytest
from test_fast_rows import FLOWS, reference

from tanlian.connectors.bundle import import_bundle
from tanlian.connectors.tables import read_tables
from tanlian.graph.columns import arrow_to_records
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import BUNDLE_TYPES, Enterprise, Flow, Product
from tanlian.graph.row_tables import parse_rows
from tanlian.graph.snapshot import load_cached
from tanlian.graph.table_import import diff_table
from tanlian.seed_data.library import demo_park_path, gas_names


def drop_snapshots(snap_dir) -> None:
    shutil.rmtree(snap_dir)


def against_pydantic(etype, df: pd.DataFrame):
    """parse_rows beside pydantic row by row (``test_fast_rows.reference``): the same records on
    the same lines, and errors on exactly the rows pydantic rejects (duplicate ids apart)."""
    rt, errors = parse_rows(etype, df, "t.csv", gas_names())
    ref = reference(etype, df)
    dups = {e.row for e in errors if e.reason.startswith("duplicate id")}
    got = dict(zip(rt.lines.tolist(), arrow_to_records(etype, rt.table), strict=True))
    assert got == {k: v for k, v in ref.items() if v is not None and k not in dups}
    assert {e.row for e in errors} - dups == {k for k, v in ref.items() if v is None}
    return rt, errors


@pytest.mark.parametrize(
    "etype,df",
    [
        (Flow, FLOWS),
        (
            Flow,  # duplicates (explicit and default ids), an extra column, a row pydantic must read
            pd.DataFrame(
                {
                    "id": ["", "", "f1", "f1", ""],
                    "from": ["P1", "P1", "P2", "P3", "P4"],
                    "to": ["E1", "E1", "E1", "E1", "E1"],
                    "quantity": ["1", "2", "3", "4", "1_000"],
                    "unit": ["t", "t", "t", "t", "t"],
                    "note": ["x", "", "", "y", ""],
                }
            ),
        ),
        (
            Product,
            pd.DataFrame(
                {
                    "id": ["P1", "P2", "P3", "P1"],
                    "enterprise": ["E1", "E1", "E2", "E2"],
                    "unit": ["t", "kWh", "bad_unit", "t"],
                    "output": ["1", "2", "3", "4"],
                    "kind": ["", "energy", "", ""],
                    "carrier": ["", "electricity", "", ""],
                }
            ),
        ),
        (
            Enterprise,
            pd.DataFrame(
                {
                    "id": ["E1", "E2", "E3"],
                    "name": ["a", "b", "c"],
                    "lat": ["31.2", "", "100"],
                    "share_footprints": ["", "no", "on"],
                }
            ),
        ),
    ],
)
def test_columns_equal_pydantic_row_by_row(etype, df):
    rt, errors = against_pydantic(etype, df)
    assert errors and rt.table.schema.names[-1] == "_extra"


def test_demo_bundle_tables_equal_entities():
    tables = read_tables(demo_park_path())
    for etype in BUNDLE_TYPES:
        if etype.file in tables:
            rt, errors = against_pydantic(etype, tables[etype.file])
            assert errors == [] and rt.table.num_rows == len(tables[etype.file]), etype.file


def test_duplicate_ids_point_back_to_the_first_row():
    df = pd.DataFrame({"from": ["P1"] * 3, "to": ["E1"] * 3, "quantity": ["1", "2", "3"], "unit": ["t"] * 3})
    rt, errs = against_pydantic(Flow, df)
    assert rt.table.num_rows == 1 and rt.lines.tolist() == [2]
    assert [(e.row, e.value) for e in errs] == [(3, "P1|E1|1"), (4, "P1|E1|1")]
    assert all("first used on row 2 (give each flow an explicit id)" in e.reason for e in errs)


def test_diff_counts_added_changed_and_gone_with_nulls_equal():
    schema = pa.schema([("id", pa.string()), ("x", pa.float64()), ("s", pa.string())])
    cur = pa.table({"id": ["a", "b", "c", "d"], "x": [1.0, None, 3.0, 4.0], "s": [None, "k", "m", None]}, schema=schema)
    new = pa.table({"id": ["b", "a", "c", "e"], "x": [None, 1.0, 3.5, 5.0], "s": ["k", None, "m", None]}, schema=schema)
    d = diff_table(new, cur)
    assert (d.added, d.changed, d.gone) == (1, 1, ["d"])
    assert sorted(d.upserts.column("id").to_pylist()) == ["c", "e"]


def test_import_writes_the_snapshot_the_store_would_read(tmp_path):
    """The import keeps its tables as the new revision's snapshot; they equal a fresh read."""
    path = tmp_path / "s.sqlite"
    store = EmbeddedStore(path)
    summary, _ = import_bundle(store, demo_park_path())
    cached = load_cached(store.snap_dir, summary.year, summary.revision_after)
    assert cached is not None
    drop_snapshots(store.snap_dir)  # the next read comes from SQLite
    fresh = EmbeddedStore(path).snapshot_tables(summary.year)
    assert fresh.revision == summary.revision_after
    for etype in BUNDLE_TYPES:
        assert cached[etype.type_name].equals(fresh.table(etype)), etype.file
    again, _ = import_bundle(EmbeddedStore(path), demo_park_path())
    assert not again.wrote and sum(again.unchanged.values()) == sum(summary.added.values())


def test_snapshot_order_of_an_import_matches_the_store_for_any_ids(tmp_path):
    """Ids sorted by the import (Arrow) and by SQLite (ORDER BY id, binary) agree: non-ASCII, case, digits."""
    ids = ["钢厂", "Zeta", "alpha", "Alpha", "ä-1", "10", "9", "E_1", "e_1", "𝔘"]
    folder = tmp_path / "b"
    folder.mkdir()
    pd.DataFrame({"id": ["PK"], "name": ["P"], "year": ["2024"]}).to_csv(folder / "parks.csv", index=False)
    pd.DataFrame({"id": ids, "name": ids, "park": "PK"}).to_csv(folder / "enterprises.csv", index=False)
    pd.DataFrame({"id": [f"p{i}" for i in ids], "enterprise": ids, "unit": "t", "output": "1"}).to_csv(
        folder / "products.csv", index=False
    )
    path = tmp_path / "s.sqlite"
    summary, _ = import_bundle(EmbeddedStore(path), folder)
    cached = load_cached(EmbeddedStore(path).snap_dir, summary.year, summary.revision_after)
    drop_snapshots(tmp_path / "s.sqlite.snap")
    fresh = EmbeddedStore(path).snapshot_tables(summary.year)
    assert cached["enterprise"].column("id").to_pylist() == fresh.tables["enterprise"].column("id").to_pylist()
    assert cached["enterprise"].column("id").to_pylist() == sorted(ids, key=lambda s: s.encode())
    assert cached["product"].equals(fresh.tables["product"])
