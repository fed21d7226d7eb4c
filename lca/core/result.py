"""A solved graph: intensities of every product and the embodied carbon of every edge (numbers only).

JSON shaping lives with the callers (``tanlian.api.schemas``, reports), the sharing policy in
:mod:`tanlian.lca.core.sharing`, Monte Carlo percentiles in :mod:`tanlian.lca.core.uncertainty`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import numpy as np

from tanlian.errors import NonProductiveLoop, NotFound
from tanlian.graph.model import FACTOR_PREFIX, Graph
from tanlian.graph.snapshot import TableSnapshot
from tanlian.lca.core.burden import flow_quantity
from tanlian.lca.core.columnar import factor_book
from tanlian.lca.core.factors import FactorBook
from tanlian.lca.core.gate import gate_to_gate
from tanlian.lca.core.lazy_graph import LazyGraph
from tanlian.lca.core.line_arrays import edge_columns
from tanlian.lca.core.override import Override, apply_overrides
from tanlian.lca.core.solve import SolveInfo, Solver
from tanlian.lca.core.system import System, build_system, build_system_tables
from tanlian.settings import GwpSet, Scope2Method

T = TypeVar("T")


class Memo:
    """Per-result cache of what analyses derive from a result (one value per key, built once).

    Modules keep their indexes here (``result.memo.get("hotspots.index", build)``) instead of
    writing attributes onto the result. Concurrent first calls of one key build it once (the
    others wait for it): ``Z`` of Monte Carlo is a solve.
    """

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}

    def get(self, key: str, build: Callable[[], T]) -> T:
        """The value under ``key``, built by ``build()`` on first use."""
        with self._lock:
            if key in self._values:
                return self._values[key]
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = build()
            with self._lock:
                self._building.pop(key, None)
                return self._values.setdefault(key, value)


@dataclass(frozen=True)
class EdgeTable:
    """Every flow as columns, sorted by flow id: what flows, how much, and its embodied carbon.

    ``quantity`` is in ``unit`` (the unit of the product or factor that flows);
    ``embodied_kgco2e`` = quantity × cradle-to-gate intensity of what flows (kgCO2e per year).
    """

    flow: list[str]
    source: list[str]
    to: list[str]
    quantity: np.ndarray  # (m,) float
    unit: list[str]
    embodied_kgco2e: np.ndarray  # (m,) float
    position: dict[str, int]  # flow id -> row

    def rows_of(self, flow_ids: list[str]) -> np.ndarray:
        """Row positions of ``flow_ids`` (in that order)."""
        return np.fromiter((self.position[f] for f in flow_ids), dtype=np.int64, count=len(flow_ids))


@dataclass
class LcaResult:
    """Solved system. ``Y[j, g]``: kgCO2e of gas g per unit of product j (cradle to gate)."""

    source: Graph | Callable[[], Graph]  # the graph, or how to build it (from a columnar snapshot)
    system: System
    Y: np.ndarray
    info: SolveInfo
    #: solver of ``(I - Mᵀ) Y = B`` to reuse (a what-if with the same M passes its base's); built on demand
    factorised: Solver | None = field(default=None, repr=False, compare=False)
    memo: Memo = field(default_factory=Memo, repr=False, compare=False)
    #: supplier-specific intensities that replaced computed ones (product id → override)
    overrides: dict[str, Override] = field(default_factory=dict)

    @cached_property
    def graph(self) -> Graph:
        """The solved graph as entities (built on first use when solved from a snapshot)."""
        return self.source if isinstance(self.source, Graph) else self.source()

    @cached_property
    def intensity(self) -> np.ndarray:
        """(n,) kgCO2e per unit of each product."""
        return self.Y.sum(axis=1)

    @cached_property
    def direct_by_gas(self) -> np.ndarray:
        """(n, g) the maker's Scope 1 + 2 per unit, bought graph energy included (DECISIONS 13, ``gate.py``)."""
        return gate_to_gate(self.system, self.graph, self.system.b_direct)

    @cached_property
    def direct(self) -> np.ndarray:
        """(n,) kgCO2e per unit: the maker's Scope 1 + 2 as its account counts them (DECISIONS 13)."""
        return self.direct_by_gas.sum(axis=1)

    @cached_property
    def book(self) -> FactorBook:
        t = self.system.tables
        if t is not None:  # from the snapshot: no entity objects needed
            return factor_book(t["factor"], t["park"], self.system.gwp_set)
        return FactorBook.for_graph(self.graph, self.system.gwp_set)

    @property
    def warnings(self) -> list[str]:
        return self.system.warnings

    def idx(self, product_id: str) -> int:
        try:
            return self.system.index[product_id]
        except KeyError:
            raise NotFound("product", product_id) from None

    def intensity_of(self, source: str) -> float:
        """kgCO2e per unit of a product id or ``factor:<id>`` (cradle-to-gate factor value)."""
        if source.startswith(FACTOR_PREFIX):
            return self.book.co2e(self.book.get(source[len(FACTOR_PREFIX) :]))
        return float(self.intensity[self.idx(source)])

    @property
    def solver(self) -> Solver:
        """Reusable solver of ``(I - Mᵀ) Y = B`` for new right-hand sides (what-if, Monte Carlo)."""
        if self.factorised is None:
            self.factorised = Solver(self.system.M)
        return self.factorised

    def edge_quantity(self, flow_id: str) -> tuple[float, str]:
        """Quantity of a flow in the unit of what flows on it."""
        f = self.graph.flows[flow_id]
        if f.factor_id is not None:
            unit = self.book.get(f.factor_id).unit
            return flow_quantity(f, unit), unit
        p = self.graph.products[f.source]
        return flow_quantity(f, p.unit, p.price_cny), p.unit

    @cached_property
    def inflows(self) -> dict[str, list[str]]:
        """Flow ids into each enterprise, sorted."""
        index: dict[str, list[str]] = {}
        for fid in sorted(self.graph.flows):
            index.setdefault(self.graph.flows[fid].to, []).append(fid)
        return index

    @cached_property
    def lines_by_enterprise(self) -> dict[str, list]:
        """The system's burden lines of each enterprise (both Scope 2 methods)."""
        index: dict[str, list] = {}
        for ln in self.system.lines:
            index.setdefault(ln.enterprise, []).append(ln)
        return index

    @cached_property
    def flows_by_enterprise(self) -> dict[str, list[str]]:
        """Flow ids into or out of each enterprise (as consumer or as maker of what flows)."""
        index: dict[str, set[str]] = {}
        for fid, f in self.graph.flows.items():
            index.setdefault(f.to, set()).add(fid)
            if (m := self.graph.maker(f.source)) is not None:
                index.setdefault(m, set()).add(fid)
        return {k: sorted(v) for k, v in index.items()}

    @cached_property
    def edges(self) -> EdgeTable:
        """Every flow's quantity and embodied carbon as columns (built once per result)."""
        return edge_table(self)


