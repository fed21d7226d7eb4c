"""LCA solver benchmark: Tanlian's all-products solve vs bw2calc (not a test; run by hand).

    .venv/bin/python bench/lca_bench.py [--sizes 1000,10000,100000,1000000] [--sample 50]

For each size, a synthetic system from ``bench/synthetic_arrays.py`` (≈4 inputs per product,
2 % back-edges closing supply loops) is solved

* by Tanlian: ``non_productive_loops(M)`` + ``solve_intensities(M, b * gwp)``, all products at once
  (best of 3 for n ≤ 100k, else one run), in this process;
* by a bw2calc ``LCA`` loop: one ``LCA(demand={0: 1}, data_objs=[dp])``, ``lci(factorize=True)``
  + ``lcia()`` once, then ``lcia(demand={j: 1})`` (what the deprecated ``redo_lcia({j: 1})``
  calls) for ``--sample`` random products; the total is extrapolated to all n products as
  ``setup + n × mean per-product time``. Runs in a subprocess with a timeout;
* by bw2calc ``MultiLCA`` with one functional unit per product, only for n ≤ ``--multilca-max``:
  it stacks a dense n × n demand matrix and an n × n dense supply result (8 n² bytes each: 80 GB
  at 100k) and keeps one sparse inventory per product. Subprocess with a timeout.

Peak memory of the Tanlian solve is measured in a fresh subprocess per size: the rise of the
kernel's resident-set high-water mark (VmHWM, reset through /proc/self/clear_refs just before
the solve) over the resident set at that moment, with glibc's dynamic mmap threshold pinned so
freed arrays go back to the OS (otherwise reused heap would hide part of the peak). The
tracemalloc peak (numpy/Python allocations only) is printed next to it as a cross-check.

Agreement: max relative difference between Tanlian's per-product total (sum over gases of Y)
and bw2calc's ``lca.score`` on the sampled products. Ratios are against bw2calc in the same run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_arrays import GWP_AR6, characterization_datapackage, synthetic_system, system_to_datapackage

from tanlian.lca.core.solve import non_productive_loops, solve_intensities

SEED = 0


def sample_indices(n: int, sample: int) -> np.ndarray:
    rng = np.random.default_rng(1000 + n)
    return np.sort(rng.choice(n, size=min(sample, n), replace=False))


def tanlian_solve(M, B):
    bad = non_productive_loops(M)
    Y, info = solve_intensities(M, B)
    return bad, Y, info


# ---------------------------------------------------------------- workers (run in subprocesses)


def _status(key: str) -> int:
    """kB value of a /proc/self/status line (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def worker_mem(n: int) -> dict:
    import tracemalloc

    M, b = synthetic_system(n, seed=SEED)
    B = b * GWP_AR6
    tanlian_solve(M, B)  # warm-up: imports, lazy scipy initialisation
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    base = _status("VmRSS")
    tanlian_solve(M, B)
    hwm = _status("VmHWM")
    gc.collect()
    tracemalloc.start()
    tanlian_solve(M, B)
    _, tm_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rss_delta_mib": (hwm - base) / 1024,
        "hwm_mib": hwm / 1024,
        "base_mib": base / 1024,
        "tm_mib": tm_peak / 2**20,
    }


def worker_bw(n: int, sample: int) -> dict:
    warnings.filterwarnings("ignore")
    import bw2calc as bc

    M, b = synthetic_system(n, seed=SEED)
    t = time.perf_counter()
    dp = system_to_datapackage(M, b, GWP_AR6)
    t_dp = time.perf_counter() - t
    t = time.perf_counter()
    lca = bc.LCA(demand={0: 1}, data_objs=[dp])
    lca.lci(factorize=True)
    lca.lcia()
    t_setup = time.perf_counter() - t
    idx = sample_indices(n, sample)
    scores = []
    t = time.perf_counter()
    for j in idx:
        lca.lcia(demand={int(j): 1})
        scores.append(float(lca.score))
    t_loop = time.perf_counter() - t
    each = t_loop / len(idx)
    return {
        "dp_s": t_dp,
        "setup_s": t_setup,
        "each_s": each,
        "extrapolated_s": t_setup + n * each,
        "idx": idx.tolist(),
        "scores": scores,
        "pardiso": bool(bc.PYPARDISO),
        "umfpack": bool(bc.UMFPACK),
    }


def worker_multi(n: int, sample: int) -> dict:
    warnings.filterwarnings("ignore")
    import bw2calc as bc

    M, b = synthetic_system(n, seed=SEED)
    dp = system_to_datapackage(M, b, GWP_AR6)
    cdp = characterization_datapackage(GWP_AR6, identifier=("GWP100",))
    demands = {f"p{j}": {j: 1.0} for j in range(n)}
    t = time.perf_counter()
    mlca = bc.MultiLCA(demands=demands, method_config={"impact_categories": [("GWP100",)]}, data_objs=[dp, cdp])
    mlca.lci()
    mlca.lcia()
    scores = mlca.scores
    t_all = time.perf_counter() - t
    by_fu = {}
    for key, value in scores.items():
        fu = next(k for k in key if isinstance(k, str) and k.startswith("p") and k[1:].isdigit())
        by_fu[int(fu[1:])] = float(value)
    idx = sample_indices(n, sample)
    return {"total_s": t_all, "idx": idx.tolist(), "scores": [by_fu[int(j)] for j in idx]}


