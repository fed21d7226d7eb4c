# ruff: noqa: E501  (rows of expected errors read best one per line)
"""Every cross-table check of a bundle (connectors/validate.py, flow_checks.py), one bundle per
group, with the exact errors (file, row, column, value, reason) and warnings written out by hand
from the rules in docs/bundle-format.md."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tanlian.connectors.bundle import import_bundle, load_bundle
from tanlian.errors import ValidationFailed
from tanlian.graph.embedded import EmbeddedStore

PARKS = [{"id": "PK", "name": "Park", "year": "2024"}]
ENTERPRISES = [
    {"id": "E1", "name": "Mill", "park": "PK"},
    {"id": "E2", "name": "Power", "park": "PK"},
    {"id": "E5", "name": "Haulage", "park": "PK"},
]
PRODUCTS = [
    {"id": "P1", "enterprise": "E1", "unit": "t", "output": "10", "price_cny": "100"},
    {"id": "P2", "enterprise": "E2", "unit": "kWh", "output": "1000", "kind": "energy", "carrier": "electricity"},
    {"id": "T1", "enterprise": "E5", "unit": "t*km", "output": "1000", "price_cny": "1"},
]


def write(folder: Path, **tables: list[dict]) -> Path:
    folder.mkdir()
    base = {"parks": PARKS, "enterprises": ENTERPRISES, "products": PRODUCTS}
    for name, rows in {**base, **tables}.items():
        pd.DataFrame(rows).fillna("").to_csv(folder / f"{name}.csv", index=False)
    return folder


def failures(folder: Path, existing=None) -> list[tuple]:
    with pytest.raises(ValidationFailed) as exc:
        load_bundle(folder, existing=existing)
    return [(e.file, e.row, e.column, e.value, e.reason) for e in exc.value.errors]


def test_activities(tmp_path):
    acts = [
        {"enterprise": "E1", "type": "fuel", "item": "coal_x", "quantity": "1", "unit": "t"},
        {"enterprise": "E1", "type": "fuel", "item": "steel_bof", "quantity": "1", "unit": "t"},
        {"enterprise": "E1", "type": "fuel", "item": "diesel", "quantity": "1", "unit": "kWh"},
        {"enterprise": "E1", "type": "electricity", "item": "grid", "quantity": "100", "unit": "kg"},
        {"enterprise": "E1", "type": "process", "item": "XYZ", "quantity": "1", "unit": "t"},
        {"enterprise": "E1", "type": "process", "item": "CO2", "quantity": "1", "unit": "kWh"},
        {"enterprise": "E2", "type": "electricity", "item": "grid", "quantity": "1", "unit": "MWh", "green_mwh": "0.5"},
        {"id": "g2", "enterprise": "E2", "type": "electricity", "item": "grid", "quantity": "1", "unit": "kWh", "green_mwh": "0.75"},
        {"enterprise": "E9", "type": "process", "item": "CO2", "quantity": "1", "unit": "t"},
    ]  # fmt: skip
    got = failures(write(tmp_path / "b", activities=acts))
    gases = [e for e in got if e[4].startswith("unknown gas")]
    assert len(gases) == 1 and "CO2" in gases[0][4] and "CH4" in gases[0][4]
    assert [e for e in got if not e[4].startswith("unknown gas")] == [
        ("activities.csv", 2, "item", "coal_x", "unknown factor"),
        ("activities.csv", 3, "item", "steel_bof", "fuel activities need an energy factor (this one is material)"),
        ("activities.csv", 4, "unit", "kWh", "cannot convert 'kWh' to 't', the unit of factor diesel"),
        ("activities.csv", 5, "unit", "kg", "cannot convert 'kg' to 'kWh', the unit of electricity"),
        ("activities.csv", 5, "unit", "kg", "cannot convert 'kg' to 'MWh', the unit of electricity"),
        ("activities.csv", 7, "unit", "kWh", "process quantities are masses of gas (e.g. t, kg)"),
        # 0.5 + 0.75 MWh green against 1.001 MWh bought: reported on the last green row
        ("activities.csv", 9, "green_mwh", "1.25", "green_mwh above the enterprise's electricity use (1.001 MWh)"),
        ("activities.csv", 10, "enterprise", "E9", "unknown enterprise"),
    ]
    assert gases[0][:4] == ("activities.csv", 6, "item", "XYZ")


def test_flows_and_outputs(tmp_path):
    flows = [
        {"id": "f1", "from": "factor:nope", "to": "E1", "quantity": "1", "unit": "t"},
        {"id": "f2", "from": "factor:diesel", "to": "E1", "quantity": "1", "unit": "t"},
        {"id": "f3", "from": "factor:steel_bof", "to": "E1", "quantity": "1", "unit": "kWh", "distance_km": "10", "mode": "road"},
        {"id": "f4", "from": "factor:steel_bof", "to": "E1", "spend_cny": "100"},
        {"id": "f5", "from": "P9", "to": "E1", "quantity": "1", "unit": "t"},
        {"id": "f6", "from": "P1", "to": "E2", "quantity": "1", "unit": "kWh"},
        {"id": "f7", "from": "P2", "to": "E1", "spend_cny": "10"},
        {"id": "f8", "from": "P2", "to": "E1", "quantity": "5", "unit": "kWh", "distance_km": "3", "mode": "road"},
        {"id": "f9", "from": "P1", "to": "E9", "quantity": "1", "unit": "t"},
        {"id": "f10", "from": "T1", "to": "E1", "quantity": "10", "unit": "t*km"},
        {"id": "f11", "from": "P1", "to": "E1", "quantity": "1", "unit": "t", "distance_km": "5", "mode": "road"},
        {"id": "f12", "from": "P1", "to": "E2", "quantity": "20000", "unit": "kg"},
    ]  # fmt: skip
    folder = write(tmp_path / "b", flows=flows)
    assert failures(folder) == [
        ("flows.csv", 2, "from", "factor:nope", "unknown factor (not in the bundle, the store or the library)"),
        ("flows.csv", 3, "from", "factor:diesel", "flows may not reference energy factors: buying fuel or power is an activity"),
        ("flows.csv", 4, "distance_km", "10.0", "transport needs a mass: give the quantity in a mass unit"),
        ("flows.csv", 4, "unit", "kWh", "cannot convert 'kWh' to 't', the unit of factor steel_bof"),
        ("flows.csv", 5, "spend_cny", "100.0", "spend-only flow needs a per-CNY factor (steel_bof is per t)"),
        ("flows.csv", 6, "from", "P9", "unknown product (use factor:<id> for goods bought outside the graph)"),
        ("flows.csv", 7, "unit", "kWh", "cannot convert 'kWh' to 't', the unit of product P1"),
        ("flows.csv", 8, "spend_cny", "10.0", "spend-only flow of product P2, which has no price_cny"),
        ("flows.csv", 9, "distance_km", "3.0", "transport needs a mass: kWh is not a mass and product P2 has no mass_kg"),
        ("flows.csv", 10, "to", "E9", "unknown enterprise"),
        # P1: 1 t (f9) + 1 t (f11) + 20 t (f12); f6 does not convert and is not counted
        ("products.csv", 2, "output", "10.0", "flows out of P1 sum to 22 t, more than its output"),
    ]  # fmt: skip


def test_transport_counted_twice_is_a_warning(tmp_path):
    flows = [
        {"id": "f10", "from": "T1", "to": "E1", "quantity": "10", "unit": "t*km"},
        {"id": "f11", "from": "P1", "to": "E1", "quantity": "1", "unit": "t", "distance_km": "5", "mode": "road"},
        {"id": "f12", "from": "P1", "to": "E2", "quantity": "1", "unit": "t", "distance_km": "5", "mode": "road"},
    ]  # fmt: skip
    bundle = load_bundle(write(tmp_path / "b", flows=flows))
    assert bundle.warnings == [
        "flows.csv: flow f11 carries distance_km and E1 also buys transport as a service; "
        "count the transport once (DECISIONS 18)"
    ]


def test_stored_flows_count_against_the_output(tmp_path):
    store = EmbeddedStore(tmp_path / "s.sqlite")
    stored = [{"id": "s1", "from": "P1", "to": "E2", "quantity": "8", "unit": "t"}]
    import_bundle(store, write(tmp_path / "a", flows=stored))
    upsert = tmp_path / "b"
    upsert.mkdir()
    pd.DataFrame(ENTERPRISES[:1]).to_csv(upsert / "enterprises.csv", index=False)
    pd.DataFrame([{"id": "P3", "enterprise": "E1", "unit": "t", "output": "1"}]).to_csv(
        upsert / "products.csv", index=False
    )
    pd.DataFrame([{"id": "f1", "from": "P1", "to": "E1", "quantity": "5000", "unit": "kg"}]).to_csv(
        upsert / "flows.csv", index=False
    )
    assert failures(upsert, existing=store.snapshot_tables()) == [
        ("products.csv", None, "output", "10.0", "flows out of P1 sum to 13 t (8 of them in stored flows), more than its output")
    ]  # fmt: skip
    # the same id replaces the stored flow instead of adding to it
    pd.DataFrame([{"id": "s1", "from": "P1", "to": "E1", "quantity": "5", "unit": "t"}]).to_csv(
        upsert / "flows.csv", index=False
    )
    assert load_bundle(upsert, existing=store.snapshot_tables()).data["flow"].table.num_rows == 1


def test_products_sales_symbiosis_allocation_and_parks(tmp_path):
    ents = [
        *ENTERPRISES,
        {"id": "E3", "name": "Twins", "park": "PK", "allocation": "explicit"},
        {"id": "E4", "name": "X", "park": "PQ"},
    ]
    products = [
        *PRODUCTS,
        {"id": "P4", "enterprise": "E5", "unit": "kWh", "output": "1", "kind": "energy", "price_cny": "1"},
        {"id": "P5", "enterprise": "E3", "unit": "t", "output": "1", "carrier": "heat"},
        {"id": "P6", "enterprise": "E3", "unit": "t", "output": "1"},
        {"id": "P7", "enterprise": "E8", "unit": "t", "output": "1", "kind": "waste", "price_cny": "5"},
    ]
    sales = [
        {"product": "P9", "customer": "C", "quantity": "1", "unit": "t"},
        {"product": "P1", "customer": "C", "quantity": "1", "unit": "kWh"},
        {"product": "P1", "customer": "D", "quantity": "1", "unit": "t", "eol": "nope"},
        {"product": "P2", "customer": "C", "quantity": "1", "unit": "kWh", "eol": "waste_landfill"},
    ]
    residuals = [
        {"enterprise": "E9", "material": "unobtainium", "quantity": "1", "unit": "t", "current_treatment": "nope"}
    ]
    needs = [{"enterprise": "E1", "material": "fly_ash", "quantity": "1", "unit": "t", "virgin": "nope2"}]
    folder = write(tmp_path / "b", enterprises=ents, products=products, sales=sales, residuals=residuals, needs=needs)
    assert failures(folder) == [
        ("enterprises.csv", 5, "allocation", "explicit", "enterprise 'E3': rule 'explicit' needs column 'share' for products ['P5', 'P6']"),
        ("enterprises.csv", 6, "park", "PQ", "unknown park (add it to parks.csv)"),
        ("needs.csv", 2, "virgin", "nope2", "unknown factor"),
        ("products.csv", 5, "carrier", None, "required for kind=energy: electricity | heat | steam | cooling | fuel"),
        ("products.csv", 6, "carrier", "heat", "only energy products have a carrier (this one is kind=product)"),
        ("products.csv", 8, "enterprise", "E8", "unknown enterprise"),
        ("residuals.csv", 2, "current_treatment", "nope", "unknown factor"),
        ("residuals.csv", 2, "enterprise", "E9", "unknown enterprise"),
        ("residuals.csv", 2, "material", "unobtainium", "unknown material (see seed_data/materials.csv)"),
        ("sales.csv", 2, "product", "P9", "unknown product"),
        ("sales.csv", 3, "unit", "kWh", "cannot convert 'kWh' to 't', the unit of product P1"),
        ("sales.csv", 4, "eol", "nope", "unknown factor"),
        ("sales.csv", 5, "eol", "waste_landfill", "factor waste_landfill is per t; product P2 needs a unit or mass_kg to match"),
    ]  # fmt: skip


def test_parks_of_two_years(tmp_path):
    parks = [*PARKS, {"id": "PK2", "name": "Other", "year": "2023"}]
    why = "all parks of a bundle share one accounting year (found [2023, 2024])"
    assert failures(write(tmp_path / "b", parks=parks)) == [
        ("parks.csv", 2, "year", "2024", why),
        ("parks.csv", 3, "year", "2023", why),
    ]
