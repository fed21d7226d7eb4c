"""PACT aux records on both backends: upsert/get/list, not part of the bundle, wiped with the store."""

from __future__ import annotations

from pathlib import Path

from tanlian.connectors.bundle import import_bundle
from tanlian.connectors.pact.publish import all_publishable, publish, published
from tanlian.graph.model import AUX_TYPES, ENTITY_TYPES, PactPartner, PactRequest, SupplierFootprint
from tanlian.lca.core.cache import results

MINI = Path(__file__).parents[1] / "data" / "mini"


def test_aux_types_registered():
    assert {t.type_name for t in AUX_TYPES} <= set(ENTITY_TYPES)
    assert {"client", "pact_footprint", "supplier_footprint", "pact_request", "pact_partner"} <= set(ENTITY_TYPES)


def test_publish_and_aux_records_on_every_backend(store):
    import_bundle(store, MINI)
    result = results.get(store)
    out = publish(store, result, all_publishable(result), "https://contract.example")
    assert {o.outcome for o in out} == {"new"}
    recs = published(store)
    assert {r.product for r in recs} == {"A1", "A2", "B1"}
    got = store.get(type(recs[0]), recs[0].id)
    assert got == recs[0] and got.document["pcf"]["ipccCharacterizationFactors"] == ["AR6"]
    assert publish(store, results.get(store), ["A1"], "https://contract.example")[0].outcome == "unchanged"
    assert published(store) is published(store)  # one list per auxiliary revision: not re-read per request
    req = PactRequest(id="r1", version="3", callback="https://x.example/3/events", event={"id": "e", "data": {}})
    partner = PactPartner(id="p1", base_url="https://x.example", client_id="c", client_secret="s")
    sf = SupplierFootprint(id="s1", product="B1", kgco2e_per_unit=1.5, spec_version="3.0.0", document={"a": [1]})
    assert store.upsert([req, partner, sf]) == 3
    assert store.get(PactRequest, "r1") == req and store.list(PactPartner) == [partner]
    assert published(store) == recs  # other auxiliary writes: a new revision, the same footprints
    assert store.get(SupplierFootprint, "s1").document == {"a": [1]}
    assert "pact_footprints" not in store.snapshot().counts()  # not bundle data
    assert results.get(store).intensity_of("B1") == 1.5  # the override is read from the store
    store.wipe()
    assert store.list(SupplierFootprint) == [] and published(store) == []
