"""Scope 1, 2 and 3 of one enterprise for the accounting year, one Scope 3 line per source.

All amounts in kgCO2e per year. Scope 3 lines: categories 1/2 (incoming flows), 3 (upstream of
fuels and power; the non-generation part of energy bought from graph enterprises), 4 (transport
of inputs), 5 (waste treatment), 9 (transport of sales), 11 (use of sold products), 12
(end-of-life of sold products). Electricity, heat, steam and cooling bought from a graph
enterprise are Scope 2 at the seller's direct emissions per unit (DECISIONS 14), the rest of
their intensity Category 3; a fuel bought in the graph is Category 1 (its combustion is the
buyer's own fuel activity, Scope 1). An enterprise's own products consumed in-house are no
purchase: they appear in neither Scope 2 nor Scope 3 (their emissions are its own Scope 1/2).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tanlian.errors import NotFound
from tanlian.graph.model import Graph, Sale
from tanlian.lca.core.burden import BurdenLine, purchase_category
from tanlian.lca.core.factors import UNSPECIFIED
from tanlian.lca.core.result import LcaResult
from tanlian.lca.core.sharing import class_average, shares_footprints
from tanlian.lca.core.transport import freight
from tanlian.units import conversion_factor

SUPPLIER_SPECIFIC = "supplier-specific"


@dataclass
class Scope3Line:
    """One source of an enterprise's Scope 3 (kgCO2e per year)."""

    category: int
    counterpart: str  # product id, factor:<id> / factor id, or customer
    supplier: str | None  # enterprise making the counterpart product, when in the graph
    source: str  # flow / activity / sale id
    quantity: float
    unit: str
    method: str
    kgco2e: float
    primary: bool
    by_gas: dict[str, float] = field(default_factory=dict)

    def record(self) -> dict:
        return {
            "category": self.category,
            "counterpart": self.counterpart,
            "supplier": self.supplier,
            "source": self.source,
            "quantity": self.quantity,
            "unit": self.unit,
            "method": self.method,
            "kgco2e": self.kgco2e,
            "primary": self.primary,
        }


def _gas_dict(result: LcaResult, row) -> dict[str, float]:
    return {g: float(v) for g, v in zip(result.system.gases, row, strict=True) if v}


def _co2e(result: LcaResult, ln: BurdenLine) -> float:
    return ln.kg * result.book.gwp_of(ln.gas)


def own_lines(result: LcaResult, enterprise: str) -> list[BurdenLine]:
    """The enterprise's burden lines (both Scope 2 methods)."""
    return result.lines_by_enterprise.get(enterprise, [])


def energy_inflows(result: LcaResult, enterprise: str):
    """(flow, product, quantity in product unit) of electricity, heat, steam and cooling bought
    from other graph enterprises (the buyer's Scope 2)."""
    graph = result.graph
    for fid in result.inflows.get(enterprise, []):
        f = graph.flows[fid]
        p = graph.products.get(f.source)
        if p is not None and p.scope2_energy and p.enterprise != enterprise:
            yield f, p, result.edge_quantity(f.id)[0]


def hidden(result: LcaResult, p, shared_only: bool) -> bool:
    """In a customer's own view, the maker of ``p`` does not share footprints (DECISIONS 21) and
    no supplier footprint of ``p`` was imported (an imported one is shared by definition)."""
    return shared_only and p.id not in result.overrides and not shares_footprints(result.graph, p.id)


def bought_energy_direct(result: LcaResult, p, shared_only: bool = False) -> float | None:
    """kgCO2e per unit of a bought Scope-2 energy product that its buyer counts in Scope 2: the
    seller's direct emissions per unit; in the buyer's own view of a seller that does not share,
    the class average of direct (None: no class average, a data gap). The Category 3 line of the
    same purchase uses the same basis (:func:`upstream_lines`)."""
    if not hidden(result, p, shared_only):
        return float(result.direct[result.idx(p.id)])
    avg = class_average(result, p.id, per_unit=result.direct, energy_part="direct")
    return None if avg is None else avg.kgco2e_per_unit


