"""PACT timings on a synthetic park: publish, republish (unchanged), ListFootprints, a filter,
GetFootprint, the v2.3 list. ``python bench/pact_bench.py [n_products ...]`` prints a table.

The host is measured in-process (Starlette TestClient over https://testserver: no TLS or
network cost), median of 5 calls after one warm-up call.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from synthetic import synthetic_graph

from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.connectors.pact.publish import all_publishable, publish
from tanlian.graph.embedded import EmbeddedStore
from tanlian.lca.core.cache import results
from tanlian.settings import Settings

BASE = "https://bench.example"


def median_s(call, n: int = 5) -> float:
    call()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(n_products: int) -> list[tuple[str, str, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "b.db")
        store.import_graph(synthetic_graph(n_products))
        result = results.get(store)
        ids = all_publishable(result)
        t = time.perf_counter()
        publish(store, result, ids, BASE)
        rows.append(("publish (new)", f"{len(ids)} footprints", time.perf_counter() - t))
        t = time.perf_counter()
        publish(store, result, ids, BASE)
        rows.append(("publish again (unchanged)", f"{len(ids)} footprints", time.perf_counter() - t))
        client, secret = new_client(store, "bench", "partner")
        app = create_app(Settings(jwt_secret="bench-secret-0123456789abcdef0123", pact_worker_interval_s=0), store)
        with TestClient(app, base_url="https://testserver") as api:
            tok = api.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(client.id, secret))
            h = {"Authorization": f"Bearer {tok.json()['access_token']}"}
            first = api.get("/3/footprints?limit=1", headers=h).json()["data"][0]
            calls = [
                ("GET /3/footprints?limit=100", "/3/footprints?limit=100"),
                ("GET /3/footprints (all)", "/3/footprints"),
                ("GET /3/footprints?productId=…", f"/3/footprints?productId={first['productIds'][0]}"),
                ("GET /3/footprints/{id}", f"/3/footprints/{first['id']}"),
                ("GET /2/footprints?limit=100", "/2/footprints?limit=100"),
            ]
            for name, url in calls:
                rows.append((name, "", median_s(lambda url=url: api.get(url, headers=h).raise_for_status())))
        store.close()
    return rows


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    print("| products | step | size | seconds |\n|---:|---|---|---:|")
    for n in sizes:
        for name, size, s in run(n):
            print(f"| {n} | {name} | {size} | {s:.3f} |")
