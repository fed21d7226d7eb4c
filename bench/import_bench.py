"""Bulk import benchmark: the embedded (SQLite) store vs Neo4j (not a test; run by hand).

    .venv/bin/python bench/import_bench.py [--products 25000] [--inputs 4] [--neo4j bolt://...]

Builds ``synthetic_graph(products)`` (bench/synthetic.py: 25 000 products, 2 500 enterprises,
≈102 500 flows, 135 013 entities by default) and times, with ``time.perf_counter``:

* ``import``: ``store.import_graph(graph)`` into an empty store — the diff against the (empty)
  store plus one write transaction (SQLite file in a temp dir; Neo4j wiped first, untimed);
* ``re-import``: the same graph again — reads everything back and compares, writes nothing.

Then a few graph queries on both (upstream depth 3 and downstream depth 2 from random products /
enterprises; the embedded store answers them with networkx over a full snapshot, Neo4j in Cypher).

``--bundle-only``: the path of ``tanlian import`` instead: the graph is exported as a CSV bundle
and ``import_bundle`` (read, parse rows, cross-row validation, write to an empty embedded store) is
timed, with the validation (``Checker.run``) and its ``allocation`` check timed inside it.

Neo4j: ``--neo4j URL``, else ``TANLIAN_TEST_NEO4J``, else the test launcher
(tests/neo4j_launcher.py) is started for the run (``--heap``, default 2g) and stopped after.

``--neo4j-only [--baseline REF]``: the Neo4j import alone, each code version in its own process
(``--worker``, which first imports and wipes a 2 000-product graph to warm the server's JIT) on
the same server and graph: this tree, and with ``--baseline`` the store code of
git revision ``REF`` (exported with ``git archive``, installed with ``pip --target`` and put
first on ``PYTHONPATH``) with the driver's pure-Python codec (``--pure-codec``: REF's
dependencies had no ``neo4j-rust-ext``). Each worker wipes the database (untimed), then reports
wall and CPU time of its own process and of the server's (``/proc`` of the launcher's JVM),
the peak heap of the import transaction (``SHOW TRANSACTIONS`` polled every 50 ms; Neo4j refuses
a transaction past ``db.memory.transaction.total.max``, 70 % of the heap), the re-import and
one ``snapshot_tables()``; a refused import is reported, not raised.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import synthetic_graph  # noqa: E402

# The stores are imported in the functions that use them: a --worker first picks the driver's
# codec (--pure-codec) and, for a baseline, the store code (PYTHONPATH), both before neo4j loads.


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def neo4j_server(url: str | None, heap: str):
    """(url, stop, pid) — the given server (pid unknown), or one started by the launcher with ``heap``."""
    url = url or os.environ.get("TANLIAN_TEST_NEO4J")
    if url:
        return url, lambda: None, None
    sys.path.insert(0, str(HERE.parent / "tests"))
    import neo4j_launcher

    # One import = one transaction: Neo4j keeps it all in heap until commit (and about doubles it
    # while committing) and caps transactions at 70 % of the heap (1 GiB: 716.8 MiB).
    neo4j_launcher.JVM_FLAGS[:] = [f for f in neo4j_launcher.JVM_FLAGS if not f.startswith("-Xmx")]
    neo4j_launcher.JVM_FLAGS.append(f"-Xmx{heap}")
    server = neo4j_launcher.start()
    return server.url, server.stop, server.pid


def bench_store(name, store, graph, n, console, n_queries, seed):
    console.print(f"[bold]{name}[/]: {store.url}")
    t_import, s1 = timed(lambda: store.import_graph(graph))
    assert s1.wrote and sum(s1.added.values()) == n, s1
    console.print(f"  import      {t_import:8.2f} s  (revision {s1.revision_before} → {s1.revision_after})")
    t_again, s2 = timed(lambda: store.import_graph(graph))
    assert not s2.wrote and sum(s2.unchanged.values()) == n, s2
    console.print(f"  re-import   {t_again:8.2f} s  (no changes)")
    assert store.snapshot().counts() == graph.counts()

    rnd = random.Random(seed)
    prods = rnd.sample(sorted(graph.products), n_queries)
    ents = rnd.sample(sorted(graph.enterprises), n_queries)
    t_up, up = timed(lambda: [store.upstream(p, 3) for p in prods])
    t_down, down = timed(lambda: [store.downstream(e, 2) for e in ents])
    return {
        "import": t_import,
        "re-import": t_again,
        "upstream": t_up / n_queries,
        "downstream": t_down / n_queries,
        "answers": (up, down),
    }


def bench_bundle(graph, console) -> None:
    """Time the CLI import path on ``graph`` written as a CSV bundle (see module doc)."""
    from tanlian.connectors import validate
    from tanlian.connectors.bundle import export_bundle, import_bundle

    spent: dict[str, float] = {}

    def timing(name, fn):
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0

        return wrapper

    validate.Checker.run = timing("validation (Checker.run)", validate.Checker.run)
    validate.Checker.allocation = timing("  of which allocation()", validate.Checker.allocation)
    validate.Checker.flows = timing("  of which flows()", validate.Checker.flows)
    from tanlian.graph.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory() as tmp:
        bundle = export_bundle(graph, Path(tmp) / "bundle")
        store = EmbeddedStore(Path(tmp) / "bench.db")
        try:
            t_all, _ = timed(lambda: import_bundle(store, bundle))
        finally:
            store.close()
    table = Table(title=f"import_bundle of a CSV bundle ({len(graph.products):,} products, {len(graph.flows):,} flows)")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_row("import_bundle (read, parse, validate, write)", f"{t_all:.2f}")
    for name, t in spent.items():
        table.add_row(name, f"{t:.2f}")
    console.print(table)


# ------------------------------------------------------------------------------ Neo4j per version
def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _cpu_of(pid: int | None) -> float | None:
    """CPU seconds (user + system) of process ``pid`` so far, from /proc; None if unknown."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PeakTxHeap:
    """Polls ``SHOW TRANSACTIONS`` every 50 ms on its own connection: the largest
    ``estimatedUsedHeapMemory`` of any transaction while running (commit included)."""

    def __init__(self, url: str):
        import neo4j

        self._driver = neo4j.GraphDatabase.driver(url)
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        query = "SHOW TRANSACTIONS YIELD estimatedUsedHeapMemory RETURN max(estimatedUsedHeapMemory) AS m"
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # a missed sample, not a failure
                self.peak = max(self.peak, self._driver.execute_query(query).records[0]["m"] or 0)
            self._stop.wait(0.05)

    def __enter__(self) -> PeakTxHeap:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._driver.close()