def upstream_lines(result: LcaResult, enterprise: str, shared_only: bool = False) -> list[Scope3Line]:
    """Scope 3 categories 1–5 of ``enterprise``.

    ``shared_only`` (the enterprise's own view, DECISIONS 21): inputs from a supplier that does not
    share footprints are valued at the class average of their product (``average-data``), or
    reported as a data gap (0 kgCO2e, a warning) when no class average exists.
    """
    g = result.graph
    lines: list[Scope3Line] = []
    for fid in result.inflows.get(enterprise, []):
        f = g.flows[fid]
        p = g.products.get(f.source)
        if p is None or p.enterprise == enterprise:
            continue  # an own product consumed in-house is no purchase
        q, unit = result.edge_quantity(f.id)
        j = result.idx(p.id)
        cat = purchase_category(f, p)
        if hidden(result, p, shared_only):
            lines.append(_not_shared_line(result, f.id, p, q, unit, cat))
            continue
        # of bought electricity, heat, steam, cooling: the part beyond the seller's direct (Category 3)
        row = result.Y[j] - result.direct_by_gas[j] if p.scope2_energy else result.Y[j]
        gases = _gas_dict(result, q * row)
        lines.append(
            Scope3Line(cat, p.id, p.enterprise, f.id, q, unit, SUPPLIER_SPECIFIC, sum(gases.values()), True, gases)
        )
    grouped: dict[tuple, list[BurdenLine]] = defaultdict(list)
    for ln in own_lines(result, enterprise):
        if ln.scope == 3:
            grouped[(ln.source, ln.counterpart, ln.category)].append(ln)
    for (source, counterpart, cat), lns in sorted(grouped.items(), key=lambda kv: (kv[0][2], kv[0][0])):
        gases: dict[str, float] = defaultdict(float)
        for ln in lns:
            gases[ln.gas] += _co2e(result, ln)
        lines.append(
            Scope3Line(
                cat,
                counterpart,
                None,
                source,
                lns[0].quantity,
                lns[0].unit,
                lns[0].method,
                sum(gases.values()),
                False,
                dict(gases),
            )
        )
    return lines


def _not_shared_line(result: LcaResult, flow_id: str, p, q: float, unit: str, cat: int) -> Scope3Line:
    """A purchase from a supplier that does not share: class-average data, or a stated data gap.
    Of Scope-2 energy, the class average beyond the class-average direct part (Category 3)."""
    avg = class_average(result, p.id)
    if avg is None:
        return Scope3Line(cat, p.id, p.enterprise, flow_id, q, unit, "data-gap (not shared)", 0.0, False, {})
    per_unit = avg.kgco2e_per_unit - (bought_energy_direct(result, p, True) if p.scope2_energy else 0.0)
    kg = q * per_unit
    return Scope3Line(cat, p.id, p.enterprise, flow_id, q, unit, "average-data", kg, False, {UNSPECIFIED: kg})


def sale_lines(result: LcaResult, sale: Sale) -> list[Scope3Line]:
    """Downstream lines of one sale: transport (9), use-phase electricity (11), end-of-life (12)."""
    g, book = result.graph, result.book
    p = g.products[sale.product]
    qty = sale.quantity * conversion_factor(sale.unit, p.unit)
    out = []

    def mass_t() -> float:  # only transport and a per-mass end-of-life need it (checked at import)
        return qty * (conversion_factor(p.unit, "t") if p.mass_kg is None else p.mass_kg / 1000.0)

    def add(cat: int, factor, amount: float, unit: str, method: str) -> None:
        gases = {gas: amount * kg * book.gwp_of(gas) for gas, kg in book.gas_split(factor).items() if kg}
        out.append(
            Scope3Line(cat, sale.customer, None, sale.id, amount, unit, method, sum(gases.values()), False, gases)
        )

    if sale.distance_km and sale.mode:
        tf, tkm = freight(book, sale.mode, mass_t(), sale.distance_km)
        add(9, tf, tkm, tf.unit, "distance-based")
    if sale.use_kwh_per_unit:
        grid = book.grid("CN")
        add(11, grid, qty * sale.use_kwh_per_unit * conversion_factor("kWh", grid.unit), grid.unit, "average-data")
    if sale.eol:
        f = book.get(sale.eol)
        try:
            amount = qty * conversion_factor(p.unit, f.unit)
        except ValueError:
            amount = mass_t() * conversion_factor("t", f.unit)
        add(12, f, amount, f.unit, "average-data")
    return out