def run_worker(kind: str, n: int, sample: int, timeout: float) -> dict:
    """Run one worker in a fresh interpreter; {'error': ...} on timeout or failure."""
    env = dict(os.environ)
    if kind == "mem":
        env["MALLOC_MMAP_THRESHOLD_"] = str(128 * 1024)  # fixed threshold: large frees go back to the OS
        env["MALLOC_TRIM_THRESHOLD_"] = str(128 * 1024)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--n", str(n), "--sample", str(sample)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout > {timeout:.0f} s"}
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"exit {out.returncode}: {tail[:120]}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- main


def rel_diff(y: np.ndarray, s: np.ndarray) -> float:
    return float(np.max(np.abs(y - s) / np.maximum(np.abs(s), 1e-300)))


def fmt_s(x: float) -> str:
    return f"{x:.3g}" if x < 100 else f"{x:,.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--multilca-max", type=int, default=10_000)
    ap.add_argument("--bw-timeout", type=float, default=900.0, help="seconds per bw2calc subprocess")
    ap.add_argument("--worker", choices=["mem", "bw", "multi"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        fn = {
            "mem": lambda: worker_mem(args.n),
            "bw": lambda: worker_bw(args.n, args.sample),
            "multi": lambda: worker_multi(args.n, args.sample),
        }[args.worker]
        print(json.dumps(fn()))
        return

    from rich.console import Console
    from rich.table import Table

    console = Console(width=170)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows, notes = [], []
    for n in sizes:
        t = time.perf_counter()
        M, b = synthetic_system(n, seed=SEED)
        t_build = time.perf_counter() - t
        B = b * GWP_AR6
        repeats = 3 if n <= 100_000 else 1
        best = np.inf
        t_loops = np.inf
        for _ in range(repeats):
            t = time.perf_counter()
            bad = non_productive_loops(M)
            t_mid = time.perf_counter()
            Y, info = solve_intensities(M, B)
            t_end = time.perf_counter()
            if t_end - t < best:
                best, t_loops = t_end - t, t_mid - t
        y_total = Y.sum(axis=1)
        console.log(f"n={n:,}: tanlian {best:.3f} s ({info.method}, {info.iterations} it); running workers…")

        mem = run_worker("mem", n, args.sample, timeout=args.bw_timeout)
        bw = run_worker("bw", n, args.sample, timeout=args.bw_timeout)
        if n <= args.multilca_max:
            multi = run_worker("multi", n, args.sample, timeout=args.bw_timeout)
        else:
            dense_gib = 16 * n * n / 2**30
            multi = {"error": f"skipped: n > {args.multilca_max:,} (dense n×n demand + supply = {dense_gib:,.0f} GiB)"}

        if "error" in bw:
            loop_s = speed = diff = "n/a"
            notes.append(f"n={n:,}: bw2calc loop n/a ({bw['error']})")
        else:
            loop_s = f"{fmt_s(bw['extrapolated_s'])} (ext. from {len(bw['idx'])})"
            speed = f"{bw['extrapolated_s'] / best:,.0f}×"
            diff = f"{rel_diff(y_total[bw['idx']], np.array(bw['scores'])):.1e}"
            notes.append(
                f"n={n:,}: bw2calc datapackage {bw['dp_s']:.2f} s (not counted), LCA init+lci(factorize)+lcia "
                f"{bw['setup_s']:.2f} s, {bw['each_s'] * 1e3:.2f} ms per product over {len(bw['idx'])} sampled"
            )
        if "error" in multi:
            multi_s = "n/a"
            notes.append(f"n={n:,}: MultiLCA n/a ({multi['error']})")
        else:
            multi_s = fmt_s(multi["total_s"])
            notes.append(
                f"n={n:,}: MultiLCA {multi['total_s']:.2f} s for {n:,} functional units, max rel diff vs Tanlian "
                f"{rel_diff(y_total[multi['idx']], np.array(multi['scores'])):.1e}"
            )
        if "error" in mem:
            peak = "n/a"
            notes.append(f"n={n:,}: memory worker failed ({mem['error']})")
        else:
            peak = f"{mem['rss_delta_mib']:,.1f}"
            notes.append(
                f"n={n:,}: Tanlian peak: RSS high-water rise {mem['rss_delta_mib']:,.0f} MiB "
                f"over {mem['base_mib']:,.0f} MiB "
                f"(process HWM {mem['hwm_mib']:,.0f} MiB); tracemalloc peak {mem['tm_mib']:,.0f} MiB"
            )
        notes.append(
            f"n={n:,}: arrays built in {t_build:.2f} s; Tanlian {best:.3f} s = loop check {t_loops:.3f} s + solve "
            f"{best - t_loops:.3f} s ({info.method}, {info.iterations} iterations, residual {info.residual:.1e}, "
            f"{len(bad)} non-productive loops); {'best of 3' if repeats == 3 else '1 run'}"
        )
        rows.append(
            [
                f"{n:,}",
                f"{M.nnz:,}",
                f"{best:.3f} ({info.method}, {info.iterations} it)",
                loop_s,
                multi_s,
                speed,
                peak,
                diff,
            ]
        )
        del M, b, B, Y
        gc.collect()

    table = Table(title="LCA solve of all products: Tanlian vs bw2calc (synthetic tiered supply graph, 2 % back-edges)")
    for col in [
        "size",
        "edges",
        "tanlian s",
        "bw2calc loop s (extrapolated)",
        "MultiLCA s",
        "speed-up vs loop",
        "peak MiB",
        "max rel diff",
    ]:
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(*r)
    console.print(table)
    for note in notes:
        console.print(f"  • {note}", highlight=False)


if __name__ == "__main__":
    main()
