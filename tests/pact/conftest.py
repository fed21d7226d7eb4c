"""PACT fixtures: the demo park published in an embedded store, an HTTPS TestClient, partner tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.connectors.bundle import import_bundle
from tanlian.connectors.pact.publish import all_publishable, publish
from tanlian.graph.embedded import EmbeddedStore
from tanlian.lca.core.cache import results
from tanlian.settings import Settings

DEMO = Path(__file__).parents[2] / "seed_data" / "demo_park"
BASE = "https://tanlian-a.example"
JWT_SECRET = "pact-test-secret-of-at-least-32-bytes!"


@dataclass
class Host:
    store: EmbeddedStore
    api: TestClient  # over https://testserver
    token: str  # a partner's bearer token
    settings: Settings

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}


def token_for(api: TestClient, client_id: str, secret: str) -> str:
    r = api.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def build_host(folder: Path) -> Iterator[Host]:
    store = EmbeddedStore(folder / "pact.db")
    import_bundle(store, DEMO)
    result = results.get(store)
    publish(store, result, all_publishable(result), BASE)
    client, secret = new_client(store, "partner", "partner")
    settings = Settings(store=store.url, jwt_secret=JWT_SECRET, public_base_url=BASE, pact_worker_interval_s=0)
    with TestClient(create_app(settings, store), base_url="https://testserver", raise_server_exceptions=False) as api:
        yield Host(store, api, token_for(api, client.id, secret), settings)
    store.close()


@pytest.fixture(scope="module")
def host(tmp_path_factory) -> Iterator[Host]:
    """The demo park with every shareable product published (read-only tests)."""
    yield from build_host(tmp_path_factory.mktemp("pact"))


@pytest.fixture
def fresh_host(tmp_path) -> Iterator[Host]:
    yield from build_host(tmp_path)
