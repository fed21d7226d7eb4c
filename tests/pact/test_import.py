"""Import: v3 and v2.3 footprints (one, a list, a data page), every violated rule reported, attachment."""

from __future__ import annotations

import copy
import json

import pytest
from fastapi.testclient import TestClient

from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.connectors.pact.importer import footprints_of, import_footprints, read_file
from tanlian.connectors.pact.publish import published
from tanlian.connectors.pact.v2 import v2_view
from tanlian.connectors.pact.validation import validate_footprints
from tanlian.errors import ValidationFailed
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import SupplierFootprint
from tanlian.lca.core.cache import results
from tanlian.settings import Settings

from .conftest import token_for
from .test_roundtrip import B_BASE, customer_store, supplier_store


@pytest.fixture
def stores(tmp_path) -> tuple[EmbeddedStore, EmbeddedStore]:
    return supplier_store(tmp_path / "a.db"), customer_store(tmp_path / "b.db")


def doc_of(a: EmbeddedStore) -> dict:
    return published(a)[0].document


def test_payload_shapes(stores):
    doc = doc_of(stores[0])
    assert footprints_of(doc, "x") == [doc]
    assert footprints_of([doc, doc], "x") == [doc, doc]
    assert footprints_of({"data": [doc]}, "x") == [doc]
    with pytest.raises(ValidationFailed):
        footprints_of("text", "x")


def test_every_violated_rule_is_reported(stores):
    doc = doc_of(stores[0])
    bad = copy.deepcopy(doc)
    bad["id"] = "not-a-uuid"
    bad["pcf"]["pcfExcludingBiogenicUptake"] = "1.5e3"
    bad["pcf"]["declaredUnitOfMeasurement"] = "ton"
    bad["pcf"]["geographyCountry"] = "CN"  # a second geography beside CN-JS
    bad["productIds"] = []
    del bad["companyName"]
    with pytest.raises(ValidationFailed) as err:
        validate_footprints([doc, bad], "bad.json")
    found = {(e.row, e.column) for e in err.value.errors}
    assert {(2, "id"), (2, "pcf.pcfExcludingBiogenicUptake"), (2, "pcf.declaredUnitOfMeasurement"),
            (2, "productIds"), (2, "companyName")} <= found  # fmt: skip
    assert all(e.file == "bad.json" and e.row == 2 for e in err.value.errors)
    two_geo = copy.deepcopy(doc)
    two_geo["pcf"]["geographyCountry"] = "CN"
    with pytest.raises(ValidationFailed, match="at most one geography"):
        validate_footprints([two_geo], "geo.json")
    dqr = copy.deepcopy(doc)
    dqr["pcf"]["dqi"]["temporalDQR"] = "7"
    with pytest.raises(ValidationFailed, match="between 1 and 5"):
        validate_footprints([dqr], "dqr.json")
    with pytest.raises(ValidationFailed, match=r"specVersion must be 2\.x"):
        validate_footprints([{**doc, "specVersion": "1.0.0"}], "old.json")


def test_v3_file_import_attaches_and_replaces(stores, tmp_path):
    a, b = stores
    doc = doc_of(a)
    path = tmp_path / "fp.json"
    path.write_text(json.dumps({"data": [doc]}), encoding="utf-8")
    before = results.get(b).intensity_of("A1")
    out = import_footprints(b, read_file(path), path.name, B_BASE)
    assert [(o.outcome, o.product) for o in out] == [("attached", "A1")]
    value = float(doc["pcf"]["pcfExcludingBiogenicUptake"]) * 1000
    assert results.get(b).intensity_of("A1") == pytest.approx(value) != pytest.approx(before)
    (sf,) = b.list(SupplierFootprint)
    assert sf.primary_data_share == pytest.approx(float(doc["pcf"]["primaryDataShare"]) / 100)


def test_v23_import_converts_units(stores):
    a, b = stores
    view = v2_view(doc_of(a))
    out = import_footprints(b, [view], "v2.json", B_BASE)
    assert out[0].outcome == "attached"
    assert out[0].kgco2e_per_unit == pytest.approx(float(view["pcf"]["pCfExcludingBiogenic"]) * 1000)
    assert b.list(SupplierFootprint)[0].spec_version == "2.3.0"


def test_unattached_and_deprecated_are_skipped_with_reasons(stores):
    a, b = stores
    doc = doc_of(a)
    other = {**doc, "id": "22222222-2222-4222-8222-222222222222", "productIds": ["urn:pact:zeta:product-id:Z"],
             "companyIds": ["urn:pact:zeta:company-id:Z"]}  # fmt: skip
    old = {**doc, "id": "33333333-3333-4333-8333-333333333333", "status": "Deprecated"}
    out = import_footprints(b, [other, old], "x.json", B_BASE)
    assert [o.outcome for o in out] == ["skipped", "skipped"]
    assert "pact_ids" in out[0].reason and "Deprecated" in out[1].reason
    assert b.list(SupplierFootprint) == []


def test_a_newer_import_replaces_the_older(stores):
    a, b = stores
    doc = doc_of(a)
    import_footprints(b, [doc], "1.json", B_BASE)
    newer = copy.deepcopy(doc)
    newer["id"] = "44444444-4444-4444-8444-444444444444"
    newer["precedingPfIds"] = [doc["id"]]
    newer["pcf"]["pcfExcludingBiogenicUptake"] = "3"
    import_footprints(b, [newer], "2.json", B_BASE)
    assert [s.id for s in b.list(SupplierFootprint)] == [newer["id"]]
    assert results.get(b).intensity_of("A1") == pytest.approx(3000.0)


def test_import_route(tmp_path):
    a, b = supplier_store(tmp_path / "a.db"), customer_store(tmp_path / "b.db")
    doc = doc_of(a)
    admin, secret = new_client(b, "admin", "park_admin", park="P1")
    ent, esecret = new_client(b, "b", "enterprise", enterprise="B")
    app = create_app(Settings(jwt_secret="import-route-secret-0123456789abcdef", public_base_url=B_BASE,
                              pact_worker_interval_s=0), b)  # fmt: skip
    with TestClient(app) as api:
        h = {"Authorization": f"Bearer {token_for(api, admin.id, secret)}"}
        r = api.post("/v1/pact/import", headers=h, content=json.dumps([doc]))
        assert r.status_code == 200 and r.json()["footprints"][0]["product"] == "A1"
        r = api.post("/v1/pact/import", headers=h, content=json.dumps({**doc, "id": "x"}))
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        assert any(e.get("column") == "id" for e in r.json()["errors"])
        r = api.post("/v1/pact/import", headers={"Authorization": f"Bearer {token_for(api, ent.id, esecret)}"},
                     content=json.dumps([doc]))  # fmt: skip
        assert r.status_code == 403
