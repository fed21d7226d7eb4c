"""``footprint?mc=``: per-product Monte Carlo served (and cached) on a bundle with uncertain factors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tanlian.api.app import create_app
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import Client, Factor
from tanlian.lca.core.cache import results
from tanlian.lca.core.uncertainty import percentiles
from tanlian.settings import Settings

from .helpers import JWT_SECRET, bearer, load_store


@pytest.fixture
def uncertain_api(fresh_world, tmp_path):
    """The mini bundle with its fuel lognormal (GSD 1.5): A burns it, so A1, A2 and B1 (which buys
    A1) are uncertain."""
    store = EmbeddedStore(tmp_path / "mc.db")
    load_store(store)
    fuel = store.get(Factor, "fuel_test")
    store.upsert([fuel.model_copy(update={"uncertainty_type": "lognormal", "uncertainty": 1.5})])
    store.upsert(fresh_world.store.list(Client))  # a token's client must exist where it is used
    with TestClient(create_app(Settings(store=store.url, jwt_secret=JWT_SECRET), store)) as api:
        yield store, api, bearer(fresh_world.tokens["park_admin"])
    store.close()


def test_monte_carlo_brackets_the_median_and_matches_the_park_wide_run(uncertain_api):
    store, api, h = uncertain_api
    r = api.get("/v1/products/B1/footprint?mc=2000&seed=5", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mc_samples"] == 2000
    assert body["p5"] < body["p50"] < body["p95"]
    assert body["p95"] / body["p5"] > 1.05  # the fuel's GSD 1.5 shows, diluted by B's certain burden
    p5, p50, p95 = percentiles(results.get(store), 2000, seed=5)  # park-wide, same seed: same draws
    j = results.get(store).idx("B1")
    assert (body["p5"], body["p50"], body["p95"]) == pytest.approx((p5[j], p50[j], p95[j]), rel=1e-8)


def test_monte_carlo_bodies_are_cached_per_seed(uncertain_api):
    _, api, h = uncertain_api
    a = api.get("/v1/products/A1/footprint?mc=500&seed=1", headers=h)
    b = api.get("/v1/products/A1/footprint?mc=500&seed=2", headers=h)
    assert a.json()["p50"] != b.json()["p50"] and a.headers["etag"] != b.headers["etag"]
    again = api.get("/v1/products/A1/footprint?mc=500&seed=1", headers={**h, "If-None-Match": a.headers["etag"]})
    assert again.status_code == 304
    builds = api.app.state.bodies.builds
    assert api.get("/v1/products/A1/footprint?mc=500&seed=1", headers=h).content == a.content
    assert api.app.state.bodies.builds == builds
