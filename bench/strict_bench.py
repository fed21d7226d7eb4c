"""Strict-bundle checks at scale: header registry, plausibility bounds, numeric extras, sale masses.

    .venv/bin/python bench/strict_bench.py [--rows 100000 1000000]

Times (``time.perf_counter``) the checks of issue 12 that run on the pandas frames of a bundle
before any row becomes an entity, on synthetic string tables of ``rows`` flows, ``rows`` sales and
``rows / 10`` enterprises, to show they stay linear (not a test; run by hand).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from tanlian.connectors.bundle import sale_masses
from tanlian.connectors.columns import check_headers, numeric_extras
from tanlian.connectors.plausibility import check_bounds
from tanlian.graph.model import Product
from tanlian.seed_data.library import gas_names


def tables(n: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(1)
    s = lambda a: pd.Series(a).astype(str)  # noqa: E731
    flows = pd.DataFrame(
        {
            "id": s(np.arange(n)),
            "From": s(rng.integers(0, 10_000, n)),  # case-only: renamed and noted
            "to": s(rng.integers(0, 1_000, n)),
            "quantity": s(rng.random(n) * 1e4),
            "unit": "t",
            "distance_km": s(rng.random(n) * 500),
            "mode": "road",
        }
    )
    sales = pd.DataFrame(
        {
            "product": s(rng.integers(0, 10_000, n)),
            "customer": "c",
            "quantity": s(rng.random(n) * 100),
            "unit": "piece",
            "distance_km": s(np.where(rng.random(n) < 0.5, rng.random(n) * 100, 0)),
        }
    )
    m = max(n // 10, 1)
    ents = pd.DataFrame({"id": s(np.arange(m)), "name": "e", "water_use_m3": s(rng.random(m) * 1e6)})
    return {"flows": flows, "sales": sales, "enterprises": ents}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    args = ap.parse_args()
    products = {str(i): Product(id=str(i), enterprise="e", unit="piece", output=1, mass_kg=2.0) for i in range(10_000)}
    t = Table(title="strict-bundle checks on string frames (s)")
    for c in ("rows (flows + sales)", "check_headers", "check_bounds", "numeric_extras", "sale_masses", "total"):
        t.add_column(c, justify="right")
    for n in args.rows:
        raw = tables(n)
        t0 = time.perf_counter()
        h = check_headers(raw, gas_names())
        t1 = time.perf_counter()
        check_bounds(h.tables, gas_names())
        t2 = time.perf_counter()
        numeric_extras(h.tables)
        t3 = time.perf_counter()
        sale_masses(h.tables["sales"], products)
        t4 = time.perf_counter()
        t.add_row(f"{2 * n:,}", *(f"{x:.3f}" for x in (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0)))
    Console().print(t)


if __name__ == "__main__":
    main()
