"""Monte Carlo of one footprint (``footprint?mc=``) against the park-wide run (not a test).

    .venv/bin/python bench/mc_bench.py [--products 100000] [--samples 2000] [--park-samples 200]

Builds ``bench/synthetic.py``'s graph with lognormal uncertainty on its coal, natural gas and grid
factors, solves it, then times :func:`product_percentiles` (``Z = (I − Mᵀ)⁻¹ D`` solved once per
result, then a row per product; ``--supply``: the supply-vector path) and the park-wide :func:`percentiles`,
with the peak of memory allocated by each (tracemalloc: numpy's arrays included).

``Z`` is also solved with BLAS allowed as many threads as it likes (OpenBLAS's default, what every
solve did before :func:`~tanlian.lca.core.solve.single_thread_blas`), in the same run: wall and
process CPU seconds (CPU includes the time threads spend spinning).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import synthetic_graph

from tanlian.lca.core.result import solve_graph
from tanlian.lca.core.uncertainty import contributions, percentiles, product_percentiles

UNCERTAINTY = {"coal": 1.05, "natural-gas": 1.02, "grid-east": 1.1}  # GSD


def timed(fn, memory: bool = True, first=None):
    """(value, seconds, peak MiB allocated): timed without tracing, then run again under tracemalloc
    (which slows Python allocations) for the memory peak; ``first()`` (if given) resets what the
    timed call builds before each run. Also sets :data:`LAST_CPU` (process CPU seconds)."""
    global LAST_CPU
    if first:
        first()
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    seconds, LAST_CPU = time.perf_counter() - t0, time.process_time() - c0
    if not memory:
        return value, seconds, float("nan")
    if first:
        first()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return value, seconds, peak / 2**20


LAST_CPU = float("nan")


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
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rng = np.random.default_rng(0)
    js = rng.choice(len(r.system.products), 6, replace=False)
    rows = []
    D = r.system.D.toarray()
    zbytes = D.nbytes / 2**20
    with threadpool_limits(limits=os.cpu_count(), user_api="blas"):
        _, s, _ = timed(lambda: r.solver(D), memory=False)
    rows.append((f"`Z = (I − Mᵀ)⁻¹ D`, BLAS {os.cpu_count()} threads (before)", s, LAST_CPU, zbytes))
    _, s, _ = timed(lambda: r.solver(D), memory=False)
    rows.append(("`Z = (I − Mᵀ)⁻¹ D`, BLAS 1 thread (the solver's setting)", s, LAST_CPU, zbytes))

    def forget_z() -> None:
        r.memo._values.pop("uncertainty.Z", None)

    j0 = int(js[0])
    _, s, mib = timed(lambda: product_percentiles(r, j0, args.samples, seed=42), first=forget_z)
    rows.append((f"first `?mc={args.samples}` of the revision: `Z` + one product", s, LAST_CPU, mib))
    for j in js[1:]:
        (p5, p50, p95), s, mib = timed(lambda j=j: product_percentiles(r, int(j), args.samples, seed=42))
        rows.append((f"next product, mc={args.samples} (row of `Z`)", s, LAST_CPU, mib))
        print(f"{r.system.products[j]}: p5 {p5:.4g} p50 {p50:.4g} p95 {p95:.4g} (intensity {r.intensity[j]:.4g})")
    if args.supply:
        for k, j in enumerate(js[:3]):
            _, s, mib = timed(lambda j=j: contributions(r, int(j), via="supply"))
            label = "first: builds the supply solver" if k == 0 else "next"
            rows.append((f"one product, supply vector (I − M) x = e_j ({label})", s, LAST_CPU, mib))
    if args.park_samples:
        _, s, mib = timed(lambda: percentiles(r, args.park_samples, seed=42))
        rows.append((f"park-wide, mc={args.park_samples} (every product)", s, LAST_CPU, mib))
    print(f"\n| {len(g.products):,} products | wall s | CPU s | MiB (peak allocated; `Z`: its size) |")
    print("|---|---:|---:|---:|")
    for name, s, cpu, mib in rows:
        print(f"| {name} | {s:.3f} | {cpu:.3f} | {mib:.2f} |")


if __name__ == "__main__":
    main()
