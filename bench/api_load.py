"""Load test of the HTTP API on a ~10k-product synthetic park with ``wrk`` (not a test; run by hand).

    apt-get install -y wrk      # the load generator (C, event loop): not the bottleneck
    .venv/bin/python bench/api_load.py [--products 10000] [--workers 1 2] [--duration 10] [--connections 50]

Builds ``bench/synthetic.py``'s graph, imports it into an embedded store in a temporary folder and
adds a park-admin client (``--prime-snapshot``: then reads the snapshot once, which writes its
Arrow cache as ``tanlian import`` does on the integrated branch). Then for each worker count N:
starts ``tanlian serve --workers N``, times the first footprint request (the cold solve after the
import: snapshot + system + solve + body; also the CPU seconds the server processes spent on it),
warms the
response cache on every URL the load will use, and drives each route with ``wrk`` (``--connections``
connections, rotating over many ids of the route) for ``--duration`` seconds, ``/healthz`` in the same
run. Prints each route's throughput and p50/p95 latency, and their ratios to ``/healthz``; the
Markdown table goes to stdout at the end (copied into ``bench/README.md``). ``--cold-runs K``:
only the cold solve, K fresh servers per worker count (a fresh copy of the store each time).
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


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and all its descendants (Linux ``/proc``)."""
    parent, cpu = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(d)] = int(fields[1])
        cpu[int(d)] = (int(fields[11]) + int(fields[12])) / tick
    tree, todo = {pid}, [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in tree]
        tree.update(kids)
        todo += kids
    return sum(cpu.get(p, 0.0) for p in tree)


def cold_solve(base: str, headers: dict[str, str], url: str, pid: int) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) of the first request of ``url`` on a fresh server."""
    time.sleep(1.0)  # let the workers settle after start-up (and their warm-up)
    c0, t0 = tree_cpu(pid), time.perf_counter()
    httpx.get(base + url, headers=headers, timeout=300).raise_for_status()
    return time.perf_counter() - t0, tree_cpu(pid) - c0


def token_of(base: str, client_id: str, secret: str) -> dict[str, str]:
    grant = {"grant_type": "client_credentials"}
    r = httpx.post(f"{base}/auth/token", data=grant, auth=(client_id, secret), timeout=30)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def cold_runs(db: Path, client_id: str, secret: str, url: str, args) -> None:
    """``--cold-runs``: the first footprint on K fresh servers per worker count, each on a fresh
    copy of the store (with its snapshot cache when ``--prime-snapshot``)."""
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; snapshot cache primed: "
        f"{args.prime_snapshot}",
        flush=True,
    )
    for workers in args.workers:
        for k in range(args.cold_runs):
            run = db.parent.parent / f"cold-{workers}-{k}"
            shutil.copytree(db.parent, run)
            port = free_port()
            proc = start_server(run / db.name, port, "bench-" + secret, workers)
            try:
                base = f"http://127.0.0.1:{port}"
                headers = token_of(base, client_id, secret)
                wall, cpu = cold_solve(base, headers, url, proc.pid)
            finally:
                proc.terminate()
                proc.wait(timeout=60)
            print(f"| {workers} | {k + 1} | {wall:.3f} | {cpu:.2f} |", flush=True)


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
    ap.add_argument("--prime-snapshot", action="store_true", help="write the snapshot cache after the import")
    ap.add_argument("--cold-runs", type=int, default=0, help="only the cold solve, this many times per worker count")
    args = ap.parse_args()
    if shutil.which("wrk") is None and not args.cold_runs:
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
        if args.prime_snapshot:
            store.snapshot_tables()  # writes the Arrow cache of this revision next to the store
        store.close()
        counts = graph.counts()
        print(
            f"graph: {counts['products']} products, {counts['enterprises']} enterprises, {counts['flows']} flows "
            f"— built and imported in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        urls = routes(graph, park, rng)
        if args.cold_runs:
            pristine = folder / "pristine"
            pristine.mkdir()
            for f in folder.iterdir():
                if f.name.startswith(db.name):
                    (shutil.copytree if f.is_dir() else shutil.copy2)(f, pristine / f.name)
            print("| workers | run | cold solve wall s | server CPU s |\n|---:|---:|---:|---:|")
            cold_runs(pristine / db.name, client.id, secret, urls["footprint"][0], args)
            return
        for workers in args.workers:
            port = free_port()
            proc = start_server(db, port, "bench-" + secret, workers)
            try:
                base = f"http://127.0.0.1:{port}"
                headers = token_of(base, client.id, secret)
                token = headers["Authorization"].removeprefix("Bearer ")
                cold, cold_cpu = cold_solve(base, headers, urls["footprint"][0], proc.pid)
                print(
                    f"\n{workers} worker(s): cold solve (first footprint after the import): {cold:.2f} s "
                    f"(server CPU {cold_cpu:.2f} s)",
                    flush=True,
                )
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
