"""Each enterprise's own burden for the year, as one line per source and gas.

A line is what one activity or one background purchase emits: Scope 1 (fuel, process),
Scope 2 (grid power location- or market-based, bought heat/steam) and the upstream part
(Category 3 upstream of fuels and power, 1/2 background goods and services from factors,
4 transport of inputs, 5 waste treatment). Inputs from other graph products are not lines:
they enter the matrix M (``matrices.py``). Amounts: ``kg`` of the gas per year, or kgCO2e
for factors published without a gas split (gas ``UNSPECIFIED``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tanlian.errors import TanlianError
from tanlian.graph.model import Activity, Factor, Flow, Graph, Product
from tanlian.lca.core.factors import UNSPECIFIED, FactorBook
from tanlian.lca.core.transport import freight
from tanlian.units import conversion_factor, convertible, is_mass

Part = Literal["direct", "upstream"]
Method = Literal["location", "market"]


class MissingMass(TanlianError):
    """Transport needs a mass, and the flow gives none."""


class MissingCarrier(TanlianError):
    """An ``energy`` product without a carrier: its buyers' scope cannot be told."""


def check_carriers(graph: Graph) -> None:
    """Every ``energy`` product names its carrier (stores written before the column existed do not)."""
    missing = sorted(p.id for p in graph.products.values() if p.kind == "energy" and p.carrier is None)
    if missing:
        raise MissingCarrier(
            f"energy products without a carrier (electricity | heat | steam | cooling | fuel): {', '.join(missing)}; "
            "add the products.csv column 'carrier' and import again"
        )


@dataclass(frozen=True)
class BurdenLine:
    """One source of an enterprise's own burden, for one gas."""

    enterprise: str
    part: Part  # direct = Scope 1 + 2 (gate to gate); upstream = everything else
    scope: int  # 1, 2 or 3
    category: int | None  # GHG Protocol Scope 3 category for scope 3 lines
    scope2_method: Method | None  # None: the same under both Scope 2 methods
    source: str  # activity or flow id
    counterpart: str  # factor id, or gas name for process emissions
    quantity: float  # in ``unit``
    unit: str
    factor: str | None  # factor whose value scales this line (Monte Carlo)
    gas: str
    kg: float  # kg of gas per year (kgCO2e for UNSPECIFIED)
    method: str  # how it was computed (activity-based, average-data, spend-based, distance-based)


def _factor_lines(
    book: FactorBook, f: Factor, qty: float, unit: str, common: dict, *, upstream_only: bool = False
) -> list[BurdenLine]:
    """One line per gas of ``qty`` units of factor ``f`` (``qty`` already in the factor's unit)."""
    split = {UNSPECIFIED: f.upstream_kgco2e or 0.0} if upstream_only else book.gas_split(f)
    return [
        BurdenLine(**common, counterpart=f.id, quantity=qty, unit=unit, factor=f.id, gas=g, kg=qty * kg)
        for g, kg in split.items()
        if kg
    ]


def activity_lines(a: Activity, region: str | None, book: FactorBook) -> list[BurdenLine]:
    """Scope 1 / Scope 2 / Category 3 lines of one activity (removals give none)."""
    base = dict(enterprise=a.enterprise, source=a.id)
    if a.type == "removal":
        return []
    if a.type == "process":
        kg = a.quantity * conversion_factor(a.unit, "kg")
        return [
            BurdenLine(
                **base,
                part="direct",
                scope=1,
                category=None,
                scope2_method=None,
                counterpart=a.item,
                quantity=kg,
                unit="kg",
                factor=None,
                gas=a.item,
                kg=kg,
                method="activity-based",
            )
        ]
    if a.type == "electricity" and a.item == "grid":
        kwh = a.quantity * conversion_factor(a.unit, "kWh")
        green_kwh = min((a.green_mwh or 0.0) * 1000.0, kwh)
        loc, res = book.grid(region), book.grid(region, residual=True)
        s2 = dict(base, part="direct", scope=2, category=None, method="activity-based")
        up = dict(base, part="upstream", scope=3, category=3, scope2_method=None, method="average-data")
        return (
            _factor_lines(book, loc, kwh, "kWh", dict(s2, scope2_method="location"))
            + _factor_lines(book, res, kwh - green_kwh, "kWh", dict(s2, scope2_method="market"))
            + _factor_lines(book, loc, kwh, "kWh", up, upstream_only=True)
        )
    f = book.get(a.item)
    qty = a.quantity * conversion_factor(a.unit, f.unit)
    scope = 1 if a.type == "fuel" else 2
    direct = dict(base, part="direct", scope=scope, category=None, scope2_method=None, method="activity-based")
    up = dict(base, part="upstream", scope=3, category=3, scope2_method=None, method="average-data")
    return _factor_lines(book, f, qty, f.unit, direct) + _factor_lines(book, f, qty, f.unit, up, upstream_only=True)