def edge_table(result: LcaResult) -> EdgeTable:
    """The :class:`EdgeTable` of ``result``: vectorised from the columnar tables the system was
    built from, intensities gathered by index."""
    if result.system.tables is not None:
        c = edge_columns(result.system.tables, result.book, result.intensity)
        position = {fid: k for k, fid in enumerate(c["flow"])}
        embodied = c["quantity"] * c["per_unit"]
        return EdgeTable(c["flow"], c["source"], c["to"], c["quantity"], c["unit"], embodied, position)
    g, book = result.graph, result.book
    ids = sorted(g.flows)
    m = len(ids)
    quantity, product_row = np.empty(m), np.full(m, -1, dtype=np.int64)
    per_unit = np.zeros(m)  # kgCO2e per unit of factor sources; product sources are gathered below
    source, to, unit = [], [], []
    factor_value: dict[str, float] = {}
    for k, fid in enumerate(ids):
        f = g.flows[fid]
        quantity[k], u = result.edge_quantity(fid)
        source.append(f.source)
        to.append(f.to)
        unit.append(u)
        if f.factor_id is None:
            product_row[k] = result.idx(f.source)
        else:
            if f.factor_id not in factor_value:
                factor_value[f.factor_id] = book.co2e(book.get(f.factor_id))
            per_unit[k] = factor_value[f.factor_id]
    is_product = product_row >= 0
    per_unit[is_product] = result.intensity[product_row[is_product]]
    position = {fid: k for k, fid in enumerate(ids)}
    return EdgeTable(ids, source, to, quantity, unit, quantity * per_unit, position)


def solve_tables(
    snap: TableSnapshot,
    gwp: GwpSet = "AR6",
    scope2: Scope2Method = "market",
    overrides: dict[str, Override] | None = None,
    graph: Graph | None = None,
) -> LcaResult:
    """Build and solve the system of a columnar snapshot (no entity objects on the way; the
    result's ``graph``, default a :class:`LazyGraph` of ``snap``, builds each entity table when
    first used). ``overrides`` (imported supplier footprints) fix the intensity of their products
    (:mod:`override`)."""
    g = graph if graph is not None else LazyGraph(snap)
    return _solve(build_system_tables(snap.tables, gwp, scope2, lambda: g), g, overrides)


def solve_graph(
    graph: Graph, gwp: GwpSet = "AR6", scope2: Scope2Method = "market", overrides: dict[str, Override] | None = None
) -> LcaResult:
    """Build and solve the system of ``graph``; a non-productive loop is an error."""
    return _solve(build_system(graph, gwp, scope2), graph, overrides)


def _solve(
    system: System, graph: Graph | Callable[[], Graph], overrides: dict[str, Override] | None = None
) -> LcaResult:
    overrides = {p: o for p, o in (overrides or {}).items() if p in system.index}
    system = apply_overrides(system, overrides)
    solver = Solver(system.M, names=system.products)
    bad = solver.non_productive_loops()
    if bad:
        comp, rho = bad[0]
        raise NonProductiveLoop([system.products[i] for i in comp], rho)
    Y, info = solver.solve(system.b)
    return LcaResult(graph, system, Y, info, factorised=solver, overrides=overrides)  # keep the factorised loops
