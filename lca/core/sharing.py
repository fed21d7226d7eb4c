"""Who shares footprints, and what stands in for a supplier that does not (DECISIONS 21).

A supplier with ``share_footprints = false`` is shown to its customers as the average of its
product's class: the output-weighted average intensity of the products of the same ``cpc``
made by other enterprises that do share. An average of fewer than :data:`MIN_PEERS` products
would be (or nearly be) one peer's exact footprint, so there is then no class average; for an
energy product the stand-in is the grid factor (electricity, the maker's region) or the library
factor of its carrier. This module is the one place that rule lives; the
enterprise's own Scope 3 view, procurement alternatives, the API and the CLI all use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from tanlian.errors import TanlianError
from tanlian.graph.model import Graph
from tanlian.lca.core.result import LcaResult
from tanlian.units import conversion_factor, convertible

#: Fewest products of other enterprises a class average is made of.
MIN_PEERS = 3


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
    peers: int  # products averaged (0: an energy factor stands in)
    cpc: str
    factor: str | None = None  # the energy factor standing in, when no class average exists

    @property
    def basis(self) -> str:
        if self.factor is not None:
            return f"not shared: factor {self.factor} of its energy carrier"
        return f"not shared: output-weighted average of {self.peers} product(s) of class cpc {self.cpc}"


def class_average(
    result: LcaResult,
    product_id: str,
    per_unit: np.ndarray | None = None,
    energy_part: Literal["total", "direct"] = "total",
) -> ClassAverage | None:
    """The output-weighted average intensity (kgCO2e per unit of ``product_id``'s unit) of the
    products of the same ``cpc`` class made by other enterprises that do share (wastes excluded,
    units convertible), when there are at least :data:`MIN_PEERS`; else, for an energy product,
    its carrier's factor (:func:`energy_stand_in`; ``energy_part`` "direct": without the factor's
    upstream part); else None. ``per_unit`` (n,): average this per-unit figure instead of the
    intensity (e.g. ``result.direct``)."""
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
    if len(peers) < MIN_PEERS:
        return energy_stand_in(result, product_id, energy_part)
    # intensity per unit of p: per unit of q × (units of q in one unit of p)
    weights = [q.output * conversion_factor(q.unit, p.unit) for q in peers]
    figure = result.intensity if per_unit is None else per_unit
    values = [figure[result.idx(q.id)] * conversion_factor(p.unit, q.unit) for q in peers]
    return ClassAverage(product_id, float(np.average(values, weights=weights)), len(peers), p.cpc or "")


def energy_stand_in(
    result: LcaResult, product_id: str, part: Literal["total", "direct"] = "total"
) -> ClassAverage | None:
    """For an energy product: the grid factor of its maker's region (electricity) or the library
    factor whose class is its carrier (heat, steam, ...), per unit of the product; ``part``
    "total" adds the factor's upstream (cradle-to-gate) part. None for other products, or when no
    factor fits the product's unit."""
    graph, book = result.graph, result.book
    p = graph.products[product_id]
    if p.kind != "energy" or p.carrier is None:
        return None
    if p.carrier == "electricity":
        maker = graph.enterprises.get(p.enterprise)
        try:
            pool = [book.grid(maker.region if maker else None)]
        except TanlianError:
            pool = []
    else:
        pool = sorted((f for f in book.factors.values() if f.group == p.carrier), key=lambda f: f.id)
    for f in pool:
        if convertible(p.unit, f.unit):
            per = book.co2e(f) + ((f.upstream_kgco2e or 0.0) if part == "total" else 0.0)
            return ClassAverage(product_id, per * conversion_factor(p.unit, f.unit), 0, p.cpc or "", f.id)
    return None
