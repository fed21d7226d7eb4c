"""Where a footprint comes from: contributions by supplier, product, edge, category, gas and tier.

Two subjects. A **product** j (kgCO2e per unit): the own burden ``b_i`` of every product i
weighted by the supply ``x = (I − M)⁻¹ e_j`` (units of i needed per unit of j), so
``Σ_i x_i b_i = y_j``. An **enterprise's upstream Scope 3** (categories 1–8, kgCO2e per year,
from :func:`tanlian.lca.accounting.scope.scope3_lines`): supplier-specific lines on graph products are
unrolled the same way with demand ``d = Σ q e_i``; other lines (factors, transport, waste) are
tier-1 contributions of their counterpart. Every breakdown sums to the total (to rounding).

Tiers: tier k = ``b · Mᵏ e`` (tier 0 = the maker's own burden for a product; tier 1 = direct
suppliers), truncated at ``max_tier`` with the rest reported as ``"≥K"``. ``tier1_only``
(DECISIONS 21, enterprise principals): detail stops at tier-1 suppliers, whose whole
footprints are the contributions; no deeper supplier or product is named.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from tanlian.lca.accounting.scope import SUPPLIER_SPECIFIC, Scope3Line, scope3_lines
from tanlian.lca.analysis.paths import PathStart, RawPath, top_paths
from tanlian.lca.core.result import LcaResult
from tanlian.lca.core.solve import Solver
from tanlian.lca.core.system import unit_weights

MAX_TIER = 6
NOISE_REL = 1e-15  # contributions below this share of the total are rounding noise of the LU solve
UPSTREAM_CATEGORIES = range(1, 9)


# ---------------------------------------------------------------- pure array math


def tier_contributions(M: sp.spmatrix, b: np.ndarray, demand: np.ndarray, supply: np.ndarray, max_tier: int):
    """kgCO2e per tier: ``[b·d, b·Md, …, b·M^(K−1) d]`` and the rest ``b·(x − Σ Mᵏ d)``.

    ``demand`` (n,) units at tier 0 of the walk; ``supply`` (n,) = ``(I − M)⁻¹ demand``;
    ``b`` (n,) kgCO2e per unit. The tiers plus the rest equal ``b·x`` exactly.
    """
    tiers, v, acc = [], demand.astype(float), np.zeros_like(supply, dtype=float)
    for _ in range(max_tier):
        if not v.any():
            break
        tiers.append(float(b @ v))
        acc += v
        v = M @ v
    rest = float(b @ (supply - acc)) if v.any() else 0.0
    return tiers, rest


def significant(values: np.ndarray, total: float) -> np.ndarray:
    """Indices of ``values`` above solver noise (1e-15 of the total; the closure error stays below 1e-12)."""
    return np.flatnonzero(np.abs(values) > NOISE_REL * abs(total))


def group_sum(keys: list[str], values: np.ndarray, nonzero: np.ndarray) -> dict[str, float]:
    """Sum ``values[i]`` by ``keys[i]`` over the indices ``nonzero``."""
    out: dict[str, float] = defaultdict(float)
    for i in nonzero:
        out[keys[i]] += float(values[i])
    return dict(out)


# ---------------------------------------------------------------- per-result index (cached)


@dataclass
class _Index:
    """What hotspots need from a result, computed once per result."""

    supply: object  # callable d -> x with (I - M) x = d
    b_total: np.ndarray  # (n,) kgCO2e per unit, own burden
    maker: list[str]
    weight: np.ndarray  # (n,) allocation share / output of each product (per unit of output)
    lines_by_enterprise: dict[str, list] = field(default_factory=dict)  # BurdenLines used in b
    inflows: dict[str, list[tuple[str, int, float]]] = field(default_factory=dict)  # (flow, i, q)


def supply_solver(result: LcaResult) -> Solver:
    """A solver ``d -> x`` of ``(I − M) x = d`` (supply vectors, units per unit of demand):
    the intensity solver on ``Mᵀ``."""
    return Solver(result.system.M.T)


def index(result: LcaResult) -> _Index:
    """The :class:`_Index` of ``result``, built once per result (kept in ``result.memo``)."""
    return result.memo.get("hotspots.index", lambda: _build_index(result))


def _build_index(result: LcaResult) -> _Index:
    s, g = result.system, result.graph
    maker = [g.products[p].enterprise for p in s.products]
    weight = np.zeros(len(s.products))
    for ws in unit_weights(s.allocations, g.products, s.index).values():
        for j, w in ws:
            weight[j] = w
    lines: dict[str, list] = defaultdict(list)
    for ln in s.lines:
        if ln.scope2_method in (None, s.scope2):
            lines[ln.enterprise].append(ln)
    inflows: dict[str, list] = defaultdict(list)
    for fid, f in g.flows.items():
        if f.source in s.index:
            inflows[f.to].append((fid, s.index[f.source], result.edge_quantity(fid)[0]))
    return _Index(supply_solver(result), s.b.sum(axis=1), maker, weight, dict(lines), dict(inflows))


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class SupplyPath:
    """One supply path: ``nodes`` root first; ``kgco2e`` carried (per unit or per year)."""

    nodes: tuple[str, ...]
    enterprises: tuple[str | None, ...]
    kgco2e: float
    share: float
    aggregated: bool  # the last node's whole footprint (tier-1 view) rather than its own burden


@dataclass
class Hotspots:
    """Breakdowns of one footprint; each dict sums to ``total_kgco2e``."""

    subject: dict
    total_kgco2e: float
    by_supplier: dict[str, float]
    by_product: dict[str, float]
    by_edge: dict[str, float]
    by_category: dict[str, float] | None
    by_gas: dict[str, float]
    by_tier: dict[str, float]
    paths: list[SupplyPath]
    tier1_only: bool = False

    def record(self) -> dict:
        """JSON-ready: breakdowns as lists sorted by contribution, with shares."""

        def rows(d: dict[str, float], key: str) -> list[dict]:
            return [{key: k, "kgco2e": v, "share": self.share(v)} for k, v in sorted(d.items(), key=lambda kv: -kv[1])]

        return {
            "subject": self.subject,
            "total_kgco2e": self.total_kgco2e,
            "tier1_only": self.tier1_only,
            "by_supplier": rows(self.by_supplier, "supplier"),
            "by_product": rows(self.by_product, "product"),
            "by_edge": rows(self.by_edge, "edge"),
            "by_category": self.by_category,
            "by_gas": self.by_gas,
            "by_tier": self.by_tier,
            "paths": [
                {
                    "nodes": list(p.nodes),
                    "enterprises": list(p.enterprises),
                    "kgco2e": p.kgco2e,
                    "share": p.share,
                    "aggregated": p.aggregated,
                }
                for p in self.paths
            ],
        }

    def share(self, v: float) -> float:
        return v / self.total_kgco2e if self.total_kgco2e else 0.0


def _tier_dict(tiers: list[float], rest: float, max_tier: int, first: int) -> dict[str, float]:
    out = {str(first + k): v for k, v in enumerate(tiers)}
    if rest:
        out[f"≥{first + max_tier}"] = rest
    return out


def _paths(result: LcaResult, raw: list[RawPath], total: float) -> list[SupplyPath]:
    s, g = result.system, result.graph
    out = []
    for p in raw:
        nodes = (*p.prefix, *(s.products[i] for i in p.nodes))
        ents = (
            *(g.enterprises[x].id if x in g.enterprises else None for x in p.prefix),
            *(g.products[s.products[i]].enterprise for i in p.nodes),
        )
        out.append(SupplyPath(nodes, ents, p.kgco2e, p.kgco2e / total if total else 0.0, p.aggregated))
    return out


def product_edges(result: LcaResult, j: int) -> dict[str, float]:
    """kgCO2e per unit of product j by the maker's inbound flow or own activity (first tier).

    Inputs from graph products: flow quantity × allocation weight × the input's intensity;
    own burden lines (activities, factor purchases, transport on a flow) by their source id.
    """
    ix = index(result)
    maker, w = ix.maker[j], ix.weight[j]
    out: dict[str, float] = defaultdict(float)
    if not w:
        return {}
    for fid, i, q in ix.inflows.get(maker, []):
        out[fid] += q * w * float(result.intensity[i])
    gwp = dict(zip(result.system.gases, result.system.gwp, strict=True))
    for ln in ix.lines_by_enterprise.get(maker, []):
        out[ln.source] += ln.kg * gwp[ln.gas] * w
    return {k: v for k, v in out.items() if v}


def product_hotspots(
    result: LcaResult,
    product_id: str,
    *,
    top: int = 10,
    max_tier: int = MAX_TIER,
    tier1_only: bool = False,
    cutoff_rel: float | None = None,
    max_depth: int | None = None,
) -> Hotspots:
    """Contributions to one unit of ``product_id`` (kgCO2e per declared unit)."""
    j = result.idx(product_id)
    s, ix = result.system, index(result)
    total = float(result.intensity[j])
    by_gas = {g: float(v) for g, v in zip(s.gases, result.Y[j], strict=True) if v}
    opts = {k: v for k, v in (("cutoff_rel", cutoff_rel), ("max_depth", max_depth)) if v is not None}
    if tier1_only:
        col = sp.csc_matrix(s.M[:, [j]])
        node_vals = np.zeros(len(s.products))
        node_vals[col.indices] = col.data * result.intensity[col.indices]
        node_vals[j] += ix.b_total[j]
        by_tier = {"0": float(ix.b_total[j]), "1": total - float(ix.b_total[j])}
        raw = top_paths(s.M, ix.b_total, result.intensity, [PathStart(j, 1.0)], total, top, collapse_depth=1, **opts)
    else:
        e = np.zeros(len(s.products))
        e[j] = 1.0
        x = ix.supply(e)
        node_vals = x * ix.b_total
        tiers, rest = tier_contributions(s.M, ix.b_total, e, x, max_tier)
        by_tier = _tier_dict(tiers, rest, max_tier, 0)
        raw = top_paths(s.M, ix.b_total, result.intensity, [PathStart(j, 1.0)], total, top, **opts)
    nz = significant(node_vals, total)
    return Hotspots(
        subject={
            "product": product_id,
            "enterprise": ix.maker[j],
            "unit": result.graph.products[product_id].unit,
            "per": "unit",
        },
        total_kgco2e=total,
        by_supplier=group_sum(ix.maker, node_vals, nz),
        by_product=group_sum(s.products, node_vals, nz),
        by_edge=product_edges(result, j),
        by_category=None,
        by_gas=by_gas,
        by_tier=by_tier,
        paths=_paths(result, raw, total),
        tier1_only=tier1_only,
    )


def _unrolled(result: LcaResult, ln: Scope3Line) -> bool:
    """True when a Scope 3 line is a graph product's real footprint (its chain can be unrolled)."""
    return ln.method == SUPPLIER_SPECIFIC and ln.counterpart in result.system.index


