"""Load test of the HTTP API over a ~10k-product synthetic graph (not a test; run by hand).

    .venv/bin/python bench/api_load.py [--products 10000] [--requests 2000] [--concurrency 50]

Builds the graph (``bench/synthetic.py`` when present, else a small generator here), imports it
into an embedded store in a temporary folder, runs ``uvicorn`` in a subprocess on a free local
port, gets a park-admin token, warms the result cache, then drives each endpoint with
``--concurrency`` httpx clients and prints p50/p95/p99 latency (ms) and throughput (requests/s).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table

from tanlian.api.auth import new_client
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import Activity, Enterprise, Factor, Flow, Graph, Park, Product

console = Console()
PRODUCTS_PER_ENTERPRISE = 10


def own_synthetic_graph(n_products: int, inputs_per_product: int = 4, seed: int = 0) -> Graph:
    """A layered supply graph: enterprises of 10 products each buy from earlier enterprises (no loops)."""
    rng = random.Random(seed)
    n_ent = max(1, n_products // PRODUCTS_PER_ENTERPRISE)
    ents = [f"E{i:05d}" for i in range(n_ent)]
    g = Graph.from_entities(
        [
            Park(id="BP", name="Bench Park", year=2022),
            Factor(id="ore", unit="t", kgco2e=50, kind="material"),
            Factor(id="coal", unit="t", kgco2e=2500, kind="energy", gases={"CO2": 2480, "CH4": 0.5}),
        ]
    )
    for i, e in enumerate(ents):
        g.enterprises[e] = Enterprise(id=e, name=f"Enterprise {i}", park="BP")
        g.activities[f"{e}|fuel|coal"] = Activity(enterprise=e, type="fuel", item="coal", quantity=5, unit="t")
        for k in range(PRODUCTS_PER_ENTERPRISE):
            pid = f"P{i * PRODUCTS_PER_ENTERPRISE + k:06d}"
            g.products[pid] = Product(id=pid, enterprise=e, unit="t", output=1000, price_cny=100 + k)
    products = sorted(g.products)
    for i, e in enumerate(ents):
        if i == 0:
            g.flows[f"ore|{e}"] = Flow.model_validate(
                {"id": f"ore|{e}", "from": "factor:ore", "to": e, "quantity": 100, "unit": "t"}
            )
            continue
        pool = products[: i * PRODUCTS_PER_ENTERPRISE]
        n_in = min(len(pool), inputs_per_product * PRODUCTS_PER_ENTERPRISE)
        for src in rng.sample(pool, n_in):
            fid = f"{src}|{e}"
            g.flows[fid] = Flow.model_validate({"id": fid, "from": src, "to": e, "quantity": 20, "unit": "t"})
    return g


def synthetic(n_products: int) -> Graph:
    """The shared generator when it exists, else :func:`own_synthetic_graph`."""
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        from synthetic import synthetic_graph  # type: ignore[import-not-found]
    except ImportError:
        return own_synthetic_graph(n_products)
    finally:
        sys.path.pop(0)
    return synthetic_graph(n_products, inputs_per_product=4, seed=0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, secret: str) -> subprocess.Popen:
    env = {**os.environ, "TANLIAN_STORE": f"sqlite:///{db}", "TANLIAN_JWT_SECRET": secret}
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "tanlian.api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("server did not become ready")


async def drive(
    base: str, headers: dict[str, str], paths: list[str], concurrency: int
) -> tuple[np.ndarray, float, int]:
    """Request every path with ``concurrency`` workers; latencies (ms), wall time (s), errors."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for p in paths:
        queue.put_nowait(p)
    latencies: list[float] = []
    errors = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            path = queue.get_nowait()
            t0 = time.perf_counter()
            r = await client.get(path)
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += r.status_code != 200

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    return np.array(latencies), wall, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    ap.add_argument("--concurrency", type=int, default=50)
    args = ap.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="tanlian-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        graph = synthetic(args.products)
        store = EmbeddedStore(db)
        store.import_graph(graph)
        park = sorted(graph.parks)[0]
        client, secret = new_client(store, "bench", "park_admin", park=park)
        store.close()
        counts = graph.counts()
        console.print(
            f"graph: {counts['products']} products, {counts['enterprises']} enterprises, "
            f"{counts['flows']} flows — built and imported in {time.perf_counter() - t0:.1f} s"
        )
        port = free_port()
        proc = start_server(db, port, "bench-" + secret)
        try:
            base = f"http://127.0.0.1:{port}"
            r = httpx.post(
                f"{base}/auth/token", data={"grant_type": "client_credentials"}, auth=(client.id, secret), timeout=30
            )
            r.raise_for_status()
            headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
            ents = sorted(e for e, ent in graph.enterprises.items() if ent.park == park)
            members = set(ents)  # the park admin's view: products and flows of its park
            products = sorted(p for p, prod in graph.products.items() if prod.enterprise in members)
            t0 = time.perf_counter()
            httpx.get(f"{base}/v1/products/{products[0]}/footprint", headers=headers, timeout=300).raise_for_status()
            console.print(f"cold solve (first footprint request): {time.perf_counter() - t0:.2f} s")
            endpoints = {
                "GET /v1/products/{id}/footprint": [
                    f"/v1/products/{rng.choice(products)}/footprint" for _ in range(args.requests)
                ],
                "GET /v1/edges?enterprise=": [f"/v1/edges?enterprise={rng.choice(ents)}" for _ in range(args.requests)],
            }
            table = Table(title=f"API load — {args.concurrency} concurrent clients, {args.requests} requests each")
            for col in ("endpoint", "n", "errors", "p50 ms", "p95 ms", "p99 ms", "req/s"):
                table.add_column(col, justify="left" if col == "endpoint" else "right")
            for name, paths in endpoints.items():
                lat, wall, errors = asyncio.run(drive(base, headers, paths, args.concurrency))
                p50, p95, p99 = np.percentile(lat, [50, 95, 99])
                table.add_row(
                    name,
                    str(len(lat)),
                    str(errors),
                    f"{p50:.1f}",
                    f"{p95:.1f}",
                    f"{p99:.1f}",
                    f"{len(lat) / wall:,.0f}",
                )
            console.print(table)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
