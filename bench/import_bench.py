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
(tests/neo4j_launcher.py) is started for the run and stopped after.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import synthetic_graph  # noqa: E402

from tanlian.graph.embedded import EmbeddedStore  # noqa: E402
from tanlian.graph.neo4j import Neo4jStore  # noqa: E402


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def neo4j_server(url: str | None, heap: str):
    """(url, stop) — the given server, or one started by the test launcher with ``heap``."""
    url = url or os.environ.get("TANLIAN_TEST_NEO4J")
    if url:
        return url, lambda: None
    sys.path.insert(0, str(HERE.parent / "tests"))
    import neo4j_launcher

    # One import = one transaction: Neo4j keeps it all in heap until commit (≈ 8 KiB per entity
    # at its peak here) and caps transactions at 70 % of the heap: 1 GiB fits ≈ 85 000 entities.
    neo4j_launcher.JVM_FLAGS[:] = [f for f in neo4j_launcher.JVM_FLAGS if not f.startswith("-Xmx")]
    neo4j_launcher.JVM_FLAGS.append(f"-Xmx{heap}")
    server = neo4j_launcher.start()
    return server.url, server.stop


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--products", type=int, default=25_000)
    ap.add_argument("--inputs", type=int, default=4, help="inputs per product")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--neo4j", help="bolt URL (default: TANLIAN_TEST_NEO4J, else start the launcher)")
    ap.add_argument("--queries", type=int, default=5, help="graph queries of each kind to time")
    ap.add_argument("--heap", default="2g", help="JVM heap of a launcher-started Neo4j (default 2g)")
    ap.add_argument("--bundle-only", action="store_true", help="time the CSV bundle import path only")
    args = ap.parse_args(argv)
    console = Console()

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

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "bench.db")
        try:
            results["embedded"] = bench_store("embedded", store, graph, n, console, args.queries, args.seed)
        finally:
            store.close()

    url, stop = neo4j_server(args.neo4j, args.heap)
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
