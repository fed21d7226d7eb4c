"""A solved graph: intensities of every product and the embodied carbon of every edge."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from tanlian.errors import NonProductiveLoop, NotFound
from tanlian.graph.model import Graph
from tanlian.lca.core.burden import flow_quantity
from tanlian.lca.core.factors import FactorBook
from tanlian.lca.core.solve import SolveInfo, Solver
from tanlian.lca.core.system import System, build_system
from tanlian.lca.core.uncertainty import monte_carlo, sample_multipliers
from tanlian.settings import GwpSet, Scope2Method


@dataclass
class LcaResult:
    """Solved system. ``Y[j, g]``: kgCO2e of gas g per unit of product j (cradle to gate)."""

    graph: Graph
    system: System
    Y: np.ndarray
    info: SolveInfo

    @cached_property
    def intensity(self) -> np.ndarray:
        """(n,) kgCO2e per unit of each product."""
        return self.Y.sum(axis=1)

    @cached_property
    def direct(self) -> np.ndarray:
        """(n,) the maker's own Scope 1 + 2 per unit (gate to gate, DECISIONS 13)."""
        return self.system.b_direct.sum(axis=1)

    @cached_property
    def book(self) -> FactorBook:
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
        if source.startswith("factor:"):
            return self.book.co2e(self.book.get(source[len("factor:") :]))
        return float(self.intensity[self.idx(source)])

    def footprint(self, product_id: str, mc: int = 0, seed: int = 42) -> dict:
        """The footprint JSON of one product (uncertainty keys with ``mc`` > 0 samples)."""
        j = self.idx(product_id)
        p = self.graph.products[product_id]
        out = {
            "product": product_id,
            "name": p.name,
            "enterprise": p.enterprise,
            "unit": p.unit,
            "kgco2e_per_unit": float(self.intensity[j]),
            "direct_kgco2e_per_unit": float(self.direct[j]),
            "upstream_kgco2e_per_unit": float(self.intensity[j] - self.direct[j]),
            "by_gas": {g: float(v) for g, v in zip(self.system.gases, self.Y[j], strict=True) if v},
            "gwp": self.system.gwp_set,
            "scope2_method": self.system.scope2,
            "allocation": self.system.allocations[p.enterprise].rule,
        }
        if mc:
            p5, p50, p95 = self.percentiles(mc, seed)
            out.update(p5=float(p5[j]), p50=float(p50[j]), p95=float(p95[j]), mc_samples=mc)
        return out

    def class_average(self, product_id: str) -> dict | None:
        """Placeholder footprint of a product whose maker does not share (DECISIONS 21).

        The output-weighted average intensity (kgCO2e per unit of ``product_id``'s unit) of the
        products of the same ``cpc`` class made by other enterprises that do share; None when
        there is no such product.
        """
        from tanlian.units import conversion_factor, convertible

        p = self.graph.products[product_id]
        peers = [
            q
            for q in self.graph.products.values()
            if p.cpc
            and q.cpc == p.cpc
            and q.enterprise != p.enterprise
            and q.kind != "waste"
            and self.graph.enterprises[q.enterprise].share_footprints
            and convertible(p.unit, q.unit)
        ]
        if not peers:
            return None
        # intensity per unit of p: per unit of q × (units of q in one unit of p)
        weights = [q.output * conversion_factor(q.unit, p.unit) for q in peers]
        values = [self.intensity[self.idx(q.id)] * conversion_factor(p.unit, q.unit) for q in peers]
        avg = float(np.average(values, weights=weights))
        return {
            "product": product_id,
            "name": p.name,
            "enterprise": p.enterprise,
            "unit": p.unit,
            "kgco2e_per_unit": avg,
            "gwp": self.system.gwp_set,
            "scope2_method": self.system.scope2,
            "shared": False,
            "basis": f"not shared: output-weighted average of {len(peers)} product(s) of class cpc {p.cpc}",
        }

    def percentiles(self, n_samples: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """p5, p50, p95 of every product's intensity from ``n_samples`` Monte Carlo draws."""
        s = self.system
        factors = [self.book.get(f) for f in s.uncertain]
        mult = sample_multipliers(
            [f.uncertainty_type for f in factors], np.array([f.uncertainty for f in factors]), n_samples, seed
        )
        samples = monte_carlo(s.M, s.b.sum(axis=1), s.D, mult, self.solver)
        return tuple(np.percentile(samples, [5, 50, 95], axis=1))

    @cached_property
    def solver(self) -> Solver:
        """Reusable solver of ``(I - Mᵀ) Y = B`` for new right-hand sides (what-if, Monte Carlo)."""
        return Solver(self.system.M)

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

    def edge(self, flow_id: str) -> dict:
        """One flow with its embodied carbon = quantity × intensity of what flows on it (kgCO2e)."""
        f = self.graph.flows[flow_id]
        q, unit = self.edge_quantity(flow_id)
        return {
            "flow": flow_id,
            "from": f.source,
            "to": f.to,
            "quantity": q,
            "unit": unit,
            "embodied_kgco2e": q * self.intensity_of(f.source),
        }

    def edges(self, enterprise: str | None = None) -> list[dict]:
        """Every flow (or those into or out of ``enterprise``) with its embodied carbon."""
        ids = sorted(self.graph.flows) if enterprise is None else self.flows_by_enterprise.get(enterprise, [])
        return [self.edge(fid) for fid in ids]


def solve_graph(graph: Graph, gwp: GwpSet = "AR6", scope2: Scope2Method = "market") -> LcaResult:
    """Build and solve the system of ``graph``; a non-productive loop is an error."""
    system = build_system(graph, gwp, scope2)
    solver = Solver(system.M, names=system.products)
    bad = solver.non_productive_loops()
    if bad:
        comp, rho = bad[0]
        raise NonProductiveLoop([system.products[i] for i in comp], rho)
    Y, info = solver.solve(system.b)
    result = LcaResult(graph, system, Y, info)
    result.__dict__["solver"] = solver  # the cached property: keep the factorised loops
    return result
