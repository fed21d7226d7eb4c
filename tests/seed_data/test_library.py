"""The factor library and GWP sets as parsed without pandas equal the bundle-row parser's reading."""

from __future__ import annotations

import pandas as pd
import pytest

from tanlian.errors import ValidationFailed
from tanlian.graph.model import Factor
from tanlian.graph.row_tables import parse_table
from tanlian.seed_data import library
from tanlian.seed_data.library import factor_library, gas_names, gwp_table, gwp_values, seed_path


def test_factor_library_equals_the_bundle_row_parser():
    """Every shipped factor, field by field, as ``parse_table`` reads the same files with pandas."""
    expected: dict[str, Factor] = {}
    for f in sorted(seed_path("factors").glob("*.csv")):
        rows, errors = parse_table(Factor, pd.read_csv(f, dtype=str, keep_default_na=False), f.name, gas_names())
        assert not errors
        expected.update({e.id: e for _, e in rows})
    got = factor_library()
    assert list(got) == list(expected)
    for fid, factor in expected.items():
        assert got[fid].model_dump() == factor.model_dump(), fid
    assert any(f.gases for f in got.values()) and any(f.uncertainty_type for f in got.values())


def test_gwp_sets_equal_the_csv_read_by_pandas():
    df = pd.read_csv(seed_path("gwp.csv"), dtype={"gas": str}).set_index("gas")
    assert list(gwp_values()) == list(df.index)
    for gas, row in df.iterrows():
        assert gwp_values()[gas] == {"AR5": float(row["ar5"]), "AR6": float(row["ar6"])}
    assert gwp_table().loc["CH4", "AR5"] == df.loc["CH4", "ar5"]


def test_a_broken_library_row_is_located_by_file_row_column_and_value(tmp_path, monkeypatch):
    (tmp_path / "factors").mkdir()
    (tmp_path / "gwp.csv").write_text(seed_path("gwp.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "factors" / "x.csv").write_text(
        "id,name,unit,kgco2e,kind,co2\nok,OK,t,1,energy,1\nbad,Bad,t,lots,energy,\nok,Again,t,2,energy,\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(library, "seed_path", lambda *parts: tmp_path.joinpath(*parts))
    for fn in (factor_library, gwp_values, gas_names):
        fn.cache_clear()
    try:
        with pytest.raises(ValidationFailed) as exc:
            factor_library()
    finally:
        monkeypatch.undo()
        for fn in (factor_library, gwp_values, gas_names):
            fn.cache_clear()
    where = {(e.file, e.row, e.column, e.value) for e in exc.value.errors}
    assert ("seed_data/factors/x.csv", 3, "kgco2e", "lots") in where
    assert ("seed_data/factors/x.csv", 4, "id", "ok") in where
