"""Item 6: revocation, key versions, token-issue rate limits, the JWT key length."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tanlian.api.app import create_app
from tanlian.api.auth import revoke_client
from tanlian.errors import TanlianError
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import Client
from tanlian.settings import Settings

from .conftest import SECRET, serve, stop


def test_revoked_client_token_is_refused_and_gets_no_new_one(parks):
    h = parks.h("ent_B")
    assert parks.api.get("/v1/products", headers=h).status_code == 200
    revoke_client(parks.store, parks.creds["ent_B"][0])
    r = parks.api.get("/v1/products", headers=h)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    cid, secret = parks.creds["ent_B"]
    assert (
        parks.api.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret)).status_code == 401
    )


def test_deleted_client_token_is_refused(parks):
    parks.store.delete(Client, [parks.creds["p1_admin"][0]])
    assert parks.api.get("/v1/enterprises", headers=parks.h("p1_admin")).status_code == 401


def test_token_carries_the_key_version(parks):
    """A token of an older key version of the same client is refused."""
    import jwt

    claims = jwt.decode(parks.tokens["p1_auditor"], SECRET, algorithms=["HS256"])
    assert claims["kv"] == 1
    old = jwt.encode({**claims, "kv": 0}, SECRET, algorithm="HS256")
    assert parks.api.get("/v1/enterprises", headers={"Authorization": f"Bearer {old}"}).status_code == 401


def _wrong(api, cid: str):
    return api.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, "wrong-secret"))


def test_token_issue_is_rate_limited_per_client(parks):
    """10 attempts per client per minute (settings; the fixture made the first): after 9 wrong
    secrets the next is answered 429 with Retry-After, and so is the right secret until the window
    ends."""
    cid, secret = parks.creds["p2_admin"]
    statuses = [_wrong(parks.api, cid).status_code for _ in range(9)]
    assert statuses == [401] * 9
    r = _wrong(parks.api, cid)
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
    ok = parks.api.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret))
    assert ok.status_code == 429


def test_token_issue_is_rate_limited_per_address_across_workers(tmp_path):
    """Two app instances (as two worker processes) on one store file share the address counter:
    30 attempts per address per minute in all, whatever the client ids."""
    store_a, store_b = EmbeddedStore(tmp_path / "s.db"), EmbeddedStore(tmp_path / "s.db")
    settings = Settings(store=store_a.url, jwt_secret=SECRET)
    with TestClient(create_app(settings, store_a)) as a, TestClient(create_app(settings, store_b)) as b:
        statuses = [_wrong(a if i % 2 else b, f"cl_{i}").status_code for i in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


def test_short_jwt_secret_is_refused(tmp_path):
    with pytest.raises(TanlianError, match="at least 32"):
        create_app(Settings(store=f"sqlite:///{tmp_path}/s.db", jwt_secret="a"))


def test_random_key_is_announced(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="tanlian.api"):
        app = create_app(Settings(store=f"sqlite:///{tmp_path}/s.db", jwt_secret=None))
    assert len(app.state.jwt_key) >= 32 and "TANLIAN_JWT_SECRET is not set" in caplog.text


def test_serve_refuses_to_start_with_a_weak_secret(tmp_path):
    proc, _ = serve(tmp_path / "weak.db", tmp_path / "weak.log", env={"TANLIAN_JWT_SECRET": "a"})
    try:
        assert proc.wait(60) != 0
    finally:
        stop(proc)
    assert "at least 32" in (tmp_path / "weak.log").read_text()
