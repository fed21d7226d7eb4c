"""Load test of the HTTP API on a ~10k-product synthetic park with ``wrk`` (not a test; run by hand).

    apt-get install -y wrk      # the load generator (C, event loop): not the bottleneck
    .venv/bin/python bench/api_load.py [--products 10000] [--workers 1 2] [--duration 10] [--connections 50]

Builds ``bench/synthetic.py``'s graph, imports it into an embedded store in a temporary folder and
adds a park-admin client. Then for each worker count N: starts ``tanlian serve --workers N``,
times the first footprint request (the cold solve after the import: snapshot + solve), warms the
response cache on every URL the load will use, and drives each route with ``wrk`` (``--connections``
connections, rotating over many ids of the route) for ``--duration`` seconds, ``/healthz`` in the same
run. Prints each route's throughput and p50/p95 latency, and their ratios to ``/healthz``; the
Markdown table goes to stdout at the end (copied into ``bench/README.md``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tanlian.api.auth import new_client
from tanlian.graph.embedded import EmbeddedStore

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import synthetic_graph

IDS_PER_ROUTE = 200  # distinct URLs per route (each a cache entry, all warmed before the run)

LUA = """
local paths = %s
local i = 0
wrk.headers["Authorization"] = "Bearer %s"
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"errors": %%d}\\n', summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), non2xx + summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, secret: str, workers: int) -> subprocess.Popen:
    env = {**os.environ, "TANLIAN_STORE": f"sqlite:///{db}", "TANLIAN_JWT_SECRET": secret}
    main = "import sys; from tanlian.cli import app; sys.argv[0] = 'tanlian'; app()"
    cmd = [sys.executable, "-c", main, "serve", "--port", str(port), "--workers", str(workers)]
    cmd += ["--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                time.sleep(3 if workers > 1 else 0)  # let every worker finish starting
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("server did not become ready")


def routes(graph, park: str, rng: random.Random) -> dict[str, list[str]]:
    """Route name → URLs the load rotates over (ids of the park admin's view)."""
    ents = sorted(e for e, ent in graph.enterprises.items() if ent.park == park)
    members = set(ents)
    products = sorted(p for p, prod in graph.products.items() if prod.enterprise in members)
    flows = sorted(f for f, flow in graph.flows.items() if flow.to in members)
    pick = lambda xs: rng.sample(xs, min(IDS_PER_ROUTE, len(xs)))  # noqa: E731
    return {
        "/healthz": ["/healthz"],
        "footprint": [f"/v1/products/{p}/footprint" for p in pick(products)],
        "footprint?mc=2000": [f"/v1/products/{p}/footprint?mc=2000" for p in pick(products)[:20]],
        "scope": [f"/v1/enterprises/{e}/scope" for e in pick(ents)],
        "edges?enterprise=": [f"/v1/edges?enterprise={e}" for e in pick(ents)],
        "products (page)": [f"/v1/products?offset={k * 100}" for k in range(min(IDS_PER_ROUTE, len(products) // 100))],
        "product": [f"/v1/products/{p}" for p in pick(products)],
        "enterprise": [f"/v1/enterprises/{e}" for e in pick(ents)],
        "flow": [f"/v1/flows/{f}" for f in pick(flows)],
        "park inventory": [f"/v1/parks/{park}/inventory"],
        "park indicators": [f"/v1/parks/{park}/indicators"],
    }


def warm(base: str, headers: dict[str, str], paths: list[str], workers: int) -> None:
    """Request every path, on new connections, until every worker has it (each worker has its own
    cache and a connection lands on any of them): ``2 × workers`` rounds."""

    def get(p: str) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=900) as http:
            http.get(p).raise_for_status()

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for _ in range(2 * workers):
            list(pool.map(get, paths))


def run_wrk(base: str, token: str, paths: list[str], args, folder: Path) -> dict:
    script = folder / "load.lua"
    script.write_text(LUA % ("{" + ", ".join(json.dumps(p) for p in paths) + "}", token))
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "30s"]
    out = subprocess.run([*cmd, "-s", str(script), base], capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    r = json.loads(line[len("RESULT ") :])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=10_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--duration", type=int, default=10, help="seconds per route")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install -y wrk")
    rng = random.Random(1)
    tables = []
    with tempfile.TemporaryDirectory(prefix="tanlian-bench-") as tmp:
        folder = Path(tmp)
        db = folder / "bench.db"
        t0 = time.perf_counter()
        graph = synthetic_graph(args.products, inputs_per_product=4, seed=0)
        store = EmbeddedStore(db)
        store.import_graph(graph)
        park = sorted(graph.parks)[0]
        client, secret = new_client(store, "bench", "park_admin", park=park)
        store.close()
        counts = graph.counts()
        print(
            f"graph: {counts['products']} products, {counts['enterprises']} enterprises, {counts['flows']} flows "
            f"— built and imported in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        urls = routes(graph, park, rng)
        for workers in args.workers:
            port = free_port()
            proc = start_server(db, port, "bench-" + secret, workers)
            try:
                base = f"http://127.0.0.1:{port}"
                grant = {"grant_type": "client_credentials"}
                r = httpx.post(f"{base}/auth/token", data=grant, auth=(client.id, secret), timeout=30)
                r.raise_for_status()
                token = r.json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                t0 = time.perf_counter()
                httpx.get(base + urls["footprint"][0], headers=headers, timeout=300).raise_for_status()
                cold = time.perf_counter() - t0
                print(f"\n{workers} worker(s): cold solve (first footprint after the import): {cold:.2f} s", flush=True)
                t0 = time.perf_counter()
                warm(base, headers, [p for ps in urls.values() for p in ps], workers)
                print(f"cache warmed in {time.perf_counter() - t0:.1f} s", flush=True)
                rows = {name: run_wrk(base, token, paths, args, folder) for name, paths in urls.items()}
            finally:
                proc.terminate()
                proc.wait(timeout=60)
            tables.append(render(workers, cold, rows, args))
            print(tables[-1], flush=True)
    print("\n" + "\n\n".join(tables))


def render(workers: int, cold: float, rows: dict[str, dict], args) -> str:
    h = rows["/healthz"]
    lines = [
        f"**{workers} worker(s)**, {args.connections} connections, wrk {args.threads} threads, {args.duration} s per "
        f"route; cold solve after the import {cold:.2f} s",
        "",
        "| route | req/s | p50 ms | p95 ms | errors | req/s ÷ /healthz | p95 ÷ /healthz p95 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['rps']:,.0f} | {r['p50_us'] / 1000:.2f} | {r['p95_us'] / 1000:.2f} | {r['errors']} | "
            f"{r['rps'] / h['rps']:.2f} | {r['p95_us'] / max(h['p95_us'], 1):.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
