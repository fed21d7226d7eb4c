"""Enterprise A publishes; B's PACT client fetches over HTTPS (real uvicorn, self-signed cert) and
imports; B's Scope 3 line for that product turns supplier-specific and its intensity is A's figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.connectors.bundle import import_bundle
from tanlian.connectors.pact.importer import import_footprints, read_url
from tanlian.connectors.pact.publish import publish
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import Enterprise, Flow, PactPartner, Product, SupplierFootprint
from tanlian.lca.accounting.scope import enterprise_account
from tanlian.lca.core.cache import results
from tanlian.settings import Settings

from .https_server import HttpsServer, self_signed

MINI = Path(__file__).parents[1] / "data" / "mini"
A_BASE, B_BASE = "https://alpha.example", "https://beta.example"
SECRET = "roundtrip-secret-of-at-least-32-bytes!"


def supplier_store(path: Path) -> EmbeddedStore:
    """A's own store: the mini park, A1 published."""
    store = EmbeddedStore(path)
    import_bundle(store, MINI)
    publish(store, results.get(store), ["A1"], A_BASE)
    return store


def customer_store(path: Path) -> EmbeddedStore:
    """B's store: the same park, but A does not share with B, A1 carries A's PACT product id, and
    B also buys 10 t of ore valued with an average factor."""
    store = EmbeddedStore(path)
    import_bundle(store, MINI)
    a, a1 = store.get(Enterprise, "A"), store.get(Product, "A1")
    store.upsert(
        [
            a.model_copy(update={"share_footprints": False}),
            a1.model_copy(update={"pact_ids": "urn:pact:alpha.example:product-id:A1"}),
            Flow.model_validate({"id": "F9", "from": "factor:ore_test", "to": "B", "quantity": 10, "unit": "t"}),
        ]
    )
    return store


def line_for(account: dict, counterpart: str) -> dict:
    (line,) = [ln for ln in account["lines"] if ln["counterpart"] == counterpart]
    return line


@pytest.fixture
def tls(tmp_path):
    return self_signed(tmp_path)


def test_round_trip_makes_the_scope3_line_supplier_specific(tmp_path, tls):
    cert, key = tls
    a_store, b_store = supplier_store(tmp_path / "a.db"), customer_store(tmp_path / "b.db")
    a_client, a_secret = new_client(a_store, "beta", "partner")
    b_store.upsert(
        [PactPartner(id="alpha", base_url="https://127.0.0.1:0", client_id=a_client.id, client_secret=a_secret)]
    )
    before_result = results.get(b_store)
    before = enterprise_account(before_result, "B", shared_only=True)
    line0 = line_for(before, "A1")
    assert line0["method"].startswith("data-gap") and line0["kgco2e"] == 0.0 and line0["primary"] is False

    app = create_app(
        Settings(store=a_store.url, jwt_secret=SECRET, public_base_url=A_BASE, pact_worker_interval_s=0), a_store
    )
    with HttpsServer(app, cert, key) as a_url:
        partner = b_store.get(PactPartner, "alpha")
        b_store.upsert([partner.model_copy(update={"base_url": a_url})])
        items = read_url(b_store, a_url, verify=str(cert))  # openid discovery, token, /3/footprints
    assert [d["productIds"][0] for d in items] == ["urn:pact:alpha.example:product-id:A1"]
    out = import_footprints(b_store, items, a_url, B_BASE)
    assert [(o.outcome, o.product, o.unit) for o in out] == [("attached", "A1", "t")]
    per_kg = float(items[0]["pcf"]["pcfExcludingBiogenicUptake"])
    assert out[0].kgco2e_per_unit == pytest.approx(per_kg * 1000)  # kilogram → the product's tonne

    after_result = results.get(b_store)
    assert after_result is not before_result  # the import changed the key of the cached solve
    after = enterprise_account(after_result, "B", shared_only=True)
    line1 = line_for(after, "A1")
    assert line1["method"] == "supplier-specific" and line1["primary"] is True
    assert line1["kgco2e"] == pytest.approx(40.0 * per_kg * 1000, rel=1e-9)  # 40 000 kg of A1
    assert before["primary_data_share"] == 0.0  # only the average-data ore line was known
    assert after["primary_data_share"] == pytest.approx(line1["kgco2e"] / after["scope3_kgco2e"])
    assert after["primary_data_share"] > 0.5
    assert after["scope3_kgco2e"] == pytest.approx(before["scope3_kgco2e"] + line1["kgco2e"], rel=1e-9)

    # in the solve: A1 is A's figure, and B1 = its own burden + A1 per unit of B1 × that figure
    s = after_result.system
    ia, ib = s.index["A1"], s.index["B1"]
    assert after_result.intensity[ia] == pytest.approx(per_kg * 1000, rel=1e-12)
    expected_b1 = s.b[ib].sum() + s.M[ia, ib] * per_kg * 1000
    assert after_result.intensity[ib] == pytest.approx(expected_b1, rel=1e-12)
    assert s.M[:, ia].nnz == 0  # A1's own inputs no longer count
    print(f"B's Scope 3 line for A1: before {line0['kgco2e']:.1f} kgCO2e ({line0['method']}), "
          f"after {line1['kgco2e']:.1f} kgCO2e ({line1['method']}); primary share "
          f"{before['primary_data_share']:.3f} -> {after['primary_data_share']:.3f}")  # fmt: skip


def test_imported_value_replaces_a_computed_intensity_and_dense_solve_agrees(tmp_path):
    store = EmbeddedStore(tmp_path / "c.db")
    import_bundle(store, MINI)
    store.upsert(
        [
            SupplierFootprint(
                id="11111111-1111-4111-8111-111111111111", product="A1", kgco2e_per_unit=2500.0,
                spec_version="3.0.0", document={}, imported="2026-12-05T00:00:00Z",
            )
        ]
    )  # fmt: skip
    r = results.get(store)
    s = r.system
    n = len(s.products)
    dense = np.linalg.solve(np.eye(n) - s.M.toarray().T, s.b.sum(axis=1))
    assert np.allclose(r.intensity, dense, rtol=1e-12, atol=0)
    assert r.intensity[s.index["A1"]] == pytest.approx(2500.0)
