"""Error bodies are RFC 9457 problem+json with the same keys everywhere."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tanlian.api.app import create_app
from tanlian.api.schemas.footprints import footprint_body
from tanlian.errors import StoreUnavailable
from tanlian.settings import Settings

from .helpers import bearer

KEYS = {"type", "title", "status", "detail"}


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (None, "/v1/products", 401),
        ("partner", "/v1/products", 403),
        ("ent_B", "/v1/products/C1/footprint", 404),  # hidden looks missing
        ("ent_B", "/v1/parks/P1/inventory", 404),
        ("park_admin", "/v1/products/nope", 404),
        ("park_admin", "/v1/products/nope/footprint", 404),
        ("park_admin", "/v1/products/A1/footprint?mc=2001", 422),
        ("park_admin", "/v1/products/A1/footprint?gwp=AR4", 422),
        ("park_admin", "/v1/nothing-here", 404),
    ],
)
def test_problem_shape(world, role, path, status):
    r = world.api.get(path, headers=bearer(world.tokens[role]) if role else {})
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert set(body) >= KEYS and body["status"] == status
    assert body["type"].startswith("https://") and body["detail"]


def test_request_validation_lists_fields(world):
    r = world.api.get("/v1/flows?limit=0&offset=x", headers=bearer(world.tokens["auditor"]))
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"query.limit", "query.offset"}
    assert all(e["reason"] for e in r.json()["errors"])


def test_footprint_json_matches_engine(world):
    from tanlian.lca.core.cache import results

    r = world.api.get("/v1/products/A1/footprint?gwp=AR5&scope2=location", headers=bearer(world.tokens["ent_B"]))
    assert r.status_code == 200
    assert r.json() == footprint_body(results.get(world.store, "AR5", "location"), "A1")


def test_footprint_monte_carlo(world):
    r = world.api.get("/v1/products/B1/footprint?mc=50&seed=1", headers=bearer(world.tokens["park_admin"]))
    body = r.json()
    assert r.status_code == 200 and body["mc_samples"] == 50
    assert body["p5"] <= body["p50"] <= body["p95"]


class _DownStore:
    url = "sqlite:///down.db"

    def ping(self) -> None:
        raise StoreUnavailable(self.url, "disk gone")

    def close(self) -> None:
        pass


def test_readyz_503_when_store_down():
    app = create_app(Settings(jwt_secret="k" * 32), _DownStore())  # type: ignore[arg-type]
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/readyz")
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    assert "disk gone" in r.json()["detail"]


def test_unknown_query_parameter_is_422(world):
    r = world.api.get("/v1/edges?enterprize=B", headers=bearer(world.tokens["park_admin"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "query.enterprize"