def flow_quantity(flow: Flow, unit: str, price_cny: float | None = None) -> float:
    """Quantity of ``flow`` in ``unit`` (the product's or factor's); spend-only flows via price."""
    if flow.quantity is not None and flow.unit:
        return flow.quantity * conversion_factor(flow.unit, unit)
    if price_cny:  # spend-only flow of a graph product
        return (flow.spend_cny or 0.0) / price_cny
    return (flow.spend_cny or 0.0) * conversion_factor("CNY", unit)


def default_category(flow: Flow, unit: str | None = None, factor_kind: str | None = None) -> int:
    """GHG Protocol category of a purchase: the override, else 5 for waste treatment, 4 for transport
    bought as a service (anything per t·km), 2 for capital goods, 1 otherwise. ``unit``: the unit of
    what flows (product or factor)."""
    if flow.category:
        return flow.category
    if factor_kind == "waste":
        return 5
    if unit is not None and convertible(unit, "t*km"):
        return 4
    return 2 if flow.capital else 1


def purchase_category(flow: Flow, product: Product) -> int:
    """Scope 3 category of a flow of a graph product: 3 for electricity, heat, steam or cooling
    (the buyer's Scope 2 is the seller's direct part, the rest of the intensity is Category 3,
    DECISIONS 14); a fuel is a purchased good like any other (its combustion is the buyer's own
    fuel activity, Scope 1)."""
    return 3 if product.scope2_energy else default_category(flow, product.unit)


def flow_mass_t(flow: Flow, graph: Graph, book: FactorBook) -> float:
    """Mass carried by a flow in tonnes (for t·km): from its unit, else the product's ``mass_kg``."""
    if flow.unit and is_mass(flow.unit):
        return (flow.quantity or 0.0) * conversion_factor(flow.unit, "t")
    product = graph.products.get(flow.source)
    if product is not None:
        qty = flow_quantity(flow, product.unit, product.price_cny)
        if is_mass(product.unit):
            return qty * conversion_factor(product.unit, "t")
        if product.mass_kg is not None:
            return qty * product.mass_kg / 1000.0
    raise MissingMass(f"flow {flow.id}: distance_km needs a mass (a mass unit, or mass_kg on the product)")


def flow_lines(flow: Flow, graph: Graph, book: FactorBook) -> list[BurdenLine]:
    """Background purchase (``factor:`` flows) and transport (Category 4) lines of one flow."""
    lines: list[BurdenLine] = []
    base = dict(enterprise=flow.to, source=flow.id, part="upstream", scope=3, scope2_method=None)
    if flow.factor_id is not None:
        f = book.get(flow.factor_id)
        qty = flow_quantity(flow, f.unit)
        spend = flow.quantity is None or f.kind == "spend"
        method = "spend-based" if spend else "average-data"
        lines += _factor_lines(
            book, f, qty, f.unit, dict(base, category=default_category(flow, f.unit, f.kind), method=method)
        )
    if flow.distance_km:
        tf, tkm = freight(book, flow.mode, flow_mass_t(flow, graph, book), flow.distance_km)
        lines += _factor_lines(book, tf, tkm, tf.unit, dict(base, category=4, method="distance-based"))
    return lines


def enterprise_lines(graph: Graph, book: FactorBook) -> list[BurdenLine]:
    """Every burden line of every enterprise in the graph."""
    lines: list[BurdenLine] = []
    for a in graph.activities.values():
        ent = graph.enterprises.get(a.enterprise)
        lines += activity_lines(a, ent.region if ent else None, book)
    for flow in graph.flows.values():
        lines += flow_lines(flow, graph, book)
    return lines