def scope3_lines(result: LcaResult, enterprise: str, shared_only: bool = False) -> list[Scope3Line]:
    """Every Scope 3 line of ``enterprise``: upstream (1–5) and downstream (9, 11, 12)."""
    lines = upstream_lines(result, enterprise, shared_only)
    for sale in sorted(result.graph.sales.values(), key=lambda s: s.id):
        p = result.graph.products.get(sale.product)
        if p is not None and p.enterprise == enterprise:
            lines += sale_lines(result, sale)
    return lines


def scope1_by_gas(result: LcaResult, enterprise: str) -> dict[str, float]:
    gases: dict[str, float] = defaultdict(float)
    for ln in own_lines(result, enterprise):
        if ln.scope == 1:
            gases[ln.gas] += _co2e(result, ln)
    return dict(gases)


def scope2(result: LcaResult, enterprise: str, method: str, energy_from=None, shared_only: bool = False) -> float:
    """Scope 2 (kgCO2e): own activities under ``method`` + bought graph energy × seller's direct/unit.

    ``energy_from``: optional predicate on the seller enterprise id (the park counts outside sellers only).
    ``shared_only``: the enterprise's own view (:func:`bought_energy_direct`; a data gap counts 0).
    """
    own = sum(
        _co2e(result, ln)
        for ln in own_lines(result, enterprise)
        if ln.scope == 2 and ln.scope2_method in (None, method)
    )
    bought = sum(
        q * (bought_energy_direct(result, p, shared_only) or 0.0)
        for _, p, q in energy_inflows(result, enterprise)
        if energy_from is None or energy_from(p.enterprise)
    )
    return own + bought


def removals(graph: Graph, enterprise: str) -> float:
    """CO2 removed by the enterprise in the year (kg), as a positive number."""
    return sum(
        a.quantity * conversion_factor(a.unit, "kg")
        for a in graph.activities.values()
        if a.enterprise == enterprise and a.type == "removal"
    )


def enterprise_account(result: LcaResult, enterprise: str, shared_only: bool = False) -> dict:
    """The Scope 1/2/3 account of one enterprise (JSON of ``tanlian scope``).

    ``shared_only``: as the enterprise itself may see it (suppliers that do not share → class
    averages); park admins, auditors and the CLI see the real data.
    """
    if enterprise not in result.graph.enterprises:
        raise NotFound("enterprise", enterprise)
    s1 = scope1_by_gas(result, enterprise)
    lines = scope3_lines(result, enterprise, shared_only)
    gaps = [ln.counterpart for ln in lines if ln.method.startswith("data-gap")]
    scopes = {p: "Scope 2 and 3" if result.graph.products[p].scope2_energy else "Scope 3" for p in gaps}
    by_cat: dict[str, float] = defaultdict(float)
    for ln in lines:
        by_cat[str(ln.category)] += ln.kgco2e
    s3 = sum(ln.kgco2e for ln in lines)
    primary = sum(ln.kgco2e for ln in lines if ln.method == SUPPLIER_SPECIFIC)
    return {
        "enterprise": enterprise,
        "name": result.graph.enterprises[enterprise].name,
        "year": result.graph.year,
        "gwp": result.system.gwp_set,
        "scope2_method": result.system.scope2,
        "scope1_kgco2e": sum(s1.values()),
        "scope1_by_gas": s1,
        "scope2_location_kgco2e": scope2(result, enterprise, "location", shared_only=shared_only),
        "scope2_market_kgco2e": scope2(result, enterprise, "market", shared_only=shared_only),
        "scope3_kgco2e": s3,
        "scope3_by_category": dict(sorted(by_cat.items(), key=lambda kv: int(kv[0]))),
        "primary_data_share": primary / s3 if s3 else None,
        "removals_kgco2e": removals(result.graph, enterprise),
        "lines": [ln.record() for ln in lines],
        "warnings": [f"{scopes[p]} understated: no shared or class-average footprint for {p}" for p in gaps],
    }
