"""Warm-up of a fresh process: pay before the first request what the first solve would pay.

A server worker's first footprint request otherwise also waits for one-time costs: the BLAS
thread limit (threadpoolctl scans the loaded libraries), the factor library and GWP sets, pint's
first conversions, pyarrow's lazily imported modules (group-by), scipy's sparse solvers, the
Monte Carlo path. :func:`warm_up` solves a two-enterprise park with a loop, grid electricity, an
uncertain fuel, a purchased factor and transport from columnar tables, exactly as a store
snapshot is solved, and reads a footprint, the edges and a Monte Carlo from it.
"""

from __future__ import annotations

import threading

from tanlian.graph.model import Activity, Enterprise, Flow, Graph, Park, Product
from tanlian.graph.snapshot import frozen
from tanlian.graph.table_import import graph_tables
from tanlian.lca.core.result import LcaResult, solve_tables
from tanlian.lca.core.solve import single_thread_blas
from tanlian.lca.core.uncertainty import product_percentiles

_lock = threading.Lock()
_done = False


def warm_graph() -> Graph:
    """A tiny park touching every kind of burden line the solve computes."""
    park = Park(id="PK", name="warm-up", year=2024)
    ents = [Enterprise(id=e, name=e, park="PK", region="CN-East") for e in ("A", "B")]
    prods = [
        Product(id="PA", enterprise="A", unit="t", output=100.0, price_cny=10.0, mass_kg=1000.0),
        Product(id="PB", enterprise="B", unit="kg", output=5000.0, price_cny=2.0),
    ]
    acts = [
        Activity(enterprise="A", type="electricity", item="grid", quantity=10.0, unit="MWh", green_mwh=1.0),
        Activity(enterprise="B", type="fuel", item="natural_gas", quantity=100.0, unit="m**3"),
        Activity(enterprise="B", type="process", item="CO2", quantity=5.0, unit="t"),
    ]
    flows = [
        Flow(id="F1", source="PA", to="B", quantity=2.0, unit="t", distance_km=50.0, mode="road"),
        Flow(id="F2", source="PB", to="A", quantity=10.0, unit="kg"),
        Flow(id="F3", source="factor:spend_chemicals", to="A", spend_cny=100.0),
    ]
    return Graph.from_entities([park, *ents, *prods, *acts, *flows])


def warm_up() -> LcaResult | None:
    """Solve :func:`warm_graph` once per process (later calls return None at once)."""
    global _done
    with _lock:
        if _done:
            return None
        _done = True
    single_thread_blas()
    result = solve_tables(frozen(0, 2024, graph_tables(warm_graph())))
    _ = result.direct, result.edges, result.graph.products
    product_percentiles(result, result.idx("PA"), 20, seed=1)
    return result
