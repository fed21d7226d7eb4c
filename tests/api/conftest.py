"""API fixtures: the mini bundle in an embedded store, one client per role, tokens, a TestClient.

``world`` is shared by the read-only tests of a session (secret hashing is deliberately slow);
``fresh_world`` is a private one for tests that write.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.graph.embedded import EmbeddedStore
from tanlian.settings import Settings

from .helpers import JWT_SECRET, ROLES, load_store


@dataclass
class World:
    store: EmbeddedStore
    api: TestClient
    credentials: dict[str, tuple[str, str]]  # test role → (client_id, secret)
    tokens: dict[str, str]  # test role → bearer token


def build_world(folder: Path) -> Iterator[World]:
    store = EmbeddedStore(folder / "api.db")
    load_store(store)
    creds = {}
    for name, (role, park, ent) in ROLES.items():
        client, secret = new_client(store, name, role, park=park, enterprise=ent)  # type: ignore[arg-type]
        creds[name] = (client.id, secret)
    # revision_ttl_s=0: tests write to the store behind the app's back and read at once
    settings = Settings(store=store.url, jwt_secret=JWT_SECRET, token_ttl_s=600, revision_ttl_s=0)
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as api:
        tokens = {}
        for name, (cid, secret) in creds.items():
            r = api.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret))
            assert r.status_code == 200, r.text
            tokens[name] = r.json()["access_token"]
        yield World(store, api, creds, tokens)
    store.close()


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> Iterator[World]:
    yield from build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture
def fresh_world(tmp_path) -> Iterator[World]:
    yield from build_world(tmp_path)
