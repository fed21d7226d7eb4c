"""Request ids, JSON access logs and ``/metrics`` (Prometheus text format, park admins only)."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from tanlian.api.observability import JsonFormatter

from .helpers import bearer


def test_request_id_is_echoed_or_made(world):
    h = bearer(world.tokens["park_admin"])
    r = world.api.get("/v1/products/A1", headers={**h, "X-Request-ID": "trace-42/a"})
    assert r.headers["x-request-id"] == "trace-42/a"
    for bad in (None, "has space", "x" * 129):
        headers = {**h, "X-Request-ID": bad} if bad else h
        made = world.api.get("/v1/products/A1", headers=headers).headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
    # problem responses carry it too
    r = world.api.get("/v1/products/nope", headers={**h, "X-Request-ID": "rid-404"})
    assert r.status_code == 404 and r.headers["x-request-id"] == "rid-404"


@pytest.fixture
def access_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tanlian.access")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_access_log_is_one_json_line_per_request_with_its_id(world, access_lines):
    h = bearer(world.tokens["ent_B"])
    world.api.get("/v1/products/B1/footprint", headers={**h, "X-Request-ID": "log-me"})
    world.api.get("/v1/products/C1/footprint", headers={**h, "X-Request-ID": "log-403"})
    lines = {line["request_id"]: line for line in access_lines()}
    ok, denied = lines["log-me"], lines["log-403"]
    assert ok["logger"] == "tanlian.access" and ok["level"] == "info" and ok["msg"] == "request"
    assert ok["method"] == "GET" and ok["path"] == "/v1/products/B1/footprint" and ok["status"] == 200
    assert ok["route"] == "/v1/products/{product_id}/footprint" and ok["duration_ms"] > 0
    assert denied["status"] == 404 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", ok["ts"])


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition ``text``."""
    for line in text.splitlines():
        if not line.startswith(name + ("{" if labels else " ")):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_cache_and_solves(fresh_world):
    api, admin = fresh_world.api, bearer(fresh_world.tokens["park_admin"])
    before = api.get("/metrics", headers=admin)
    assert before.status_code == 200 and before.headers["content-type"].startswith("text/plain; version=")
    route = "/v1/products/{product_id}/footprint"
    counts = {
        "ok": _sample(before.text, "tanlian_http_requests_total", route=route, status="200"),
        "hit": _sample(before.text, "tanlian_response_cache_total", outcome="hit"),
        "miss": _sample(before.text, "tanlian_response_cache_total", outcome="miss"),
        "solves": _sample(before.text, "tanlian_solve_duration_seconds_count"),
        "latency": _sample(before.text, "tanlian_http_request_duration_seconds_count", route=route),
    }
    for _ in range(3):
        assert api.get("/v1/products/A1/footprint?gwp=AR5", headers=admin).status_code == 200
    after = api.get("/metrics", headers=admin).text
    assert _sample(after, "tanlian_http_requests_total", route=route, status="200") == counts["ok"] + 3
    assert _sample(after, "tanlian_http_request_duration_seconds_count", route=route) == counts["latency"] + 3
    assert _sample(after, "tanlian_response_cache_total", outcome="miss") == counts["miss"] + 1
    assert _sample(after, "tanlian_response_cache_total", outcome="hit") == counts["hit"] + 2
    assert _sample(after, "tanlian_solve_duration_seconds_count") == counts["solves"] + 1  # a new store: one solve
    assert "# TYPE tanlian_http_request_duration_seconds histogram" in after


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("auditor", 403), ("ent_B", 403), ("partner", 403)])
def test_metrics_are_for_park_admins(world, role, status):
    r = world.api.get("/metrics", headers=bearer(world.tokens[role]) if role else {})
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
