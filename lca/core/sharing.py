"""Who shares footprints, and what stands in for a supplier that does not (DECISIONS 21).

A supplier with ``share_footprints = false`` is shown to its customers as the average of its
product's class: the output-weighted average intensity of the products of the same ``cpc``
made by other enterprises that do share. This module is the one place that rule lives; the
enterprise's own Scope 3 view, procurement alternatives, the API and the CLI all use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tanlian.graph.model import Graph
from tanlian.lca.core.result import LcaResult
from tanlian.units import conversion_factor, convertible


def shares_footprints(graph: Graph, source: str) -> bool:
    """Whether the maker of ``source`` (a product id or ``factor:<id>``) shares its footprints.

    Market factors and products of enterprises missing from the graph count as shared.
    """
    ent = graph.enterprises.get(graph.maker(source) or "")
    return ent is None or ent.share_footprints


@dataclass(frozen=True)
class ClassAverage:
    """The placeholder footprint of a product whose maker does not share."""

    product: str
    kgco2e_per_unit: float  # per unit of ``product``'s own unit
    peers: int  # products averaged
    cpc: str

    @property
    def basis(self) -> str:
        return f"not shared: output-weighted average of {self.peers} product(s) of class cpc {self.cpc}"


def class_average(result: LcaResult, product_id: str, per_unit: np.ndarray | None = None) -> ClassAverage | None:
    """The output-weighted average intensity (kgCO2e per unit of ``product_id``'s unit) of the
    products of the same ``cpc`` class made by other enterprises that do share (wastes excluded,
    units convertible); None when there is no such product. ``per_unit`` (n,): average this
    per-unit figure instead of the intensity (e.g. ``result.direct``)."""
    graph = result.graph
    p = graph.products[product_id]
    peers = [
        q
        for q in graph.products.values()
        if p.cpc
        and q.cpc == p.cpc
        and q.enterprise != p.enterprise
        and q.kind != "waste"
        and graph.enterprises[q.enterprise].share_footprints
        and convertible(p.unit, q.unit)
    ]
    if not peers:
        return None
    # intensity per unit of p: per unit of q × (units of q in one unit of p)
    weights = [q.output * conversion_factor(q.unit, p.unit) for q in peers]
    figure = result.intensity if per_unit is None else per_unit
    values = [figure[result.idx(q.id)] * conversion_factor(p.unit, q.unit) for q in peers]
    return ClassAverage(product_id, float(np.average(values, weights=weights)), len(peers), p.cpc or "")
