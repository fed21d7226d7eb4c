"""A park's energy use (tce) and energy CO2 for the core indicator (发改环资〔2025〕910号).

Energy in tce: fuels by net calorific value, electricity at the configured kgce/kWh, heat, steam
and cooling by enthalpy (seed_data/energy_tce.csv, GB/T 2589-2020 附录A). Energy CO2 is CO2
only, from fuel combustion and energy use (process CO2 excluded), with market-based Scope 2
whatever the ``--scope2`` option. Both sides use that one basis: energy bought from outside the
park counts at its seller's energy CO2 per unit, and energy that members supply outside the park
is deducted (GB/T 2589-2020: comprehensive consumption net of energy supplied out) with the
energy CO2 per unit of its maker, solved gate to gate (``lca.core.gate``). Energy bought from
another member is not counted again (its maker's fuel already is); fuels sold in the graph are
neither (the buyer's own fuel activity counts them).
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

import numpy as np
import pandas as pd

from tanlian.graph.model import Product
from tanlian.lca.accounting.park import Boundary
from tanlian.lca.accounting.scope import energy_inflows
from tanlian.lca.core.burden import BurdenLine
from tanlian.lca.core.gate import allocated, gate_to_gate
from tanlian.lca.core.result import LcaResult
from tanlian.seed_data.library import seed_path
from tanlian.units import conversion_factor, convertible

ENERGY_ACTIVITIES = ("fuel", "electricity", "heat", "steam")
CLEAN_CLASSES = {"clean_electricity"}
ENTHALPY_ROW = {"heat": "heat_purchased", "steam": "steam_purchased", "cooling": "heat_purchased"}
BASIS = (
    "electricity at {k} kgce/kWh, heat, steam and cooling by enthalpy; energy CO2 = CO2 of fuel "
    "combustion and energy use (process CO2 excluded), market-based Scope 2; energy supplied out "
    "of the park deducted in tce and at its maker's energy CO2 (GB/T 2589-2020)"
)


@lru_cache
def tce_table() -> pd.DataFrame:
    return pd.read_csv(seed_path("energy_tce.csv"), keep_default_na=False).set_index("factor")


def _kgce(item: str, qty: float, unit: str) -> float | None:
    """kgce of ``qty`` ``unit`` of a tce-table item (None: not in the table)."""
    t = tce_table()
    if item not in t.index:
        return None
    return qty * conversion_factor(unit, t.at[item, "unit"]) * float(t.at[item, "kgce_per_unit"])


def activity_kgce(item: str, qty: float, unit: str, kgce_per_kwh: float, electricity: bool) -> float | None:
    """kgce of an energy activity: electricity at ``kgce_per_kwh``, else the tce table."""
    if electricity:
        return qty * conversion_factor(unit, "kWh") * kgce_per_kwh
    return _kgce(item, qty, unit)


def product_kgce(p: Product, qty: float, kgce_per_kwh: float) -> float | None:
    """kgce of ``qty`` units of a Scope-2 energy product, by its carrier (None: no energy content:
    a unit that is no energy and no ``energy_mj``)."""
    if p.carrier == "electricity":
        return qty * conversion_factor(p.unit, "kWh") * kgce_per_kwh
    if convertible(p.unit, "GJ"):
        return _kgce(ENTHALPY_ROW[p.carrier], qty, p.unit)
    if p.energy_mj:
        return _kgce(ENTHALPY_ROW[p.carrier], qty * p.energy_mj, "MJ")
    return None


def is_energy_co2(ln: BurdenLine, activity_types: dict[str, str]) -> bool:
    """A market-based Scope 1/2 CO2 line of fuel or energy use (not process CO2)."""
    return (
        ln.gas == "CO2"
        and ln.part == "direct"
        and ln.scope2_method in (None, "market")
        and activity_types.get(ln.source) in ENERGY_ACTIVITIES
    )


def energy_co2_per_unit(result: LcaResult) -> np.ndarray:
    """(n,) kg of energy CO2 per unit of each product, gate to gate (own use + bought graph energy)."""
    g, s = result.graph, result.system
    types = {a.id: a.type for a in g.activities.values()}
    kg: dict[str, float] = defaultdict(float)
    for ln in s.lines:
        if is_energy_co2(ln, types):
            kg[ln.enterprise] += ln.kg
    return gate_to_gate(s, g, allocated(s, g, kg))


def energy_exports(result: LcaResult, b: Boundary):
    """(product, quantity in its unit) of electricity, heat, steam and cooling that members supply
    outside the park: each such member product's output less what members take of it (flows to
    outside enterprises, sales, and the rest sold outside the graph, DECISIONS 11)."""
    g = result.graph
    inside: dict[str, float] = defaultdict(float)
    for f in g.flows.values():
        p = g.products.get(f.source)
        if p is not None and p.scope2_energy and b.inside(f.to):
            inside[p.id] += result.edge_quantity(f.id)[0]
    for p in g.products.values():
        if p.scope2_energy and b.inside(p.enterprise):
            out = p.output - inside[p.id]
            if out > 0:
                yield p, out


def energy_use(result: LcaResult, b: Boundary, kgce_per_kwh: float) -> dict:
    """Park energy consumption in tce (total net of energy supplied out, clean part) and energy CO2 (t)."""
    g, book = result.graph, result.book
    total = clean = co2 = 0.0
    missing: list[str] = []
    uncounted: set[str] = set()  # members with an energy input that could not be put in tce
    for a in g.activities.values():
        if a.enterprise not in b.members or a.type not in ENERGY_ACTIVITIES:
            continue
        kgce = activity_kgce(a.item, a.quantity, a.unit, kgce_per_kwh, a.type == "electricity")
        if kgce is None:
            missing.append(a.item)
            uncounted.add(a.enterprise)
            continue
        total += kgce
        if a.type == "electricity":
            f = None if a.item == "grid" else book.get(a.item)
            if f is not None and f.group in CLEAN_CLASSES:
                clean += kgce
            elif a.green_mwh:
                clean += min(a.green_mwh * 1000.0, a.quantity * conversion_factor(a.unit, "kWh")) * kgce_per_kwh
    types = {a.id: a.type for a in g.activities.values()}
    co2 += sum(ln.kg for ln in result.system.lines if ln.enterprise in b.members and is_energy_co2(ln, types))
    e_co2 = energy_co2_per_unit(result)
    for e in sorted(b.members):
        for _, p, q in energy_inflows(result, e):
            if b.inside(p.enterprise):
                continue
            kgce = product_kgce(p, q, kgce_per_kwh)
            if kgce is None:
                missing.append(p.id)
                uncounted.add(e)
                continue
            total += kgce
            co2 += q * float(e_co2[result.idx(p.id)])
    exported_kgce = 0.0
    for p, q in energy_exports(result, b):
        kgce = product_kgce(p, q, kgce_per_kwh)
        if kgce is None or p.enterprise in uncounted:
            continue  # deducted only where the energy that made it was counted in
        exported_kgce += kgce
        co2 -= q * float(e_co2[result.idx(p.id)])
    return {
        "tce": (total - exported_kgce) / 1000.0,
        "clean_tce": clean / 1000.0,
        "energy_co2_t": max(co2, 0.0) / 1000.0,  # one basis on both sides: below 0 only by rounding
        "exported_tce": exported_kgce / 1000.0,
        "missing": sorted(set(missing)),
        "basis": BASIS.format(k=kgce_per_kwh),
    }
