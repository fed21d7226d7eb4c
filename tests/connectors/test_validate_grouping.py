"""The cross-row checks that were sped up (grouping once, unit conversions cached) still find
every error with its place, including products that only the store holds."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tanlian.connectors.bundle import load_bundle
from tanlian.errors import UnitError, ValidationFailed
from tanlian.units import _conversion, conversion_factor, convertible, is_mass


def test_allocation_sees_the_stores_products_of_the_enterprise(tmp_path, mini_bundle):
    """Upsert: the bundle adds product A3 to A and switches A to energy allocation; A1 and A2
    are only in the store, and lack energy_mj too."""
    existing = load_bundle(mini_bundle).graph
    b = tmp_path / "b"
    b.mkdir()
    shutil.copy(mini_bundle / "enterprises.csv", b / "enterprises.csv")
    ents = pd.read_csv(b / "enterprises.csv", dtype=str, keep_default_na=False)
    ents.loc[0, "allocation"] = "energy"
    ents.iloc[[0]].to_csv(b / "enterprises.csv", index=False)
    pd.DataFrame(
        [{"id": "A3", "enterprise": "A", "name": "Wire", "unit": "t", "output": "10", "energy_mj": "5"}]
    ).to_csv(b / "products.csv", index=False)
    with pytest.raises(ValidationFailed) as exc:
        load_bundle(b, existing=existing)
    [e] = [e for e in exc.value.errors if e.column == "allocation"]
    assert (e.file, e.row, e.value) == ("enterprises.csv", 2, "energy")
    assert "energy_mj" in e.reason and "A1" in e.reason


def test_unit_conversions_are_computed_once_per_pair_and_failures_still_raise():
    _conversion.cache_clear()
    for _ in range(3):
        assert conversion_factor("kg", "t") == pytest.approx(1e-3, rel=1e-15)
        assert not convertible("kWh", "t")
        with pytest.raises(UnitError, match="cannot convert 'kWh' to 't'"):
            conversion_factor("kWh", "t")
        with pytest.raises(UnitError, match="unknown unit 'blorps'"):
            conversion_factor("blorps", "t")
    info = _conversion.cache_info()
    assert (info.misses, info.hits) == (3, 9)
    assert is_mass("kg") and not is_mass("kWh")
