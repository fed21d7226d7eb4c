"""Result routes on an empty store: a 409 problem, never a 500."""

from __future__ import annotations

from tanlian.graph.model import Graph

from .helpers import bearer


def test_result_routes_on_an_empty_store_are_409(fresh_world):
    fresh_world.store.import_graph(Graph(), replace=True)  # every row of the year goes; clients stay
    assert fresh_world.store.years() == []
    headers = bearer(fresh_world.tokens["park_admin"])
    for url in ("/v1/products/A1/footprint", "/v1/edges", "/v1/parks/P1/inventory"):
        r = fresh_world.api.get(url, headers=headers)
        assert r.status_code == 409, (url, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "the store is empty" in r.json()["detail"]


def test_a_year_without_data_is_409(world):
    r = world.api.get("/v1/edges?year=1999", headers=bearer(world.tokens["park_admin"]))
    assert r.status_code == 409 and "the store is empty" in r.json()["detail"]
