"""Industrial symbiosis: which residual can replace which virgin input, and the best assignment.

A residual (waste, by-product, surplus energy of one enterprise) matches a need (an input of
another) when the need's material is the residual's own or one it can replace
(``seed_data/materials.csv``, ``compatible_with``). Per unit moved (in the need's unit):

    benefit = virgin input avoided (the need's ``virgin`` factor, else the material's
              ``virgin_factor``) + treatment avoided (the residual's ``current_treatment``)
              − road transport of what is moved (mass × great-circle km × detour × transport_road)

in kgCO2e (processing is not modelled: no data). Heat, steam and water are taken as piped
(no freight). When several residuals compete for one need, the assignment that avoids the most
in total is a transportation problem, solved as a min-cost flow (networkx).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import networkx as nx

from tanlian.errors import NotFound
from tanlian.graph.model import Graph, Need, Residual
from tanlian.lca.analysis.geo import road_distance_km
from tanlian.lca.core.factors import FactorBook
from tanlian.lca.core.transport import freight_kgco2e
from tanlian.seed_data.library import materials
from tanlian.units import conversion_factor, convertible, is_mass

SCALE = 1000  # integer resolution of the flow problem: 1/1000 of a unit, 1 g CO2e


@dataclass
class Match:
    """One residual → need pair. Quantities in the need's unit, kgCO2e per year or per unit."""

    residual: str
    need: str
    supplier: str
    taker: str
    material: str  # residual material → need material
    unit: str
    max_quantity: float  # min(supply, demand)
    distance_km: float | None
    virgin_kgco2e_per_unit: float
    treatment_kgco2e_per_unit: float
    transport_kgco2e_per_unit: float
    benefit_kgco2e_per_unit: float
    quality: str  # both quality statements, for the planner to check
    notes: list[str]
    assigned_quantity: float = 0.0

    @property
    def assigned_kgco2e(self) -> float:
        return self.assigned_quantity * self.benefit_kgco2e_per_unit

    def record(self) -> dict:
        return {
            **asdict(self),
            "potential_kgco2e": self.max_quantity * self.benefit_kgco2e_per_unit,
            "assigned_kgco2e": self.assigned_kgco2e,
        }


def _compatible(res_material: str, need_material: str) -> bool:
    vocab = materials()
    if res_material == need_material:
        return True
    if res_material not in vocab.index:
        return False
    return need_material in [m.strip() for m in str(vocab.at[res_material, "compatible_with"]).split(";") if m.strip()]


def _per_unit(book: FactorBook, factor_id: str | None, unit: str, notes: list[str], what: str) -> float:
    """kgCO2e per one ``unit`` of the factor ``factor_id`` (0 with a note when unusable)."""
    if not factor_id:
        notes.append(f"no {what} factor: not counted")
        return 0.0
    try:
        f = book.get(factor_id)
    except NotFound:
        notes.append(f"unknown {what} factor {factor_id!r}: not counted")
        return 0.0
    if not convertible(unit, f.unit):
        notes.append(f"{what} factor {f.id} is per {f.unit}, not per {unit}: not counted")
        return 0.0
    return book.co2e(f) * conversion_factor(unit, f.unit)  # kgCO2e per f.unit × f.units in one unit


def match(graph: Graph, book: FactorBook, r: Residual, n: Need, detour: float = 1.0) -> Match | None:
    """The pair's benefit per unit, or None when the materials or units do not fit."""
    if r.enterprise == n.enterprise or not _compatible(r.material, n.material) or not convertible(r.unit, n.unit):
        return None
    notes: list[str] = []
    supply = r.quantity * conversion_factor(r.unit, n.unit)
    virgin_id = n.virgin or (materials().at[r.material, "virgin_factor"] if r.material in materials().index else "")
    virgin = _per_unit(book, virgin_id, n.unit, notes, "virgin input")
    treatment = _per_unit(book, r.current_treatment, n.unit, notes, "treatment") if r.current_treatment else 0.0
    km = road_distance_km(graph.enterprises.get(r.enterprise), graph.enterprises.get(n.enterprise), detour)
    transport = 0.0
    if is_mass(n.unit):
        if km is None:
            notes.append("no location for one side: transport not counted")
        else:
            transport = freight_kgco2e(book, "road", conversion_factor(n.unit, "t"), km)
    else:
        notes.append("piped (heat, steam, water): no freight counted")
    quality = " | ".join(q for q in (r.quality, n.quality) if q) or ""
    return Match(
        r.id,
        n.id,
        r.enterprise,
        n.enterprise,
        f"{r.material} → {n.material}",
        n.unit,
        min(supply, n.quantity),
        km,
        virgin,
        treatment,
        transport,
        virgin + treatment - transport,
        quality,
        notes,
    )


