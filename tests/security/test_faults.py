"""Item 7: store faults answer 503, readiness follows the store file, hidden = missing (404)."""

from __future__ import annotations

import os
import sqlite3

import pytest

from .helpers import enterprises, upload


def test_import_while_another_process_holds_the_write_lock_is_503(parks):
    other = sqlite3.connect(parks.store.path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        r = upload(parks.api, parks.h("p1_admin"), enterprises("X20,Locked Out,,CN-East,,,,true"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json" and "locked" in r.json()["detail"]
    assert upload(parks.api, parks.h("p1_admin"), enterprises("X20,Later,,CN-East,,,,true")).status_code == 200


def test_readyz_is_not_ready_once_the_store_file_is_deleted(parks):
    assert parks.api.get("/readyz").status_code == 200
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(parks.store.path + suffix):
            os.unlink(parks.store.path + suffix)
    r = parks.api.get("/readyz")
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("who", "hidden", "missing"),
    [
        ("ent_B", "/v1/products/Z1P/footprint", "/v1/products/NOPE/footprint"),
        ("ent_B", "/v1/parks/P1/inventory", "/v1/parks/P9/inventory"),
        ("p1_admin", "/v1/parks/P2/inventory", "/v1/parks/P9/inventory"),
        ("p1_admin", "/v1/parks/P2/symbiosis", "/v1/parks/P9/symbiosis"),
        ("p1_admin", "/v1/products/Z1P/footprint", "/v1/products/NOPE/footprint"),
        ("p1_admin", "/v1/enterprises/Z1", "/v1/enterprises/NOPE"),
        ("p1_admin", "/v1/enterprises/X06/scope", "/v1/enterprises/NOPE/scope"),
        ("p1_admin", "/v1/flows/FZ/alternatives", "/v1/flows/NOPE/alternatives"),
        ("p2_admin", "/v1/products/A1", "/v1/products/NOPE"),
    ],
)
def test_hidden_and_missing_objects_answer_alike(parks, who, hidden, missing):
    a, b = parks.api.get(hidden, headers=parks.h(who)), parks.api.get(missing, headers=parks.h(who))
    assert a.status_code == b.status_code == 404
    ida, idb = hidden.split("/")[3], missing.split("/")[3]
    assert a.json()["detail"].replace(ida, "?") == b.json()["detail"].replace(idb, "?")
