"""Benchmark: hotspots on a 10k-product graph, and what-if re-solves that reuse the LU vs a rebuild.

Run: ``.venv/bin/python bench/hotspots_bench.py [n_products] [seed]``. Times in seconds.
Uses ``bench/synthetic.py: synthetic_graph`` when present, else the local generator below.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from tanlian.graph.model import Activity, Enterprise, Factor, Flow, Graph, Park, Product
from tanlian.lca.analysis.hotspots import enterprise_hotspots, index, product_hotspots
from tanlian.lca.analysis.scenarios import Scenario, apply_changes, resolve, run_scenario
from tanlian.lca.core.result import solve_graph
from tanlian.units import conversion_factor

TARGET_S = 1.0  # per hotspot query


def local_synthetic_graph(n_products: int, inputs_per_product: int = 4, seed: int = 0) -> Graph:
    """~n products (1–3 per enterprise), ~``inputs_per_product`` graph inputs per enterprise (loops
    included), process CO2, grid power, one background factor purchase with road transport each."""
    rng = np.random.default_rng(seed)
    ents: list = [
        Park(id="P", name="bench park", year=2022),
        Factor(id="ore", unit="t", kgco2e=20.0, kind="material", **{"class": "ore"}),
    ]
    prods: list[Product] = []
    e = 0
    while len(prods) < n_products:
        ents.append(
            Enterprise(
                id=f"E{e}",
                name=f"e{e}",
                park="P" if e % 2 else None,
                lat=float(rng.uniform(20, 40)),
                lon=float(rng.uniform(100, 120)),
            )
        )
        for k in range(int(rng.integers(1, 4))):
            prods.append(
                Product(
                    id=f"P{e}_{k}",
                    enterprise=f"E{e}",
                    unit="t",
                    output=float(rng.uniform(50, 500)),
                    price_cny=float(rng.uniform(1, 9)),
                    cpc=f"C{int(rng.integers(0, 200))}",
                )
            )
        e += 1
    ents += prods
    for k in range(e):
        ents.append(
            Activity(enterprise=f"E{k}", type="process", item="CO2", quantity=float(rng.uniform(1, 1e4)), unit="kg")
        )
        ents.append(
            Activity(
                enterprise=f"E{k}", type="electricity", item="grid", quantity=float(rng.uniform(10, 1000)), unit="MWh"
            )
        )
        ents.append(
            Flow.model_validate(
                {
                    "from": "factor:ore",
                    "to": f"E{k}",
                    "quantity": float(rng.uniform(1, 50)),
                    "unit": "t",
                    "distance_km": float(rng.uniform(10, 500)),
                    "mode": "road",
                }
            )
        )
        for src in rng.choice(len(prods), size=inputs_per_product, replace=False):
            p = prods[src]
            if p.enterprise == f"E{k}":
                continue
            q = float(rng.uniform(0.0, 0.2) * p.output / inputs_per_product)
            ents.append(Flow.model_validate({"from": p.id, "to": f"E{k}", "quantity": q, "unit": "t"}))
    return Graph.from_entities(ents)


def synthetic(n: int, seed: int) -> tuple[Graph, str]:
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        from synthetic import synthetic_graph  # type: ignore[import-not-found]

        return synthetic_graph(n, inputs_per_product=4, seed=seed), "bench/synthetic.py"
    except ImportError:
        return local_synthetic_graph(n, 4, seed), "local generator"


def _grid_enterprise(graph: Graph) -> str:
    """An enterprise buying grid power (``item = grid``); the first electricity activity is made one if none."""
    for a in sorted(graph.activities.values(), key=lambda a: a.id):
        if a.type == "electricity" and a.item == "grid":
            return a.enterprise
    a = next(a for a in sorted(graph.activities.values(), key=lambda a: a.id) if a.type == "electricity")
    del graph.activities[a.id]
    grid = Activity(enterprise=a.enterprise, type="electricity", item="grid", quantity=a.quantity, unit=a.unit)
    graph.activities[grid.id] = grid
    return a.enterprise


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def main(n: int = 10_000, seed: int = 0) -> None:
    con = Console(width=170)
    (graph, origin), t_gen = timed(synthetic, n, seed)
    grid_ent = _grid_enterprise(graph)
    result, t_solve = timed(solve_graph, graph)
    _, t_index = timed(index, result)
    rng = np.random.default_rng(seed)
    prods = rng.choice(result.system.products, 20, replace=False)
    ents = [e for e in rng.choice(sorted(graph.enterprises), 20, replace=False)]
    tp = [timed(product_hotspots, result, str(p), top=10)[1] for p in prods]
    tp1 = [timed(product_hotspots, result, str(p), top=10, tier1_only=True)[1] for p in prods]
    te = [timed(enterprise_hotspots, result, str(e), top=10)[1] for e in ents]
    te1 = [timed(enterprise_hotspots, result, str(e), top=10, tier1_only=True)[1] for e in ents]

    t = Table(
        title=f"hotspots — {len(result.system.products):,} products, {len(graph.enterprises):,} enterprises, "
        f"{len(graph.flows):,} flows ({origin}, {result.info.method})"
    )
    for c in ("step", "n", "mean s", "max s", f"≤ {TARGET_S:g} s"):
        t.add_column(c, justify="left" if c == "step" else "right")
    t.add_row("generate graph", "1", f"{t_gen:.3f}", f"{t_gen:.3f}", "")
    t.add_row("solve_graph (build + solve)", "1", f"{t_solve:.3f}", f"{t_solve:.3f}", "")
    t.add_row("hotspot index (once per result)", "1", f"{t_index:.3f}", f"{t_index:.3f}", "")
    for label, ts in (
        ("product hotspots", tp),
        ("product hotspots, tier-1 only", tp1),
        ("enterprise Scope 3 hotspots", te),
        ("enterprise hotspots, tier-1 only", te1),
    ):
        t.add_row(
            label, str(len(ts)), f"{np.mean(ts):.4f}", f"{np.max(ts):.4f}", "yes" if max(ts) <= TARGET_S else "NO"
        )
    con.print(t)

    grid = next(a for a in graph.activities.values() if a.enterprise == grid_ent and a.item == "grid")
    fuel = next((a.item for a in graph.activities.values() if a.type == "fuel"), "ore")
    cases = {
        "green power (b only)": [
            {
                "op": "add_green_power",
                "enterprise": grid_ent,
                "green_mwh": grid.quantity * conversion_factor(grid.unit, "MWh") / 2,
            }
        ],
        "factor value (b only)": [{"op": "replace_factor", "factor": fuel, "kgco2e": 1000.0}],
        "product flow quantity (M)": [
            {
                "op": "set_quantity",
                "flow": next(f.id for f in graph.flows.values() if f.source in graph.products),
                "quantity": 1.0,
            }
        ],
    }
    w = Table(title="what-if re-solve (apply + re-solve) vs full rebuild + solve of the changed graph")
    for c in (
        "scenario",
        "apply s",
        "same-M series s",
        "LU-reused s",
        "rebuild+solve s",
        "speed-up (series)",
        "speed-up (LU)",
        "max |Δy| vs rebuild",
    ):
        w.add_column(c, justify="left" if c == "scenario" else "right")
    fresh = solve_graph(graph)  # no LU yet: the b-only path uses the series on the same M
    _, t_lu = timed(lambda: result.solver)  # factorise once: the b-only path then reuses the LU
    for name, changes in cases.items():
        sc = Scenario(name=name, changes=changes)
        applied, t_apply = timed(apply_changes, result, sc)
        series, t_series = timed(resolve, fresh, applied)
        lu, t_lu_solve = timed(resolve, result, applied)
        full, t_full = timed(solve_graph, applied.graph)
        err = max(float(np.abs(x.intensity - full.intensity).max()) for x in (series, lu))
        tag = " [M changed: rebuilt]" if applied.touches_matrix else ""
        w.add_row(
            name + tag,
            f"{t_apply:.3f}",
            f"{t_series:.3f}",
            f"{t_lu_solve:.3f}",
            f"{t_full:.3f}",
            f"{t_full / t_series:.1f}×",
            f"{t_full / t_lu_solve:.1f}×",
            f"{err:.1e}",
        )
    con.print(w)
    con.print(f"LU factorisation of I − Mᵀ (once, paid by whoever needs result.solver first): {t_lu:.2f} s")
    small_graph = synthetic(1000, seed)[0]
    e0 = _grid_enterprise(small_graph)
    small = solve_graph(small_graph)
    _, t_run = timed(
        run_scenario,
        small,
        Scenario(name="g", changes=[{"op": "add_green_power", "enterprise": e0, "green_mwh": 1.0}]),
        parks=True,
    )
    con.print(f"run_scenario with the full before/after report (1k products, parks included): {t_run:.2f} s")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
