"""Monte Carlo of one footprint (``footprint?mc=``) against the park-wide run (not a test).

    .venv/bin/python bench/mc_bench.py [--products 100000] [--samples 2000] [--park-samples 200]

Builds ``bench/synthetic.py``'s graph with lognormal uncertainty on its coal, natural gas and grid
factors, solves it, then times :func:`product_percentiles` (``Z = (I − Mᵀ)⁻¹ D`` solved once per
result, then a row per product; ``--supply``: the supply-vector path) and the park-wide :func:`percentiles`,
with the peak of memory allocated by each (tracemalloc: numpy's arrays included).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import synthetic_graph

from tanlian.lca.core.result import solve_graph
from tanlian.lca.core.uncertainty import contributions, percentiles, product_percentiles, uncertain_intensities

UNCERTAINTY = {"coal": 1.05, "natural-gas": 1.02, "grid-east": 1.1}  # GSD


def timed(fn, memory: bool = True):
    """(value, seconds, peak MiB allocated): timed without tracing, then run again under tracemalloc
    (which slows Python allocations) for the memory peak."""
    t0 = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - t0
    if not memory:
        return value, seconds, float("nan")
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return value, seconds, peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--park-samples", type=int, default=200, help="0: skip the park-wide run")
    ap.add_argument("--supply", action="store_true", help="also time the supply-vector path")
    args = ap.parse_args()
    t0 = time.perf_counter()
    g = synthetic_graph(args.products)
    for fid, gsd in UNCERTAINTY.items():
        g.factors[fid] = g.factors[fid].model_copy(update={"uncertainty_type": "lognormal", "uncertainty": gsd})
    print(f"graph: {len(g.products)} products, {len(g.flows)} flows ({time.perf_counter() - t0:.1f} s)")
    r, s, _ = timed(lambda: solve_graph(g), memory=False)
    print(f"solve: {s:.2f} s, {len(r.system.uncertain)} uncertain factors, D nnz {r.system.D.nnz}")
    rng = np.random.default_rng(0)
    js = rng.choice(len(r.system.products), 6, replace=False)
    rows = []
    _, s, mib = timed(lambda: uncertain_intensities(r), memory=False)
    rows.append(
        ("Z = (I − Mᵀ)⁻¹ D, once per revision (result's solver)", s, r.memo.get("uncertainty.Z", None).nbytes / 2**20)
    )
    for k, j in enumerate(js):
        (p5, p50, p95), s, mib = timed(lambda j=j: product_percentiles(r, int(j), args.samples, seed=42))
        rows.append((f"one product, mc={args.samples}, row of Z ({'first' if k == 0 else 'next'})", s, mib))
        print(f"{r.system.products[j]}: p5 {p5:.4g} p50 {p50:.4g} p95 {p95:.4g} (intensity {r.intensity[j]:.4g})")
    if args.supply:
        for k, j in enumerate(js[:3]):
            _, s, mib = timed(lambda j=j: contributions(r, int(j), via="supply"))
            label = "first: builds the supply solver" if k == 0 else "next"
            rows.append((f"one product, supply vector (I − M) x = e_j ({label})", s, mib))
    if args.park_samples:
        _, s, mib = timed(lambda: percentiles(r, args.park_samples, seed=42))
        rows.append((f"park-wide, mc={args.park_samples} (every product)", s, mib))
    print(f"\n| {len(g.products):,} products | time s | peak MiB allocated |\n|---|---:|---:|")
    for name, s, mib in rows:
        print(f"| {name} | {s:.3f} | {mib:.2f} |")


if __name__ == "__main__":
    main()
