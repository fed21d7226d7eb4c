"""Green procurement: interchangeable sources of a purchased flow, ranked by the buyer's Scope 3.

For a flow of quantity q from a current source to a buyer, each alternative (a graph product
with the same ``cpc``, or a factor with the same ``class``, from another supplier) is priced as

    Δ kgCO2e = q_alt × y_alt − q × y_cur + (transport_alt − transport_cur)
    Δ CNY    = q_alt × price_alt − q × price_cur          (when both prices are known)

with ``q_alt`` = q converted to the alternative's unit, ``y`` cradle-to-gate kgCO2e per unit.
Transport (kgCO2e) = t × km × the ``transport_<mode>`` factor (kgCO2e per t·km): the current
flow's own distance/mode; for an alternative, the great-circle distance from its supplier to
the buyer × ``detour`` (default 1.0) by road, unless a flow of that supplier to the buyer
already gives a distance. Suppliers with ``share_footprints = false`` are offered at the class
average (DECISIONS 21) and flagged ``shared: false``.

What a reader may see is given by ``exact(source)``: when False (a supplier whose exact footprint
the reader may not use, e.g. another park's or a non-sharing one), the option carries the class
average (at least three peers, or an energy carrier's factor) or no value at all, no price, and
no distance from that supplier's location (transport as the current flow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from tanlian.errors import NotFound, TanlianError
from tanlian.graph.model import FACTOR_PREFIX, Flow, Graph
from tanlian.lca.analysis.geo import road_distance_km
from tanlian.lca.core.burden import MissingMass, flow_mass_t
from tanlian.lca.core.result import LcaResult
from tanlian.lca.core.sharing import class_average, shares_footprints
from tanlian.lca.core.transport import freight_kgco2e
from tanlian.units import conversion_factor, convertible

#: classes whose members are not interchangeable goods: grid power is an activity, not a purchase;
#: spend factors are EEIO sectors (machinery, food, ...) grouped under one class, so another
#: member is another industry, not a greener source of the same goods
NON_SWITCHABLE_CLASSES = {"grid", "grid_residual", "spend"}


def class_of(graph: Graph, result: LcaResult, source: str) -> str | None:
    """The interchangeability class of a source: a product's ``cpc`` or a factor's ``class``."""
    if source.startswith(FACTOR_PREFIX):
        return result.book.get(source[len(FACTOR_PREFIX) :]).group
    p = graph.products.get(source)
    return p.cpc if p else None


def unit_of(result: LcaResult, source: str) -> str:
    if source.startswith(FACTOR_PREFIX):
        return result.book.get(source[len(FACTOR_PREFIX) :]).unit
    return result.graph.products[source].unit


def price_of(graph: Graph, source: str) -> float | None:
    p = graph.products.get(source)
    return p.price_cny if p else None


Exact = Callable[[str], bool]


def visible_intensity(result: LcaResult, source: str, exact: bool | None = None) -> tuple[float | None, str]:
    """kgCO2e per unit the reader may use, and how: the real footprint when ``exact`` (default: the
    maker shares), else the class average (:func:`tanlian.lca.core.sharing.class_average`, which
    falls back to an energy carrier's factor), else None ("not shared", no value)."""
    if exact is None:
        exact = shares_footprints(result.graph, source)
    if exact:
        return result.intensity_of(source), "supplier-specific" if source in result.graph.products else "average-data"
    avg = class_average(result, source)
    if avg is not None:
        return avg.kgco2e_per_unit, "average-data"
    return None, "not shared"


def candidates(result: LcaResult, flow: Flow) -> list[str]:
    """Sources of the same class as the flow's, from suppliers other than the current one and the buyer."""
    g = result.graph
    cls = class_of(g, result, flow.source)
    if not cls or cls in NON_SWITCHABLE_CLASSES:
        return []
    current = g.maker(flow.source)
    prods = [
        p.id
        for p in g.products.values()
        if p.cpc == cls and p.id != flow.source and p.enterprise not in (current, flow.to)
    ]
    facs = [
        FACTOR_PREFIX + f.id
        for f in result.book.factors.values()
        if f.group == cls and f.kind != "energy" and FACTOR_PREFIX + f.id != flow.source
    ]
    return sorted(prods) + sorted(facs)


def transport_kgco2e(result: LcaResult, mass_t: float | None, km: float | None, mode: str | None) -> float:
    """kgCO2e of moving ``mass_t`` tonnes ``km`` by ``mode`` (0 when no distance)."""
    if not km or not mode:
        return 0.0
    if mass_t is None:
        raise MissingMass("transport needs a mass")
    return freight_kgco2e(result.book, mode, mass_t, km)


def delivery(result: LcaResult, source: str, buyer: str, detour: float = 1.0) -> tuple[float | None, str | None, str]:
    """(km, mode, how) to deliver ``source`` to ``buyer``: an existing flow's data, else road by coordinates."""
    g = result.graph
    supplier = g.maker(source)
    if supplier is None:
        return None, None, "market factor: no supplier location, transport as the current flow"
    for f in sorted(g.flows.values(), key=lambda f: f.id):
        if f.to == buyer and g.maker(f.source) == supplier and f.distance_km and f.mode:
            return f.distance_km, f.mode, f"distance of flow {f.id}"
    km = road_distance_km(g.enterprises.get(supplier), g.enterprises.get(buyer), detour)
    if km is None:
        return None, None, "no coordinates: transport not estimated"
    return km, "road", f"great-circle × {detour:g} by road"


@dataclass
class Option:
    """One source for the whole purchase, with its effect on the buyer (kgCO2e, CNY per year)."""

    source: str
    supplier: str | None
    quantity: float  # in ``unit``
    unit: str
    kgco2e_per_unit: float | None  # None: not shared and no class average
    goods_kgco2e: float | None
    distance_km: float | None
    mode: str | None
    transport_kgco2e: float
    total_kgco2e: float | None
    cost_cny: float | None
    method: str
    shared: bool
    transport_note: str = ""
    delta_kgco2e: float | None = 0.0
    delta_cost_cny: float | None = None

    def record(self) -> dict:
        return asdict(self)


def _option(
    result: LcaResult,
    source: str,
    q: float,
    unit: str,
    mass_t: float | None,
    km: float | None,
    mode: str | None,
    note: str,
    exact: bool | None = None,
) -> Option:
    shared = shares_footprints(result.graph, source) if exact is None else exact
    y, method = visible_intensity(result, source, shared)
    price = price_of(result.graph, source) if shared or exact is None else None
    transport = transport_kgco2e(result, mass_t, km, mode)
    goods = None if y is None else q * y
    return Option(
        source,
        result.graph.maker(source),
        q,
        unit,
        y,
        goods,
        km,
        mode,
        transport,
        None if goods is None else goods + transport,
        q * price if price is not None else None,
        method,
        shared,
        note,
    )


def alternatives(result: LcaResult, flow_id: str, detour: float = 1.0, exact: Exact | None = None) -> dict:
    """The current source of ``flow_id`` and every alternative, best (most negative Δ) first (those
    without a value last). ``exact(source)``: whether the reader may see that source's exact
    footprint, price and supplier location (default: every source, non-sharing makers averaged)."""
    see = (lambda src: None) if exact is None else exact
    g = result.graph
    flow = g.flows.get(flow_id)
    if flow is None:
        raise NotFound("flow", flow_id)
    q, unit = result.edge_quantity(flow_id)
    try:
        mass_t: float | None = flow_mass_t(flow, g, result.book)
    except MissingMass:
        mass_t = None
    note = "" if flow.distance_km else "current flow has no distance: its transport counts 0"
    current = _option(result, flow.source, q, unit, mass_t, flow.distance_km, flow.mode, note, see(flow.source))
    options, skipped = [], []
    for src in candidates(result, flow):
        alt_unit = unit_of(result, src)
        if not convertible(unit, alt_unit):
            skipped.append({"source": src, "reason": f"unit {alt_unit!r} not convertible from {unit!r}"})
            continue
        visible = see(src)
        if visible is False:  # no distance from a hidden supplier's location
            km, mode, how = flow.distance_km, flow.mode, "supplier location not shared: transport as the current flow"
        else:
            km, mode, how = delivery(result, src, flow.to, detour)
            if how.startswith("market factor"):
                km, mode = flow.distance_km, flow.mode
        try:
            opt = _option(result, src, q * conversion_factor(unit, alt_unit), alt_unit, mass_t, km, mode, how, visible)
        except MissingMass:
            skipped.append({"source": src, "reason": "transport needs the mass of the flow"})
            continue
        both = opt.total_kgco2e is not None and current.total_kgco2e is not None
        opt.delta_kgco2e = opt.total_kgco2e - current.total_kgco2e if both else None  # type: ignore[operator]
        if opt.cost_cny is not None and current.cost_cny is not None:
            opt.delta_cost_cny = opt.cost_cny - current.cost_cny
        options.append(opt)
    options.sort(key=lambda o: (o.delta_kgco2e is None, o.delta_kgco2e or 0.0, o.source))
    if not options and not skipped and class_of(g, result, flow.source) is None:
        raise TanlianError(f"flow {flow_id}: its source {flow.source!r} has no cpc/class to look for alternatives")
    return {
        "flow": flow_id,
        "buyer": flow.to,
        "class": class_of(g, result, flow.source),
        "current": current.record(),
        "alternatives": [o.record() for o in options],
        "skipped": skipped,
    }
