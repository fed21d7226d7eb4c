"""Shared fixtures: stores (embedded and a real Neo4j), the demo and the mini bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
MINI = TESTS / "data" / "mini"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def neo4j_url() -> str:
    """Bolt URL of the test server: ``TANLIAN_TEST_NEO4J``, else one started for this session."""
    url = os.environ.get("TANLIAN_TEST_NEO4J")
    if url:
        yield url
        return
    sys.path.insert(0, str(TESTS))
    try:
        import neo4j_launcher
    finally:
        sys.path.remove(str(TESTS))
    try:
        server = neo4j_launcher.start()
    except Exception as exc:  # no Java/Maven here: fail in CI, skip on a developer machine
        if IN_CI:
            pytest.fail(f"Neo4j test server could not start: {exc}")
        pytest.skip(f"Neo4j test server could not start: {exc}")
    yield server.url
    server.stop()


def _embedded(tmp_path):
    from tanlian.graph.embedded import EmbeddedStore

    return EmbeddedStore(tmp_path / "test.db")


def _neo4j(request):
    from tanlian.graph.neo4j import Neo4jStore

    store = Neo4jStore(request.getfixturevalue("neo4j_url"))
    store.wipe()
    return store


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path):
    """Every store backend, empty."""
    s = _embedded(tmp_path) if request.param == "embedded" else _neo4j(request)
    yield s
    s.close()


@pytest.fixture
def embedded_store(tmp_path):
    s = _embedded(tmp_path)
    yield s
    s.close()


@pytest.fixture
def mini_bundle() -> Path:
    return MINI
