"""Publishing: every footprint meets the v3 rules and the JSON Schema; ids, deprecation, defaults."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from tanlian.connectors.pact.build import footprint_content
from tanlian.connectors.pact.model_v2 import ProductFootprintV2
from tanlian.connectors.pact.model_v3 import ProductFootprint
from tanlian.connectors.pact.publish import all_publishable, publish, published
from tanlian.connectors.pact.schema import SCHEMA_FILE
from tanlian.connectors.pact.units import declared_unit
from tanlian.connectors.pact.v2 import v2_reason, v2_view
from tanlian.errors import TanlianError
from tanlian.graph.model import Activity, Enterprise, PactFootprint, Product
from tanlian.lca.core.cache import results

from .conftest import BASE

DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
DECIMAL_FIELDS = (
    "declaredUnitAmount", "productMassPerDeclaredUnit", "pcfExcludingBiogenicUptake", "pcfIncludingBiogenicUptake",
    "fossilGhgEmissions", "fossilCarbonContent", "exemptedEmissionsPercent", "primaryDataShare",
)  # fmt: skip
GEO = ("geographyCountry", "geographyCountrySubdivision", "geographyRegionOrSubregion")


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def test_every_published_footprint_meets_the_spec_rules(host, schema):
    recs = published(host.store)
    assert len(recs) == len(all_publishable(results.get(host.store))) > 10
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for r in recs:
        doc = r.document
        validator.validate(doc)
        ProductFootprint.model_validate(doc)
        assert doc["specVersion"] == "3.0.0" and doc["status"] == "Active"
        assert sum(1 for k in GEO if k in doc["pcf"]) == 1, doc["pcf"]
        for k in DECIMAL_FIELDS:
            assert isinstance(doc["pcf"][k], str) and DECIMAL.match(doc["pcf"][k]), (k, doc["pcf"][k])
        for k in ("technologicalDQR", "geographicalDQR", "temporalDQR"):
            assert 1 <= float(doc["pcf"]["dqi"][k]) <= 5
        assert doc["pcf"]["declaredUnitAmount"] == "1"
        assert doc["pcf"]["ipccCharacterizationFactors"] == ["AR6"]
        assert doc["pcf"]["crossSectoralStandards"] == ["ISO14067", "GHGP-Product"]
        assert doc["companyIds"][0] == f"urn:pact:tanlian-a.example:company-id:{r.enterprise}"
        assert doc["productIds"][0] == f"urn:pact:tanlian-a.example:product-id:{r.product}"
        assert doc["pcf"]["referencePeriodStart"] == "2022-01-01T00:00:00Z"
        assert doc["pcf"]["referencePeriodEnd"] == "2023-01-01T00:00:00Z"
        assert "e" not in json.dumps(doc["pcf"]["pcfExcludingBiogenicUptake"]).lower()


def test_schema_rejects_what_the_spec_forbids(host, schema):
    doc = published(host.store)[0].document
    validator = jsonschema.Draft202012Validator(schema)
    bad = [
        {**doc, "pcf": {**doc["pcf"], "pcfExcludingBiogenicUptake": "1e-3"}},  # exponent
        {**doc, "pcf": {**doc["pcf"], "fossilGhgEmissions": 0.5}},  # a number, not a string
        {**doc, "pcf": {**doc["pcf"], "geographyCountry": "CN", "geographyCountrySubdivision": "CN-JS"}},
        {**doc, "pcf": {**doc["pcf"], "declaredUnitOfMeasurement": "ton"}},
        {**doc, "status": "Retired"},
        {**doc, "id": "not-a-uuid"},
        {**doc, "productIds": ["GTIN-123"]},
        {k: v for k, v in doc.items() if k != "companyName"},
        {**doc, "pcf": {k: v for k, v in doc["pcf"].items() if k != "exemptedEmissionsPercent"}},
    ]
    for b in bad:
        assert list(validator.iter_errors(b)), b


def test_schema_file_is_written_from_the_models_and_matches_the_spec():
    from tanlian.connectors.pact.schema import v3_schema

    schema = v3_schema()
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == schema
    # required fields and enums as the spec (3.0.3 data model) lists them
    assert schema["required"] == [
        "id", "specVersion", "created", "status", "companyName", "companyIds",
        "productDescription", "productIds", "productNameCompany", "pcf",
    ]  # fmt: skip
    cf = schema["$defs"]["CarbonFootprint"]
    assert set(cf["required"]) == {
        "declaredUnitOfMeasurement", "declaredUnitAmount", "productMassPerDeclaredUnit", "referencePeriodStart",
        "referencePeriodEnd", "pcfExcludingBiogenicUptake", "pcfIncludingBiogenicUptake", "fossilGhgEmissions",
        "fossilCarbonContent", "ipccCharacterizationFactors", "crossSectoralStandards", "exemptedEmissionsPercent",
    }  # fmt: skip
    assert cf["properties"]["declaredUnitOfMeasurement"]["enum"] == [
        "liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule",
        "ton kilometer", "square meter", "piece", "hour", "megabit second",
    ]  # fmt: skip
    assert schema["properties"]["status"]["enum"] == ["Active", "Deprecated"]


@pytest.mark.parametrize(
    ("unit", "name", "per_unit"),
    [("t", "kilogram", 1000.0), ("MWh", "kilowatt hour", 1000.0), ("GJ", "megajoule", 1000.0),
     ("m**3", "cubic meter", 1.0), ("t*km", "ton kilometer", 1.0), ("count", "piece", 1.0), ("kg", "kilogram", 1.0)],
)  # fmt: skip
def test_unit_table(unit, name, per_unit):
    d = declared_unit(unit)
    assert (d.name, d.per_product_unit) == (name, pytest.approx(per_unit))


def test_unmappable_unit_is_a_clear_error():
    with pytest.raises(TanlianError, match=r"CNY.*no PACT declared unit"):
        declared_unit("CNY")


def test_values_are_per_declared_unit(host):
    result = results.get(host.store)
    by_product = {r.product: r.document for r in published(host.store)}
    rebar = by_product["E02_REBAR"]["pcf"]  # t → kilogram: the value per kg
    assert rebar["declaredUnitOfMeasurement"] == "kilogram"
    assert float(rebar["pcfExcludingBiogenicUptake"]) == pytest.approx(
        result.intensity_of("E02_REBAR") / 1000, rel=1e-5
    )
    assert rebar["productMassPerDeclaredUnit"] == "1"
    power = by_product["E01_ELEC"]["pcf"]  # MWh → kilowatt hour
    assert power["declaredUnitOfMeasurement"] == "kilowatt hour"
    assert float(power["pcfExcludingBiogenicUptake"]) == pytest.approx(result.intensity_of("E01_ELEC") / 1000, rel=1e-5)
    meter = by_product["E09_METER"]  # count → piece, mass from mass_kg
    assert meter["pcf"]["declaredUnitOfMeasurement"] == "piece"
    assert meter["pcf"]["productMassPerDeclaredUnit"] == "1.2"
    assert by_product["E02_REBAR"]["productClassifications"] == ["urn:pact:productclassification:un-cpc:41241"]
    assert rebar["geographyCountrySubdivision"] == "CN-JS"  # the park's province, Jiangsu


def test_all_publishes_only_park_enterprises_that_share(host):
    recs = published(host.store)
    g = host.store.snapshot()
    assert {r.enterprise for r in recs} == {e.id for e in g.enterprises.values() if e.park and e.share_footprints}
    assert all(g.products[r.product].kind != "waste" for r in recs)


def test_republish_keeps_ids_and_a_change_deprecates(fresh_host):
    store = fresh_host.store
    before = {r.product: r.id for r in published(store)}
    again = publish(store, results.get(store), ["E02_REBAR", "E03_CEMENT"], BASE)
    assert [(o.outcome, o.pf_id) for o in again] == [
        ("unchanged", before["E02_REBAR"]),
        ("unchanged", before["E03_CEMENT"]),
    ]
    rev = store.revision()
    act = store.get(Activity, "A006")  # E02's natural gas for the reheating furnaces
    store.upsert([act.model_copy(update={"quantity": act.quantity * 1.5})])
    assert store.revision() != rev
    out = publish(store, results.get(store), ["E02_REBAR"], BASE)
    assert out[0].outcome == "new" and out[0].pf_id != before["E02_REBAR"]
    assert out[0].deprecated == (before["E02_REBAR"],)
    new, old = store.get(PactFootprint, out[0].pf_id), store.get(PactFootprint, before["E02_REBAR"])
    assert new.document["precedingPfIds"] == [before["E02_REBAR"]]
    assert old.status == "Deprecated" and old.document["status"] == "Deprecated"  # still retrievable
    assert float(new.document["pcf"]["pcfExcludingBiogenicUptake"]) > float(
        old.document["pcf"]["pcfExcludingBiogenicUptake"]
    )
    # rooftop PV (no inputs, another enterprise) did not change: republishing keeps its id
    assert publish(store, results.get(store), ["E12_ELEC"], BASE)[0] == type(out[0])(
        "E12_ELEC", "unchanged", before["E12_ELEC"]
    )


def test_pact_ids_join_the_urns(fresh_host):
    store = fresh_host.store
    ent = store.get(Enterprise, "E02")
    prod = store.get(Product, "E02_REBAR")
    store.upsert(
        [
            ent.model_copy(update={"pact_ids": "urn:lei:5493001KJTIIGC8Y1R12"}),
            prod.model_copy(update={"pact_ids": "urn:gtin:06901234567892; urn:pact:acme:product-id:rebar"}),
        ]
    )
    doc = footprint_content(results.get(store), "E02_REBAR", BASE)
    assert doc["companyIds"] == ["urn:pact:tanlian-a.example:company-id:E02", "urn:lei:5493001KJTIIGC8Y1R12"]
    assert doc["productIds"][1:] == ["urn:gtin:06901234567892", "urn:pact:acme:product-id:rebar"]


def test_v2_views_are_derived_and_piece_is_left_out(host):
    recs = published(host.store)
    for r in recs:
        view = v2_view(r.document)
        if r.document["pcf"]["declaredUnitOfMeasurement"] == "piece":
            assert view is None and "piece" in v2_reason(r.document)
            continue
        pf = ProductFootprintV2.model_validate(view)
        assert pf.id == r.id and pf.specVersion == "2.3.0"
        assert view["pcf"]["pCfExcludingBiogenic"] == r.document["pcf"]["pcfExcludingBiogenicUptake"]
        assert view["pcf"]["declaredUnit"] == r.document["pcf"]["declaredUnitOfMeasurement"]
        assert view["pcf"]["biogenicCarbonContent"] == "0" and view["pcf"]["packagingEmissionsIncluded"] is False
        assert isinstance(view["pcf"]["primaryDataShare"], float)
    stored = host.store.list(PactFootprint)
    assert all(
        "specVersion" in r.document and r.document["specVersion"] == "3.0.0" for r in stored
    )  # nothing v2 stored
