"""POST /auth/token (OAuth2 client credentials) and bearer-token checks on /v1."""

from __future__ import annotations

import time

import jwt
import pytest

from tanlian.api.auth import decode_token, hash_secret, issue_token, verify_secret
from tanlian.graph.model import Client

from .helpers import JWT_SECRET, bearer

GRANT = {"grant_type": "client_credentials"}


def test_secret_hash_is_salted_and_verifies():
    h1, h2 = hash_secret("s3cret"), hash_secret("s3cret")
    assert h1 != h2 and h1.startswith("scrypt$")
    assert verify_secret("s3cret", h1) and not verify_secret("other", h1)
    assert not verify_secret("s3cret", "garbage")


def test_secret_is_not_stored(world):
    cid, secret = world.credentials["park_admin"]
    client = world.store.get(Client, cid)
    assert secret not in client.model_dump_json()


def test_token_success(world):
    cid, secret = world.credentials["ent_B"]
    r = world.api.post("/auth/token", data=GRANT, auth=(cid, secret))
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 600
    claims = jwt.decode(body["access_token"], JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == cid and claims["role"] == "enterprise" and claims["enterprise"] == "B"
    assert claims["park"] == "P1" and claims["exp"] - claims["iat"] == 600


def test_token_via_form_credentials(world):
    cid, secret = world.credentials["auditor"]
    r = world.api.post("/auth/token", data={**GRANT, "client_id": cid, "client_secret": secret})
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("data", "auth", "status", "error"),
    [
        ({}, "good", 400, "invalid_request"),
        ({"grant_type": "password"}, "good", 400, "unsupported_grant_type"),
        (GRANT, None, 401, "invalid_client"),
        (GRANT, "wrong", 401, "invalid_client"),
        (GRANT, "unknown", 401, "invalid_client"),
    ],
)
def test_token_errors(world, data, auth, status, error):
    cid, secret = world.credentials["park_admin"]
    creds = {"good": (cid, secret), "wrong": (cid, secret + "x"), "unknown": ("nobody", secret), None: None}[auth]
    r = world.api.post("/auth/token", data=data, auth=creds)
    assert r.status_code == status
    assert r.json()["error"] == error and "error_description" in r.json()
    if status == 401:
        assert r.headers["www-authenticate"].startswith("Basic")


def test_malformed_basic_header_is_invalid_client(world):
    r = world.api.post("/auth/token", data=GRANT, headers={"Authorization": "Basic !!notbase64"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def _token(role: str = "park_admin", key: str = JWT_SECRET, ttl: int = 600, now: float | None = None) -> str:
    client = Client(id="x", name="x", role=role, park="P1", secret_hash="-")
    return issue_token(client, key, ttl, now=now)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic eDp5"},
        bearer(_token(key="forged-key-forged-key-forged-key!!")),
        bearer(_token(now=time.time() - 7200)),
    ],
    ids=["missing", "malformed", "basic", "forged", "expired"],
)
def test_bad_bearer_is_401_problem(world, headers):
    r = world.api.get("/v1/enterprises", headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["status"] == 401


def test_token_round_trip():
    p = decode_token(_token("auditor"), JWT_SECRET)
    assert (p.sub, p.role, p.park, p.enterprise) == ("x", "auditor", "P1", None)


def test_openapi_declares_the_client_credentials_flow(world):
    """/docs can fetch a token: the security scheme is OAuth2 client credentials at /auth/token."""
    doc = world.api.get("/openapi.json").json()
    scheme = doc["components"]["securitySchemes"]["OAuth2ClientCredentials"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "/auth/token"
    assert {"OAuth2ClientCredentials": []} in doc["paths"]["/v1/edges"]["get"]["security"]
    # and the flow works the way Swagger UI sends it (credentials in the form body)
    cid, secret = world.credentials["auditor"]
    form = {"grant_type": "client_credentials", "client_id": cid, "client_secret": secret}
    token = world.api.post("/auth/token", data=form).json()["access_token"]
    assert world.api.get("/v1/edges", headers={"Authorization": f"Bearer {token}"}).status_code == 200