def _phase(fn, url: str, server_pid: int | None) -> dict:
    """Run ``fn`` measuring wall, this process's CPU, the server's CPU and the peak tx heap."""
    with PeakTxHeap(url) as heap:
        c0, s0, t0 = _cpu_self(), _cpu_of(server_pid), time.perf_counter()
        try:
            out, error = fn(), None
        except Exception as exc:  # reported in the table (e.g. transaction memory)
            out, error = None, f"{type(exc).__name__}: {exc}"
        wall, cpu, s1 = time.perf_counter() - t0, _cpu_self() - c0, _cpu_of(server_pid)
    return {
        "wall": wall,
        "cpu": cpu,
        "server_cpu": None if s0 is None or s1 is None else s1 - s0,
        "peak_mib": heap.peak / 2**20,
        "error": error,
        "out": out,
    }


def worker(args) -> int:
    """One code version's Neo4j import, re-import and snapshot; prints one JSON line."""
    if args.pure_codec:
        sys.modules["neo4j._rust"] = None  # the driver falls back to its pure-Python codec
    from tanlian.graph import neo4j as store_module
    from tanlian.graph.neo4j import Neo4jStore

    graph = synthetic_graph(args.products, args.inputs, args.seed)
    n = sum(graph.counts().values())
    store = Neo4jStore(args.worker)
    try:
        store.wipe()
        store.import_graph(synthetic_graph(2000, args.inputs, args.seed + 1))  # warm-up (JIT), untimed
        store.wipe()
        first = _phase(lambda: store.import_graph(graph), args.worker, args.server_pid)
        result = {"code": str(Path(store_module.__file__).parent), "import": first}
        if first["error"] is None:
            assert first.pop("out").wrote
            again = _phase(lambda: store.import_graph(graph), args.worker, args.server_pid)
            assert again["error"] is None and not again.pop("out").wrote, again
            snap = _phase(lambda: store.snapshot_tables(), args.worker, args.server_pid)
            assert sum(snap.pop("out").counts().values()) == n
            result |= {"re-import": again, "snapshot": snap}
        else:
            first.pop("out")
        store.wipe()
    finally:
        store.close()
    print(json.dumps(result))
    return 0


def baseline_site(ref: str, tmp: Path) -> Path:
    """The package of git ``ref`` installed (no dependencies) into ``tmp/site``."""
    src, site = tmp / "src", tmp / "site"
    src.mkdir()
    archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", ref], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(site)]
    subprocess.run([*pip, str(src)], check=True)
    return site


