"""Read bodies cached per (store, revision, query, visibility): ETag/304, invalidation by writes,
single flight of concurrent misses, no store call on the event loop."""

from __future__ import annotations

import asyncio
import shutil
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from tanlian.api.app import create_app
from tanlian.api.cache import etag_matches
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import Client, Enterprise
from tanlian.lca.core.cache import results
from tanlian.settings import Settings

from .helpers import JWT_SECRET, MINI, bearer, load_store, zip_dir

READS = [
    "/v1/products/B1/footprint",
    "/v1/products/B1/footprint?mc=20&seed=3",
    "/v1/edges",
    "/v1/enterprises/B/scope",
    "/v1/parks/P1/inventory",
    "/v1/parks/P1/indicators",
    "/v1/parks/P1/symbiosis",
    "/v1/enterprises",
    "/v1/enterprises/B",
    "/v1/products?limit=2",
    "/v1/products/B1",
    "/v1/flows",
]


@pytest.mark.parametrize("path", READS)
def test_etag_round_trip(world, path):
    h = bearer(world.tokens["park_admin"])
    first = world.api.get(path, headers=h)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")  # strong
    again = world.api.get(path, headers={**h, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = world.api.get(path, headers={**h, "If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content and other.headers["etag"] == etag


def test_bodies_are_kept_apart_by_visibility(world):
    admin = world.api.get("/v1/products", headers=bearer(world.tokens["park_admin"]))
    ent = world.api.get("/v1/products", headers=bearer(world.tokens["ent_B"]))
    assert admin.status_code == ent.status_code == 200
    assert {p["enterprise"] for p in ent.json()["items"]} == {"B"}
    assert len(admin.json()["items"]) > len(ent.json()["items"])
    assert admin.headers["etag"] != ent.headers["etag"]
    # an ETag of another principal's body does not give a 304 on mine
    r = world.api.get("/v1/products", headers={**bearer(world.tokens["ent_B"]), "If-None-Match": admin.headers["etag"]})
    assert r.status_code == 200 and r.json() == ent.json()


def test_errors_are_not_cached_and_need_no_etag(world):
    h = bearer(world.tokens["ent_B"])
    for _ in range(2):
        r = world.api.get("/v1/products/nope/footprint", headers=h)
        assert r.status_code == 404 and "etag" not in r.headers


def test_if_none_match_parsing():
    assert etag_matches('"a", W/"b"', '"b"') and etag_matches("*", '"x"')
    assert not etag_matches(None, '"a"') and not etag_matches('"ab"', '"a"')


def _app(store: EmbeddedStore, ttl: float) -> TestClient:
    return TestClient(create_app(Settings(store=store.url, jwt_secret=JWT_SECRET, revision_ttl_s=ttl), store))


def test_a_write_through_the_api_invalidates_at_once(fresh_world, tmp_path):
    """Even with a revision cached for a minute, the app's own write is seen by the next read."""
    h = bearer(fresh_world.tokens["park_admin"])
    with _app(fresh_world.store, ttl=60) as api:
        before = api.get("/v1/enterprises", headers=h)
        assert "D" not in {e["id"] for e in before.json()["items"]}
        bundle = tmp_path / "b"
        shutil.copytree(MINI, bundle)
        with (bundle / "enterprises.csv").open("a") as f:
            f.write("D,Delta Foundry,P1,CN-East,,,,true\n")
        files = {"file": ("b.zip", zip_dir(bundle), "application/zip")}
        assert api.post("/v1/imports", files=files, headers=h).status_code == 200
        after = api.get("/v1/enterprises", headers={**h, "If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
        assert "D" in {e["id"] for e in after.json()["items"]}


def test_a_write_by_another_process_is_seen_within_the_ttl(fresh_world):
    h = bearer(fresh_world.tokens["park_admin"])
    with _app(fresh_world.store, ttl=0.2) as api:
        before = api.get("/v1/enterprises/B", headers=h).json()
        other = EmbeddedStore(fresh_world.store.path)  # another connection, as another process would
        other.upsert([Enterprise(id="B", name="Renamed B", park="P1")])
        other.close()
        time.sleep(0.25)
        after = api.get("/v1/enterprises/B", headers=h).json()
    assert before["name"] != "Renamed B" and after["name"] == "Renamed B"


class SlowSnapshotStore(EmbeddedStore):
    """The embedded store with a slow snapshot (widens the window in which requests miss together),
    recording whether any store call ran on an event loop thread."""

    on_loop: list[str]

    def _note(self, name: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self.on_loop.append(name)

    def snapshot_tables(self, *args, **kwargs):
        self._note("snapshot_tables")
        time.sleep(0.3)
        return super().snapshot_tables(*args, **kwargs)

    def revision(self) -> int:
        self._note("revision")
        return super().revision()


@pytest.fixture
def slow_world(fresh_world, tmp_path):
    store = SlowSnapshotStore(tmp_path / "slow.db")
    store.on_loop = []
    load_store(store)
    store.upsert(fresh_world.store.list(Client))  # a token's client must exist where it is used
    yield store, bearer(fresh_world.tokens["park_admin"])  # same park and JWT key as fresh_world
    store.close()


async def _gather(app, h: dict[str, str], paths: list[str]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await asyncio.gather(*(client.get(p, headers=h) for p in paths))


def test_20_concurrent_misses_start_one_solve(slow_world):
    store, h = slow_world
    app = create_app(Settings(store=store.url, jwt_secret=JWT_SECRET), store)
    paths = [f"/v1/products/{p}/footprint?seed={k}" for k in range(10) for p in ("A1", "B1")]
    solves, misses = results.solves, results.misses
    responses = asyncio.run(_gather(app, h, paths))
    assert [r.status_code for r in responses] == [200] * 20
    assert results.misses - misses == 20  # all 20 missed the result cache while the first solved...
    assert results.solves - solves == 1  # ...and one solve served them all
    assert app.state.bodies.builds == 20  # 20 distinct bodies
    assert store.on_loop == []


def test_20_concurrent_misses_of_one_body_build_it_once(slow_world):
    store, h = slow_world
    app = create_app(Settings(store=store.url, jwt_secret=JWT_SECRET), store)
    responses = asyncio.run(_gather(app, h, ["/v1/enterprises/B/scope"] * 20))
    assert {r.status_code for r in responses} == {200} and len({r.content for r in responses}) == 1
    assert app.state.bodies.misses == 20 and app.state.bodies.builds == 1
    assert store.on_loop == []


def test_cached_reads_make_no_store_call_on_the_event_loop(slow_world):
    store, h = slow_world
    with TestClient(create_app(Settings(store=store.url, jwt_secret=JWT_SECRET, revision_ttl_s=0), store)) as api:
        for path in READS:
            for _ in range(2):
                assert api.get(path, headers=h).status_code == 200
    assert store.on_loop == []


def test_cached_bodies_still_need_a_valid_token(world):
    """Hits are answered before routing, with the routes' own authentication: a cached URL gives
    nothing to a missing, forged or expired token, or to a partner."""
    from tanlian.api.auth import issue_token
    from tanlian.graph.model import Client

    path = "/v1/enterprises/B/scope"
    ok = world.api.get(path, headers=bearer(world.tokens["park_admin"]))
    assert (
        ok.status_code == 200 and world.api.get(path, headers=bearer(world.tokens["park_admin"])).content == ok.content
    )
    client = world.store.get(Client, world.credentials["park_admin"][0])
    expired = issue_token(client, JWT_SECRET, 60, now=time.time() - 3600)
    forged = issue_token(client, "another-key-of-at-least-32-bytes!!!!", 600)
    for headers, status in [
        ({}, 401),
        (bearer(expired), 401),
        (bearer(forged), 401),
        (bearer(world.tokens["partner"]), 403),
    ]:
        r = world.api.get(path, headers={**headers, "If-None-Match": ok.headers["etag"]})
        assert r.status_code == status and r.headers["content-type"] == "application/problem+json"


def test_a_new_revision_drops_the_bodies_of_older_ones():
    from tanlian.api.cache import Body, BodyCache

    cache = BodyCache()
    cache.put(("s", None, 1, "/a"), Body.of(b"1a"))
    cache.put(("s", None, 1, "/b"), Body.of(b"1b"))
    cache.put(("other", None, 1, "/a"), Body.of(b"o"))
    cache.put(("s", None, 2, "/a"), Body.of(b"2a"))
    assert cache.get(("s", None, 1, "/b")) is None and cache.get(("s", None, 2, "/a")).content == b"2a"
    assert cache.get(("other", None, 1, "/a")).content == b"o"  # another store keeps its bodies
    cache.put(("s", None, 1, "/c"), Body.of(b"late"))  # a slow build of an old revision landing late
    assert cache.get(("s", None, 2, "/a")) is not None