CANONICAL_UNITS = ("t", "GJ", "m**3")  # mass, energy, volume: one unit per quantity kind


def canonical(unit: str) -> str:
    """The unit the flow problem counts a quantity in (so competing pairs share one unit)."""
    return next((c for c in CANONICAL_UNITS if convertible(unit, c)), unit)


def _assign(pairs: list[Match], residuals: dict[str, Residual], needs: dict[str, Need]) -> None:
    """Assign quantities to maximise the total benefit: a min-cost flow residuals → needs, in
    integer thousandths of the canonical unit and grams of CO2e."""

    def units(qty: float, unit: str) -> int:
        return round(qty * conversion_factor(unit, canonical(unit)) * SCALE)

    g = nx.DiGraph()
    total = 0
    for rid, r in residuals.items():
        if any(m.residual == rid for m in pairs):
            g.add_edge("source", f"r:{rid}", capacity=units(r.quantity, r.unit), weight=0)
            total += units(r.quantity, r.unit)
    for nid, n in needs.items():
        g.add_edge(f"n:{nid}", "sink", capacity=units(n.quantity, n.unit), weight=0)
    for m in pairs:
        if m.benefit_kgco2e_per_unit > 0:
            per_canonical = m.benefit_kgco2e_per_unit * conversion_factor(canonical(m.unit), m.unit)
            g.add_edge(
                f"r:{m.residual}",
                f"n:{m.need}",
                capacity=units(m.max_quantity, m.unit),
                weight=-round(per_canonical * 1000),
            )  # g CO2e per canonical unit
    if not total:
        return
    g.add_edge("source", "sink", capacity=total, weight=0)  # what is not worth moving stays put
    g.nodes["source"]["demand"] = -total
    g.nodes["sink"]["demand"] = total
    flow = nx.min_cost_flow(g)
    for m in pairs:
        moved = flow.get(f"r:{m.residual}", {}).get(f"n:{m.need}", 0) / SCALE
        m.assigned_quantity = moved * conversion_factor(canonical(m.unit), m.unit)


def opportunities(graph: Graph, park: str | None = None, gwp: str = "AR6", detour: float = 1.0) -> dict:
    """Candidate matches and the best assignment among the park's members (or the whole graph)."""
    if park is not None and park not in graph.parks:
        raise NotFound("park", park)

    def member(ent_id: str) -> bool:
        e = graph.enterprises.get(ent_id)
        return park is None or (e is not None and e.park == park)

    residuals = {k: r for k, r in sorted(graph.residuals.items()) if member(r.enterprise)}
    needs = {k: n for k, n in sorted(graph.needs.items()) if member(n.enterprise)}
    book = FactorBook.for_graph(graph, gwp)
    pairs = [m for r in residuals.values() for n in needs.values() if (m := match(graph, book, r, n, detour))]
    _assign(pairs, residuals, needs)
    pairs.sort(key=lambda m: -m.max_quantity * m.benefit_kgco2e_per_unit)
    matched_r = {m.residual for m in pairs}
    matched_n = {m.need for m in pairs}
    return {
        "park": park,
        "gwp": gwp,
        "detour": detour,
        "assigned_kgco2e": sum(m.assigned_kgco2e for m in pairs),
        "potential_kgco2e": sum(max(0.0, m.max_quantity * m.benefit_kgco2e_per_unit) for m in pairs),
        "matches": [m.record() for m in pairs],
        "unmatched_residuals": [r for r in residuals if r not in matched_r],
        "unmatched_needs": [n for n in needs if n not in matched_n],
    }
