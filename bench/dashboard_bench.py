"""Server-side time of each dashboard page (TestClient in process, park admin, warm caches), on
the demo park and on a synthetic park, and the time to render the report's charts offline.

    python bench/dashboard_bench.py [--products 10000] [--repeat 5]

Prints a Markdown table: the first request of each page (the solve and caches of the first page
land on it; later pages reuse them) and the median of ``--repeat`` requests after it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import synthetic_graph

from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.connectors.bundle import import_bundle
from tanlian.connectors.report_charts import park_figures, write_images
from tanlian.graph.factory import open_store
from tanlian.lca.accounting.park import park_inventory
from tanlian.lca.core.cache import results
from tanlian.seed_data.library import demo_park_path
from tanlian.settings import Settings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


PAGES = {  # label → path template
    "park overview": "/dashboard/parks/{park}",
    "carbon flows (Sankey)": "/dashboard/parks/{park}/flows",
    "symbiosis map": "/dashboard/parks/{park}/symbiosis",
    "what-if form": "/dashboard/parks/{park}/whatif",
    "enterprise (most inflows)": "/dashboard/enterprises/{ent}",
    "product (P5–P95 from 200 Monte Carlo samples)": "/dashboard/products/{product}",
}


def time_pages(store, park: str, repeat: int) -> dict[str, tuple[float, float]]:
    graph = store.snapshot()
    members = sorted(e for e, v in graph.enterprises.items() if v.park == park)
    enterprise = max(members, key=lambda e: sum(f.to == e for f in graph.flows.values()))
    product = sorted(p for p, v in graph.products.items() if v.enterprise == enterprise)[0]
    client, secret = new_client(store, "bench", "park_admin", park=park)
    app = create_app(Settings(store=store.url, jwt_secret="bench-secret-of-at-least-32-bytes!!"), store)
    out = {}
    with TestClient(app) as http:
        token = CSRF.search(http.get("/dashboard/login").text).group(1)
        http.post("/dashboard/login", data={"client_id": client.id, "client_secret": secret, "csrf_token": token})
        for label, template in PAGES.items():
            path = template.format(park=park, ent=enterprise, product=product)
            t0 = time.perf_counter()
            assert http.get(path).status_code == 200, path  # first request (solve, caches)
            first = 1000 * (time.perf_counter() - t0)
            runs = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                r = http.get(path)
                runs.append(1000 * (time.perf_counter() - t0))
                assert r.status_code == 200
            out[label] = (first, statistics.median(runs))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = open_store(f"sqlite:///{tmp}/demo.db")
        import_bundle(demo, demo_park_path())
        demo_ms = time_pages(demo, "P1", args.repeat)
        t0 = time.perf_counter()
        result = results.get(demo, "AR6", "market")
        write_images(park_figures(result, park_inventory(result, "P1"), "zh"), Path(tmp) / "charts")
        charts_s = time.perf_counter() - t0
        big = open_store(f"sqlite:///{tmp}/big.db")
        graph = synthetic_graph(args.products)
        big.import_graph(graph)
        park = sorted(graph.parks)[0]
        big_ms = time_pages(big, park, args.repeat)
    n_flows = len(graph.flows)
    print(f"| page | demo: first / warm (ms) | {args.products:,} products, {n_flows:,} flows: first / warm (ms) |")
    print("|---|---:|---:|")
    for label, template in PAGES.items():
        (f0, w0), (f1, w1) = demo_ms[label], big_ms[label]
        print(f"| {label} `{template}` | {f0:,.0f} / {w0:,.0f} | {f1:,.0f} / {w1:,.0f} |")
    print(f"\nReport charts (5 figures × PNG + SVG, kaleido + Chromium, cold start): {charts_s:.1f} s")


if __name__ == "__main__":
    main()
