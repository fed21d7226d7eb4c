"""Neo4j fixtures of the graph tests: a wiped store, and a plain driver to look behind its back."""

from __future__ import annotations

import neo4j
import pytest

from tanlian.graph.neo4j import Neo4jStore


@pytest.fixture
def nstore(neo4j_url):
    s = Neo4jStore(neo4j_url)
    s.wipe()
    yield s
    s.close()


@pytest.fixture
def raw(neo4j_url):
    """A plain driver to look at the database behind the store's back."""
    d = neo4j.GraphDatabase.driver(neo4j_url, auth=None)
    yield d
    d.close()
