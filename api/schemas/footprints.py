"""Footprint and edge bodies: the response models and the functions that build them from a result.

Units: kgCO2e per declared unit of the product (footprints), kgCO2e per year (edges).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from tanlian.lca.core.result import EdgeTable, LcaResult
from tanlian.lca.core.sharing import ClassAverage
from tanlian.lca.core.uncertainty import product_percentiles


class Footprint(BaseModel):
    """Cradle-to-gate footprint of one product, kgCO2e per declared unit."""

    model_config = ConfigDict(extra="forbid")
    product: str
    name: str | None = None
    enterprise: str
    unit: str
    kgco2e_per_unit: float | None = Field(None, description="absent when not shared and no class average exists")
    direct_kgco2e_per_unit: float | None = None
    upstream_kgco2e_per_unit: float | None = None
    own_burden_kgco2e_per_unit: float | None = Field(
        None, description="the maker's own activities only (Scope 1 + grid/utility Scope 2), per unit, gate only"
    )
    by_gas: dict[str, float] | None = None
    gwp: str
    scope2_method: str
    allocation: str | None = None
    shared: bool | None = Field(None, description="false: a class average shown for a supplier that does not share")
    basis: str | None = Field(None, description="for a supplier that does not share: how the average was formed")
    p5: float | None = None
    p50: float | None = None
    p95: float | None = None
    mc_samples: int | None = None


class Edge(BaseModel):
    """Embodied carbon on one supply edge = quantity × intensity of what flows (kgCO2e per year)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    flow: str
    from_: str = Field(alias="from")
    to: str
    quantity: float = Field(description="in `unit`, the unit of the product or factor that flows")
    unit: str
    embodied_kgco2e: float


EDGES = TypeAdapter(list[Edge])


def footprint_body(result: LcaResult, product_id: str, mc: int = 0, seed: int = 42) -> dict[str, Any]:
    """The footprint of one product (p5/p50/p95 keys with ``mc`` > 0 Monte Carlo samples)."""
    j = result.idx(product_id)
    p = result.graph.products[product_id]
    s = result.system
    out: dict[str, Any] = {
        "product": product_id,
        "name": p.name,
        "enterprise": p.enterprise,
        "unit": p.unit,
        "kgco2e_per_unit": float(result.intensity[j]),
        "direct_kgco2e_per_unit": float(result.direct[j]),
        "upstream_kgco2e_per_unit": float(result.intensity[j] - result.direct[j]),
        "own_burden_kgco2e_per_unit": float(s.b_direct[j].sum()),
        "by_gas": {g: float(v) for g, v in zip(s.gases, result.Y[j], strict=True) if v},
        "gwp": s.gwp_set,
        "scope2_method": s.scope2,
        "allocation": s.allocations[p.enterprise].rule,
    }
    if mc:
        p5, p50, p95 = product_percentiles(result, j, mc, seed)  # a row of (I − Mᵀ)⁻¹ D, S dot products
        out.update(p5=p5, p50=p50, p95=p95, mc_samples=mc)
    return out


def class_average_body(result: LcaResult, average: ClassAverage) -> dict[str, Any]:
    """The footprint shown for a product whose maker does not share (flagged ``shared: false``)."""
    p = result.graph.products[average.product]
    return {
        "product": average.product,
        "name": p.name,
        "enterprise": p.enterprise,
        "unit": p.unit,
        "kgco2e_per_unit": average.kgco2e_per_unit,
        "gwp": result.system.gwp_set,
        "scope2_method": result.system.scope2,
        "shared": False,
        "basis": average.basis,
    }


def not_shared_body(result: LcaResult, product_id: str) -> dict[str, Any]:
    """A product whose maker does not share and whose class has too few peers: no value at all."""
    p = result.graph.products[product_id]
    return {
        "product": product_id,
        "name": p.name,
        "enterprise": p.enterprise,
        "unit": p.unit,
        "gwp": result.system.gwp_set,
        "scope2_method": result.system.scope2,
        "shared": False,
        "basis": "not shared: fewer than 3 products of other enterprises in its class, so no average is shown",
    }


def edge_rows(table: EdgeTable, rows: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Edge bodies built from the table's columns (every flow, or the flows at ``rows``)."""
    if rows is None:
        cols = (table.flow, table.source, table.to, table.quantity.tolist(), table.unit, table.embodied_kgco2e.tolist())
    else:
        take = rows.tolist()
        cols = (
            [table.flow[k] for k in take],
            [table.source[k] for k in take],
            [table.to[k] for k in take],
            table.quantity[rows].tolist(),
            [table.unit[k] for k in take],
            table.embodied_kgco2e[rows].tolist(),
        )
    return [
        {"flow": f, "from": s, "to": t, "quantity": q, "unit": u, "embodied_kgco2e": e}
        for f, s, t, q, u, e in zip(*cols, strict=True)
    ]


def _edge_positions(result: LcaResult, enterprise: str | None) -> np.ndarray | None:
    """Rows of the edge table into or out of ``enterprise`` (None: every row)."""
    if enterprise is None:
        return None
    return result.edges.rows_of(result.flows_by_enterprise.get(enterprise, []))


def edge_chunks(result: LcaResult, enterprise: str | None = None, size: int = 50_000) -> Iterator[list[dict[str, Any]]]:
    """:func:`edges_of` in chunks of ``size`` rows (for output that streams)."""
    table, rows = result.edges, _edge_positions(result, enterprise)
    if rows is None:
        rows = np.arange(len(table.flow))
    for start in range(0, len(rows), size):
        yield edge_rows(table, rows[start : start + size])


def edges_of(result: LcaResult, enterprise: str | None = None) -> list[dict[str, Any]]:
    """Every edge, or those into or out of ``enterprise`` (sorted by flow id)."""
    return edge_rows(result.edges, _edge_positions(result, enterprise))
