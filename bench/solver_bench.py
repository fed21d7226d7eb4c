"""Solver benchmark: the block sweep vs the old Jacobi + sparse-LU solver, loose and tight loops
(not a test; run by hand).

    .venv/bin/python bench/solver_bench.py [--old-timeout 60] [--sample 30]

Rows: ``synthetic_system(n)`` (4 inputs per product, 2 % back-edges, loops of radius ≈ 0.03–0.05)
at 10k / 100k / 1M products, and ``tight_system(n)`` (10 % back-edges, every loop scaled to
spectral radius 0.99) at 10k / 30k / 100k. Every measurement runs in a fresh subprocess:

* new: ``Solver(M)`` + ``non_productive_loops()`` + ``solve(b · GWP)`` (all products, 3 gases),
  then a second ``solve`` of the same right-hand side (the reuse Monte Carlo and what-if get);
  peak RSS is the worker's high-water mark (VmHWM), and its rise during the solve;
* old: ``bench/old_solver.py`` (the solver before issue 11: loop check with a bound above 400
  products, Jacobi series, sparse LU when the series is slow), killed after ``--old-timeout`` s;
* bw2calc at 10k: ``LCA.lci(factorize=True)`` once, then ``lcia(demand={j: 1})`` for ``--sample``
  random products; agreement = max relative difference to the new solver's totals on them.
  The new and old results are also compared on every product where the old one finished.

Workers run with ``OPENBLAS_NUM_THREADS=1``: on this shared 2-core machine a threaded OpenBLAS
spins under contention (a 32k-element dot product took 0.65 ms instead of 7 µs), which would
time the machine's load rather than the methods.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_arrays import GWP_AR6, synthetic_system, system_to_datapackage, tight_system  # noqa: E402

ROWS = [("loose", 10_000), ("loose", 100_000), ("loose", 1_000_000)]
ROWS += [("tight", 10_000), ("tight", 30_000), ("tight", 100_000)]


def system(kind: str, n: int):
    return synthetic_system(n) if kind == "loose" else tight_system(n, radius=0.99)


def _status(key: str) -> int:
    """kB value of a /proc/self/status line (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def worker(which: str, kind: str, n: int, out: str, sample: int) -> dict:
    warnings.filterwarnings("ignore")
    M, b = system(kind, n)
    B = b * GWP_AR6
    if which == "bw":
        import bw2calc as bc

        lca = bc.LCA(demand={0: 1}, data_objs=[system_to_datapackage(M, b, GWP_AR6)])
        t = time.perf_counter()
        lca.lci(factorize=True)
        lca.lcia()
        idx = np.sort(np.random.default_rng(n).choice(n, size=min(sample, n), replace=False))
        scores = []
        for j in idx:
            lca.lcia(demand={int(j): 1})
            scores.append(float(lca.score))
        return {"s": time.perf_counter() - t, "idx": idx.tolist(), "scores": scores}
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    base = _status("VmRSS")
    if which == "old":
        import old_solver

        t = time.perf_counter()
        bad = old_solver.non_productive_loops(M)
        Y, info = old_solver.solve_intensities(M, B)
        total = time.perf_counter() - t
        again = None
    else:
        from tanlian.lca.core.solve import Solver

        t = time.perf_counter()
        solver = Solver(M)
        bad = solver.non_productive_loops()
        t_check = time.perf_counter() - t
        Y, info = solver.solve(B)
        total = time.perf_counter() - t
        t = time.perf_counter()
        solver.solve(B)
        again = time.perf_counter() - t
    np.save(out, Y.sum(axis=1))
    sizes = [len(c) for c, _ in bad]
    result = {
        "s": total,
        "again_s": again,
        "method": f"{info.method}, {info.iterations} it",
        "residual": info.residual,
        "bad": sizes,
        "hwm_mib": _status("VmHWM") / 1024,
        "rise_mib": (_status("VmHWM") - base) / 1024,
        "edges": int(M.nnz),
    }
    if which == "new":
        from tanlian.lca.core.solve import loop_components

        result["check_s"] = t_check
        result["largest_loop"] = max((len(c) for c in loop_components(M)), default=0)
    return result


def run(which: str, kind: str, n: int, out: Path, sample: int, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", which, kind, str(n), str(out), str(sample)]
    try:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"> {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1][:100]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old-timeout", type=float, default=60.0)
    ap.add_argument("--bw-timeout", type=float, default=600.0)
    ap.add_argument("--sample", type=int, default=30)
    ap.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        which, kind, n, out, sample = args.worker
        print(json.dumps(worker(which, kind, int(n), out, int(sample))))
        return

    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    table = Table(title="All-product solve: block sweep (new) vs Jacobi + sparse LU (old), 3 gases")
    cols = ["loops", "products", "edges", "largest loop", "new s (check + solve)", "re-solve s", "new method"]
    cols += ["old s", "speed-up", "new vs old max rel", "new vs bw2calc max rel", "peak RSS MiB (rise)"]
    for c in cols:
        table.add_column(c, justify="right")
    tmp = Path(tempfile.mkdtemp(prefix="solver-bench-"))
    for kind, n in ROWS:
        console.log(f"{kind} {n:,} …")
        new = run("new", kind, n, tmp / "new.npy", args.sample, timeout=600)
        if "error" in new:
            table.add_row(kind, f"{n:,}", *["n/a"] * 9, new["error"])
            continue
        y_new = np.load(tmp / "new.npy")
        # the worker also builds the system (≤ 5 s): the limit applies to the solve it reports
        old = run("old", kind, n, tmp / "old.npy", args.sample, timeout=args.old_timeout + 15)
        if ("error" not in old and old["s"] > args.old_timeout) or old.get("error", "").startswith(">"):
            old = {"error": f"> {args.old_timeout:.0f} s"}
        old_s = old.get("error") or f"{old['s']:.3f} ({old['method']})"
        speed = "n/a" if "error" in old else f"{old['s'] / new['s']:,.1f}×"
        if "error" in old:
            vs_old = "n/a"
        elif old["bad"]:
            vs_old = f"old: non-productive loop {old['bad']}"
        else:
            vs_old = f"{rel_diff(np.load(tmp / 'old.npy'), y_new):.1e}"
        vs_bw = "—"
        if n == 10_000:
            bw = run("bw", kind, n, tmp / "bw.npy", args.sample, timeout=args.bw_timeout)
            if "error" in bw:
                vs_bw = f"n/a ({bw['error']})"
            else:
                diff = rel_diff(y_new[bw["idx"]], np.array(bw["scores"]))
                vs_bw = f"{diff:.1e} ({len(bw['idx'])} products, bw2calc {bw['s']:.1f} s)"
        table.add_row(
            kind,
            f"{n:,}",
            f"{new['edges']:,}",
            f"{new['largest_loop']:,}",
            f"{new['s']:.3f} ({new['check_s']:.3f} + {new['s'] - new['check_s']:.3f})",
            f"{new['again_s']:.3f}",
            f"{new['method']}, residual {new['residual']:.0e}",
            old_s,
            speed,
            vs_old,
            vs_bw,
            f"{new['hwm_mib']:,.0f} ({new['rise_mib']:,.0f})",
        )
    console.print(table)


if __name__ == "__main__":
    main()
