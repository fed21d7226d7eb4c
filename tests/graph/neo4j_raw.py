"""Counts read from Neo4j with a plain driver (the ``raw`` fixture), for the Neo4j tests."""

from __future__ import annotations


def count(raw, query: str, **params) -> int:
    records, _, _ = raw.execute_query(query, params)
    return records[0][0]


def rels(raw, rtype: str) -> int:
    # rtype comes from the test code, not from data
    return count(raw, f"MATCH ()-[r:{rtype}]->() RETURN count(r)")


def orphan_stubs(raw) -> int:
    return count(raw, "MATCH (n) WHERE n._json IS NULL AND NOT n:Meta AND NOT EXISTS { (n)--() } RETURN count(n)")
