"""The issue's probes rerun against a real ``tanlian serve`` over the two-park store: each answers
403/404/409/413/429 or an aggregate, and nothing private."""

from __future__ import annotations

import os
import sqlite3

import httpx
import pytest

from tanlian.api.auth import revoke_client
from tanlian.graph.embedded import EmbeddedStore

from .conftest import serve, stop, two_park_store, wait_ready
from .helpers import enterprises, table, zip_tables

REL = 1e-9


@pytest.fixture
def c(served):
    with httpx.Client(base_url=served.url, timeout=60) as client:
        yield client


def _fp(c, served, product: str) -> dict:
    return c.get(f"/v1/products/{product}/footprint", headers=served.h("platform")).json()


@pytest.mark.parametrize("who", ["p1_admin", "p1_auditor"])
def test_probe_1_scenario_switch_shows_an_aggregate(c, served, who):
    body = {"name": "probe", "changes": [{"op": "switch_supplier", "flow": "F2", "to": "Z1P"}]}
    out = c.post("/v1/scenarios", json=body, headers=served.h(who)).json()
    delta = out["enterprises"]["B"]["scope3_kgco2e"]["delta"]
    peers = {p: _fp(c, served, p)["kgco2e_per_unit"] for p in ("A1", "Z2P", "X07_BAR")}
    outputs = {"A1": 100, "Z2P": 300, "X07_BAR": 400}
    average = sum(outputs[p] * v for p, v in peers.items()) / sum(outputs.values())
    assert delta == pytest.approx(40 * (average - peers["A1"]), rel=REL)
    assert delta != pytest.approx(40 * (_fp(c, served, "Z1P")["kgco2e_per_unit"] - peers["A1"]), rel=1e-3)


def test_probe_2_claiming_and_rewriting_outside_enterprises(c, served):
    def up(who: str, tables: dict[str, str]) -> int:
        files = {"file": ("b.zip", zip_tables(tables), "application/zip")}
        return c.post("/v1/imports", files=files, headers=served.h(who)).status_code

    assert up("p1_admin", enterprises("X06,X06,P1,,,,,true")) == 403
    assert c.get("/v1/flows/FX6", headers=served.h("p1_admin")).status_code == 404
    assert _fp(c, served, "X06_BAR")["enterprise"] == "X06"
    b_view = c.get("/v1/products/X06_BAR/footprint", headers=served.h("ent_B")).json()
    assert b_view["shared"] is False and "peers" not in b_view
    head = table("products").splitlines()[0]
    billet = {**enterprises(), "products": f"{head}\nX01_BILLET,X01,Billet,t,1,product,,3000,1000,41241\n"}
    assert up("p1_admin", billet) in (403, 422) and up("platform", billet) == 422


def test_probe_4_class_average_and_alternatives(c, served):
    pipe = c.get("/v1/products/X06_PIPE/footprint", headers=served.h("ent_B")).json()
    assert pipe["shared"] is False and "kgco2e_per_unit" not in pipe
    alts = c.get("/v1/flows/FBX/alternatives", headers=served.h("ent_B")).json()["alternatives"]
    hidden = [a for a in alts if a["source"] != "A1"]
    assert hidden and all(a["cost_cny"] is None and not a["shared"] for a in hidden)


def test_probe_6_revoked_token_and_secret_guessing(c, served):
    assert c.get("/v1/enterprises", headers=served.h("p1_auditor")).status_code == 200
    store = EmbeddedStore(served.store_path)
    try:
        revoke_client(store, served.creds["p1_auditor"][0])
    finally:
        store.close()
    assert c.get("/v1/enterprises", headers=served.h("p1_auditor")).status_code == 401
    cid = served.creds["p2_admin"][0]
    answers = [
        c.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, "guess")).status_code
        for _ in range(12)
    ]
    assert 429 in answers and set(answers) <= {401, 429}


@pytest.mark.parametrize(
    ("who", "hidden", "missing"),
    [
        ("p1_admin", "/v1/parks/P2/inventory", "/v1/parks/P9/inventory"),
        ("ent_B", "/v1/products/Z1P/footprint", "/v1/products/NOPE/footprint"),
    ],
)
def test_probe_7_no_existence_oracle(c, served, who, hidden, missing):
    assert c.get(hidden, headers=served.h(who)).status_code == c.get(missing, headers=served.h(who)).status_code == 404


def test_probe_8_headers_and_offline_docs(c, served):
    r = c.get("/v1/products", headers=served.h("p1_admin"))
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "private, no-cache"
    assert c.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_probe_7_locked_store_is_503(c, served):
    other = sqlite3.connect(served.store_path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        files = {"file": ("b.zip", zip_tables(enterprises("XL,locked,,CN-East,,,,true")), "application/zip")}
        r = c.post("/v1/imports", files=files, headers=served.h("p1_admin"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"


def test_probe_7_deleted_store_is_not_ready(tmp_path):
    store, _ = two_park_store(tmp_path / "gone.db")
    store.close()
    proc, port = serve(tmp_path / "gone.db", tmp_path / "gone.log")
    try:
        wait_ready(proc, port)
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{tmp_path}/gone.db{suffix}"):
                os.unlink(f"{tmp_path}/gone.db{suffix}")
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 503
    finally:
        stop(proc)