def _label(ln: Scope3Line) -> str:
    """Supplier / product key of a line without a graph supplier: its factor, ``factor:<id>``."""
    return ln.counterpart if ln.counterpart.startswith("factor:") else f"factor:{ln.counterpart}"


def enterprise_hotspots(
    result: LcaResult,
    enterprise: str,
    *,
    top: int = 10,
    max_tier: int = MAX_TIER,
    tier1_only: bool = False,
    lines: list[Scope3Line] | None = None,
    cutoff_rel: float | None = None,
    max_depth: int | None = None,
) -> Hotspots:
    """Contributions to ``enterprise``'s upstream Scope 3 (categories 1–8, kgCO2e per year)."""
    s, ix = result.system, index(result)
    if lines is None:
        lines = scope3_lines(result, enterprise)
    lines = [ln for ln in lines if ln.category in UPSTREAM_CATEGORIES]
    total = sum(ln.kgco2e for ln in lines)
    by_cat: dict[str, float] = defaultdict(float)
    by_edge: dict[str, float] = defaultdict(float)
    by_gas: dict[str, float] = defaultdict(float)
    for ln in lines:
        by_cat[str(ln.category)] += ln.kgco2e
        by_edge[ln.source] += ln.kgco2e
        for gas, v in ln.by_gas.items():
            by_gas[gas] += v
    by_supplier: dict[str, float] = defaultdict(float)
    by_product: dict[str, float] = defaultdict(float)
    n = len(s.products)
    demand, adjust = np.zeros(n), np.zeros(n)
    flat = 0.0  # kgCO2e of lines that are not unrolled (tier 1)
    starts: list[PathStart] = []
    for ln in lines:
        if _unrolled(result, ln):
            i = s.index[ln.counterpart]
            adj = ln.kgco2e - ln.quantity * float(result.intensity[i])  # e.g. − Scope 2 part of energy
            demand[i] += ln.quantity
            adjust[i] += adj
            starts.append(PathStart(i, ln.quantity, adj, (enterprise,)))
        else:
            flat += ln.kgco2e
            key = ln.supplier or _label(ln)
            by_supplier[key] += ln.kgco2e
            by_product[ln.counterpart if ln.supplier else _label(ln)] += ln.kgco2e
    if tier1_only:
        node_vals = demand * result.intensity + adjust
        by_tier = {"1": total}
        collapse = 0
    else:
        x = ix.supply(demand) if demand.any() else np.zeros(n)
        node_vals = x * ix.b_total + adjust
        tiers, rest = tier_contributions(s.M, ix.b_total, demand, x, max_tier)
        tiers = tiers or [0.0]
        tiers[0] += flat + float(adjust.sum())
        by_tier = _tier_dict(tiers, rest, max_tier, 1)
        collapse = None
    nz = significant(node_vals, total)
    for k, v in group_sum(ix.maker, node_vals, nz).items():
        by_supplier[k] += v
    for k, v in group_sum(s.products, node_vals, nz).items():
        by_product[k] += v
    opts = {k: v for k, v in (("cutoff_rel", cutoff_rel), ("max_depth", max_depth)) if v is not None}
    raw = top_paths(s.M, ix.b_total, result.intensity, starts, total, top, collapse_depth=collapse, **opts)
    paths = _paths(result, raw, total) + [
        SupplyPath((enterprise, _label(ln)), (enterprise, None), ln.kgco2e, ln.kgco2e / total if total else 0.0, True)
        for ln in lines
        if not _unrolled(result, ln) and ln.kgco2e
    ]
    paths = sorted(paths, key=lambda p: -p.kgco2e)[:top]
    return Hotspots(
        subject={"enterprise": enterprise, "scope": 3, "categories": "1-8", "per": "year"},
        total_kgco2e=total,
        by_supplier=dict(by_supplier),
        by_product=dict(by_product),
        by_edge={k: v for k, v in by_edge.items() if v},
        by_category=dict(sorted(by_cat.items(), key=lambda kv: int(kv[0]))),
        by_gas=dict(by_gas),
        by_tier=by_tier,
        paths=paths,
        tier1_only=tier1_only,
    )
