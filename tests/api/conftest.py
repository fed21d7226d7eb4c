"""API fixtures: the mini bundle in an embedded store, one client per role, tokens, a TestClient."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.connectors.bundle import import_bundle
from tanlian.graph.model import Product

from tanlian.settings import Settings

MINI = Path(__file__).parents[1] / "data" / "mini"
JWT_SECRET = "test-secret-key-of-at-least-32-bytes!!"

#: role name used in tests → (role, park, enterprise)
ROLES: dict[str, tuple[str, str | None, str | None]] = {
    "park_admin": ("park_admin", "P1", None),
    "auditor": ("auditor", "P1", None),
    "ent_B": ("enterprise", None, "B"),
    "partner": ("partner", None, None),
}


def zip_dir(folder: Path, prefix: str = "") -> bytes:
    """A zip of the CSV files of ``folder`` (optionally under ``prefix/``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.glob("*.csv")):
            zf.write(f, f"{prefix}{f.name}")
    return buf.getvalue()


def load_store(store) -> None:
    """The mini bundle plus C1, a product of C (outside the park, share_footprints=false)."""
    import_bundle(store, MINI)
    store.upsert([Product(id="C1", enterprise="C", name="Assembly", unit="piece", output=1000, price_cny=50)])


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(store=f"sqlite:///{tmp_path / 'api.db'}", jwt_secret=JWT_SECRET, token_ttl_s=600)


@pytest.fixture
def loaded_store(embedded_store):
    load_store(embedded_store)
    return embedded_store


@pytest.fixture
def credentials(loaded_store) -> dict[str, tuple[str, str]]:
    """(client_id, secret) per test role."""
    out = {}
    for name, (role, park, ent) in ROLES.items():
        client, secret = new_client(loaded_store, name, role, park=park, enterprise=ent)
        out[name] = (client.id, secret)
    return out


@pytest.fixture
def api(settings, loaded_store, credentials) -> TestClient:
    with TestClient(create_app(settings, loaded_store), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def tokens(api, credentials) -> dict[str, str]:
    """A bearer token per test role."""
    out = {}
    for name, (cid, secret) in credentials.items():
        r = api.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret))
        assert r.status_code == 200, r.text
        out[name] = r.json()["access_token"]
    return out


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