def neo4j_versions(args, console: Console, n: int, counts: dict[str, int]) -> int:
    """``--neo4j-only``: a worker per code version on one server; one table."""
    url, stop, pid = neo4j_server(args.neo4j, args.heap)
    pid = pid or args.server_pid
    runs: list[tuple[str, dict]] = []
    common = ["--products", str(args.products), "--inputs", str(args.inputs), "--seed", str(args.seed)]
    common += ["--worker", url] + (["--server-pid", str(pid)] if pid else [])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            versions = [("this tree", [], {})]
            if args.baseline:
                env = {"PYTHONPATH": str(baseline_site(args.baseline, Path(tmp)))}
                versions.insert(0, (f"{args.baseline} (pure-Python codec)", ["--pure-codec"], env))
            for name, extra, env in versions:
                out = subprocess.run(
                    [sys.executable, __file__, *common, *extra],
                    env={**os.environ, **env},
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                runs.append((name, json.loads(out.strip().splitlines()[-1])))
                console.print(f"{name}: {runs[-1][1]['code']}")
    finally:
        stop()
    load = os.getloadavg()
    table = Table(
        title=f"Neo4j import: {n:,} entities ({counts['flows']:,} flows), one transaction, heap {args.heap}; "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )
    for col in ("code", "step", "wall s", "client CPU s", "server CPU s", "peak tx heap MiB", "entities/s"):
        table.add_column(col, justify="left" if col in ("code", "step") else "right")
    refused: list[str] = []
    for name, res in runs:
        for step in ("import", "re-import", "snapshot"):
            r = res.get(step)
            if r is None:
                continue
            if r["error"]:
                refused.append(f"{name}: {r['error']}")
                table.add_row(name, step, f"refused after {r['wall']:.1f}", "", "", f"{r['peak_mib']:,.0f}", "—")
                continue
            server = "n/a" if r["server_cpu"] is None else f"{r['server_cpu']:.2f}"
            table.add_row(
                name,
                step,
                f"{r['wall']:.2f}",
                f"{r['cpu']:.2f}",
                server,
                f"{r['peak_mib']:,.0f}",
                f"{n / r['wall']:,.0f}",
            )
    console.print(table)
    for line in refused:
        console.print(f"  • {line}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--products", type=int, default=25_000)
    ap.add_argument("--inputs", type=int, default=4, help="inputs per product")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--neo4j", help="bolt URL (default: TANLIAN_TEST_NEO4J, else start the launcher)")
    ap.add_argument("--queries", type=int, default=5, help="graph queries of each kind to time")
    ap.add_argument("--heap", default="2g", help="JVM heap of a launcher-started Neo4j (default 2g)")
    ap.add_argument("--bundle-only", action="store_true", help="time the CSV bundle import path only")
    ap.add_argument("--neo4j-only", action="store_true", help="the Neo4j import alone, per code version")
    ap.add_argument("--baseline", metavar="REF", help="with --neo4j-only: also the store code of git REF")
    ap.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    ap.add_argument("--server-pid", type=int, help="pid of the --neo4j server's JVM, for its CPU time")
    ap.add_argument("--pure-codec", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args)
    console = Console(width=160)

    t_gen, graph = timed(lambda: synthetic_graph(args.products, args.inputs, args.seed))
    counts = graph.counts()
    n = sum(counts.values())
    assert all(
        f.quantity <= graph.products[f.source].output for f in graph.flows.values() if f.source in graph.products
    )
    console.print(f"synthetic graph in {t_gen:.1f} s: {n:,} entities {counts}")
    if args.bundle_only:
        bench_bundle(graph, console)
        return 0

    if args.neo4j_only:
        return neo4j_versions(args, console, n, counts)
    from tanlian.graph.embedded import EmbeddedStore
    from tanlian.graph.neo4j import Neo4jStore

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "bench.db")
        try:
            results["embedded"] = bench_store("embedded", store, graph, n, console, args.queries, args.seed)
        finally:
            store.close()

    url, stop, _ = neo4j_server(args.neo4j, args.heap)
    try:
        store = Neo4jStore(url)
        try:
            t_wipe, _ = timed(store.wipe)
            console.print(f"neo4j: wiped in {t_wipe:.2f} s (untimed)")
            results["neo4j"] = bench_store("neo4j", store, graph, n, console, args.queries, args.seed)
        finally:
            store.close()
    finally:
        stop()
    assert results["neo4j"]["answers"] == results["embedded"]["answers"], "stores disagree on queries"

    table = Table(title=f"Bulk import: {n:,} entities ({counts['flows']:,} flows), one transaction each")
    for col in ("store", "entities", "seconds", "entities/s", "ratio vs embedded"):
        table.add_column(col, justify="left" if col == "store" else "right")
    for op in ("import", "re-import"):
        base = results["embedded"][op]
        for name in ("embedded", "neo4j"):
            t = results[name][op]
            table.add_row(f"{name} {op}", f"{n:,}", f"{t:.2f}", f"{n / t:,.0f}", f"{t / base:.2f}×")
    console.print(table)

    q = Table(title=f"Graph queries (mean of {args.queries})")
    for col in ("query", "embedded ms", "neo4j ms", "ratio"):
        q.add_column(col, justify="left" if col == "query" else "right")
    for op, label in (("upstream", "upstream(product, 3)"), ("downstream", "downstream(enterprise, 2)")):
        e, m = results["embedded"][op], results["neo4j"][op]
        q.add_row(label, f"{e * 1000:,.0f}", f"{m * 1000:,.0f}", f"{m / e:.3f}×")
    console.print(q)
    return 0


if __name__ == "__main__":
    sys.exit(main())
