"""Scale benchmark of the columnar data path (issue 11): one table, every row measured in this run
(not a test; run by hand).

    .venv/bin/python bench/scale.py [--sizes 10000 100000] [--variants loose tight] [--storage]

Each row is a bundle written from ``synthetic_system(n)`` (*loose*: 4 inputs per product, 2 %
back-edges) or ``tight_system(n, 0.99)`` (*tight*: 10 % back-edges, every loop scaled to spectral
radius 0.99) of ``bench/synthetic_arrays.py``: product ``P<j>`` made by enterprise ``E<j>``
(output 1 t), a flow of ``M[i, j]`` t of ``P<i>`` to ``E<j>`` for every entry of ``M``, and one
``process`` CO2 activity of ``b[j] · GWP`` kg per enterprise — so the store's system is exactly
``(M, b · GWP)``. Columns, all in a fresh store:

* import s: ``tanlian import DIR --store sqlite:///…`` wall time (a subprocess), its CPU seconds
  (user + system) in brackets — the figure to read when other work shares the cores;
* snapshot s: ``snapshot_tables()`` right after the import (the import wrote the revision's Arrow
  snapshot, so this maps it), then a second read (in brackets);
* compute s: snapshot + system + solve;
* system s: ``build_system_tables`` from the memory-mapped snapshot (vectorised);
* solve s: ``Solver(M)`` + the exact loop check + the all-product solve;
* edges s: ``tanlian edges --json > /dev/null`` wall time and CPU (a subprocess: start-up, snapshot, system,
  solve, the edge table and its JSON);
* peak RSS: the largest high-water mark of the import, edges and in-process steps;
* vs bw2calc: max relative difference of the store's intensities to ``bw2calc`` (30 random products)
  at 10k; vs arrays: to a solve of ``(M, b · GWP)`` straight from the arrays, every product.

``--storage`` adds the storage table of docs/storage.md: 100k products + 400k flows loaded and
read back into numpy by DuckDB and by SQLite typed tables, and the Arrow IPC memory-mapped read.
Workers run with one BLAS thread (see bench/solver_bench.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from synthetic_arrays import GWP_AR6, synthetic_system, tight_system  # noqa: E402

#: The issue's figures for the landed code at 10k products (2 cores): import, edges, tight LU.
OLD_10K = {"import": 18.9, "edges": 4.8, "tight_solve": 44.0}
TANLIAN = str(Path(sys.executable).with_name("tanlian"))


def system(variant: str, n: int):
    return synthetic_system(n) if variant == "loose" else tight_system(n, radius=0.99)


def write_bundle(M, b, folder: Path) -> None:
    """The bundle whose system is ``(M, b · GWP)`` (see the module docstring). Outputs are the
    gross production ``x = (I − M)⁻¹ 1`` (one unit of each product leaves the graph), so the flows
    out of a product never exceed its output (DECISIONS 11)."""
    from tanlian.lca.core.solve import Solver

    n = M.shape[0]
    x = Solver(M.T.tocsr()).solve(np.ones((n, 1)))[0][:, 0]
    ids = np.char.add("P", np.arange(n).astype(str))
    ents = np.char.add("E", np.arange(n).astype(str))
    folder.mkdir(parents=True)
    pd.DataFrame({"id": ["PK"], "name": ["Synthetic park"], "year": [2024]}).to_csv(folder / "parks.csv", index=False)
    pd.DataFrame({"id": ents, "name": ents, "park": "PK"}).to_csv(folder / "enterprises.csv", index=False)
    products = {"id": ids, "enterprise": ents, "unit": "t", "output": x, "price_cny": 1.0}
    pd.DataFrame(products).to_csv(folder / "products.csv", index=False, float_format="%.17g")
    coo = M.tocoo()
    flows = {"from": ids[coo.row], "to": ents[coo.col], "quantity": coo.data * x[coo.col], "unit": "t"}
    pd.DataFrame(flows).to_csv(folder / "flows.csv", index=False, float_format="%.17g")
    co2e = (b @ GWP_AR6) * x
    acts = {"enterprise": ents, "type": "process", "item": "CO2", "quantity": co2e, "unit": "kg"}
    pd.DataFrame(acts).to_csv(folder / "activities.csv", index=False, float_format="%.17g")


def timed_child(args: list[str], stdout=None) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB) and CPU seconds (user + system) of one child process; raises
    if it fails."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {err[-2000:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def worker(variant: str, n: int, sample: int) -> dict:
    """One row, in a fresh process."""
    warnings.filterwarnings("ignore")
    from tanlian.graph.factory import open_store
    from tanlian.lca.core.solve import Solver
    from tanlian.lca.core.system import build_system_tables

    M, b = system(variant, n)
    tmp = Path(tempfile.mkdtemp(prefix="tanlian-scale-"))
    try:
        write_bundle(M, b, tmp / "bundle")
        url = f"sqlite:///{tmp / 'scale.sqlite'}"
        args = [TANLIAN, "import", str(tmp / "bundle"), "--store", url, "--json"]
        t_import, rss_import, cpu_import = timed_child(args)
        store = open_store(url)
        t = time.perf_counter()
        store.snapshot_tables()
        t_snap_cold = time.perf_counter() - t
        t = time.perf_counter()
        snap = store.snapshot_tables()
        t_snap = time.perf_counter() - t
        t = time.perf_counter()
        sysm = build_system_tables(snap.tables, "AR6", "market")
        t_system = time.perf_counter() - t
        t = time.perf_counter()
        solver = Solver(sysm.M)
        bad = solver.non_productive_loops()
        Y, info = solver.solve(sysm.b)
        t_solve = time.perf_counter() - t
        assert not bad
        ours = Y.sum(axis=1)
        with open(os.devnull, "wb") as null:
            t_edges, rss_edges, cpu_edges = timed_child([TANLIAN, "edges", "--json", "--store", url], stdout=null)
        # the store's system against the arrays it was written from
        order = np.argsort(np.char.add("P", np.arange(n).astype(str)), kind="stable")  # store ids sort as text
        direct = Solver(M).solve((b @ GWP_AR6)[:, None])[0][:, 0]
        vs_arrays = float(np.max(np.abs(ours - direct[order]) / np.maximum(np.abs(direct[order]), 1e-300)))
        vs_bw = None
        if n <= 10_000:
            vs_bw = bw_agreement(M, b, ours, order, sample)
        rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {
            "variant": variant,
            "n": n,
            "flows": int(M.nnz),
            "import": t_import,
            "import_cpu": cpu_import,
            "edges_cpu": cpu_edges,
            "snap_cold": t_snap_cold,
            "snap": t_snap,
            "system": t_system,
            "solve": t_solve,
            "method": f"{info.method}, {info.iterations} it",
            "edges": t_edges,
            "rss": max(rss_import, rss_edges, rss_self),
            "vs_arrays": vs_arrays,
            "vs_bw": vs_bw,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bw_agreement(M, b, ours: np.ndarray, order: np.ndarray, sample: int) -> float:
    """Max relative difference to bw2calc on ``sample`` random products (CO2e as one gas)."""
    import bw2calc as bc
    from synthetic_arrays import system_to_datapackage

    co2e = (b @ GWP_AR6)[:, None]
    lca = bc.LCA(demand={0: 1}, data_objs=[system_to_datapackage(M, co2e, np.array([1.0]))])
    lca.lci(factorize=True)
    lca.lcia()
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))  # array index → store row
    worst = 0.0
    for j in np.random.default_rng(0).choice(M.shape[0], size=min(sample, M.shape[0]), replace=False):
        lca.lcia(demand={int(j): 1})
        worst = max(worst, abs(ours[position[j]] - lca.score) / abs(lca.score))
    return worst


# ------------------------------------------------------------------------------ storage table
def storage_rows(n: int = 100_000) -> list[tuple[str, float, float]]:
    """(engine, load s, read flows into numpy s) for n products and 4n flows."""
    import duckdb
    import pyarrow as pa
    import pyarrow.ipc as ipc

    M, _ = synthetic_system(n)
    coo = M.tocoo()
    tmp = Path(tempfile.mkdtemp(prefix="tanlian-storage-"))
    try:
        ids = np.char.add("P", np.arange(n).astype(str))
        flows = pd.DataFrame({"id": np.arange(coo.nnz).astype(str), "from": ids[coo.row], "to": ids[coo.col]})
        flows["quantity"], flows["unit"] = coo.data, "t"
        csv = tmp / "flows.csv"
        flows.to_csv(csv, index=False)
        out = []
        # DuckDB: COPY-like load from CSV, then the flows into numpy
        t = time.perf_counter()
        con = duckdb.connect(str(tmp / "x.duckdb"))
        con.execute(f"CREATE TABLE flow AS SELECT * FROM read_csv_auto('{csv}')")
        load = time.perf_counter() - t
        t = time.perf_counter()
        got = con.execute('SELECT "from", "to", quantity FROM flow').fetchnumpy()
        read = time.perf_counter() - t
        assert len(got["quantity"]) == coo.nnz
        con.close()
        out.append(("DuckDB (one read-write process per file)", load, read))
        # SQLite typed table, WAL: executemany in one transaction, then fetchall → Arrow → numpy
        import sqlite3

        t = time.perf_counter()
        db = sqlite3.connect(tmp / "x.sqlite", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute('CREATE TABLE flow (id TEXT PRIMARY KEY, "from" TEXT, "to" TEXT, quantity REAL, unit TEXT)')
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO flow VALUES (?, ?, ?, ?, ?)", pd.read_csv(csv).itertuples(index=False))
        db.execute("COMMIT")
        load = time.perf_counter() - t
        t = time.perf_counter()
        rows = db.execute('SELECT "from", "to", quantity FROM flow').fetchall()
        cols = list(zip(*rows, strict=True))
        table = pa.table({"from": pa.array(cols[0]), "to": pa.array(cols[1]), "quantity": pa.array(cols[2])})
        q = table.column("quantity").to_numpy()
        read = time.perf_counter() - t
        assert len(q) == coo.nnz
        out.append(("SQLite typed table, WAL (multi-process)", load, read))
        # Arrow IPC file next to the store, memory-mapped
        t = time.perf_counter()
        with pa.OSFile(str(tmp / "x.arrow"), "wb") as sink, ipc.new_file(sink, table.schema) as w:
            w.write_table(table)
        load = time.perf_counter() - t
        t = time.perf_counter()
        with pa.memory_map(str(tmp / "x.arrow")) as src:
            q = ipc.open_file(src).read_all().column("quantity").to_numpy()
        read = time.perf_counter() - t
        out.append(("Arrow IPC snapshot (derived, memory-mapped)", load, read))
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------ driver
def run_row(variant: str, n: int, sample: int) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    args = [sys.executable, __file__, "--worker", variant, str(n), "--sample", str(sample)]
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        return {"variant": variant, "n": n, "error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def ratio(old: float, new: float) -> str:
    return f"{old:.1f} s → {new:.2f} s ({old / new:.0f}×)"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--variants", nargs="+", default=["loose", "tight"])
    p.add_argument("--sample", type=int, default=30)
    p.add_argument("--storage", action="store_true")
    p.add_argument("--worker", nargs=2, metavar=("VARIANT", "N"))
    a = p.parse_args()
    if a.worker:
        print(json.dumps(worker(a.worker[0], int(a.worker[1]), a.sample)))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Columnar data path, embedded store (seconds; one run)")
    for c in ["variant", "products", "flows", "import (CPU)", "snapshot (again)", "system", "solve", "compute",
              "edges --json (CPU)", "peak RSS MiB", "vs arrays", "vs bw2calc", "vs issue (10k)"]:
        t.add_column(c, justify="left" if c in ("variant", "vs issue (10k)") else "right")
    for variant in a.variants:
        for n in a.sizes:
            r = run_row(variant, n, a.sample)
            if "error" in r:
                t.add_row(variant, f"{n:,}", *["—"] * 9, r["error"][:60], "")
                continue
            old = ""
            if n == 10_000:
                old = f"import {ratio(OLD_10K['import'], r['import'])}; edges {ratio(OLD_10K['edges'], r['edges'])}"
                if variant == "tight":
                    old += f"; tight solve {ratio(OLD_10K['tight_solve'], r['solve'])}"
            t.add_row(
                variant, f"{n:,}", f"{r['flows']:,}", f"{r['import']:.2f} ({r['import_cpu']:.2f})",
                f"{r['snap_cold']:.3f} ({r['snap']:.3f})", f"{r['system']:.3f}", f"{r['solve']:.3f} ({r['method']})",
                f"{r['snap_cold'] + r['system'] + r['solve']:.2f}", f"{r['edges']:.2f} ({r['edges_cpu']:.2f})",
                f"{r['rss']:.0f}",
                f"{r['vs_arrays']:.1e}", "—" if r["vs_bw"] is None else f"{r['vs_bw']:.1e}", old,
            )  # fmt: skip
    Console(width=250).print(t)
    if a.storage:
        s = Table(title="Storage engines: 100k products / 400k flows, load and read the flows into numpy (s)")
        for c in ("engine", "load", "read into numpy"):
            s.add_column(c, justify="left" if c == "engine" else "right")
        for name, load, read in storage_rows():
            s.add_row(name, f"{load:.3f}", f"{read:.3f}")
        Console(width=250).print(s)


if __name__ == "__main__":
    main()
