"""Zero-carbon park "1+5" indicators (发改环资〔2025〕910号); thresholds are data (seed_data/indicators.csv).

Energy in tce: fuels by net calorific value, heat and steam by enthalpy, electricity at the
configured kgce/kWh (seed_data/energy_tce.csv). Energy bought from another park member is not
counted again (its maker's fuel already is); energy members supply outside the park is deducted,
with the CO2 of its generation (GB/T 2589-2020: comprehensive consumption net of energy supplied
out). An indicator without data is ``null`` with the reason, never passed.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from tanlian.lca.accounting.park import Boundary, boundary
from tanlian.lca.accounting.scope import energy_inflows
from tanlian.lca.core.result import LcaResult
from tanlian.seed_data.library import indicator_thresholds, seed_path
from tanlian.units import conversion_factor

CLEAN_CLASSES = {"clean_electricity"}
RATIO_COLUMNS = {  # indicator id → (numerator column, denominator column) on enterprises.csv
    "solid_waste_utilisation": ("solid_waste_utilised_t", "solid_waste_t"),
    "waste_heat_utilisation": ("waste_heat_utilised_gj", "waste_heat_gj"),
    "water_reuse": ("water_reused_m3", "water_use_m3"),
}


@lru_cache
def tce_table() -> pd.DataFrame:
    return pd.read_csv(seed_path("energy_tce.csv"), keep_default_na=False).set_index("factor")


def _kgce(item: str, qty: float, unit: str, kgce_per_kwh: float, electricity: bool) -> float | None:
    """kgce of an amount of energy: electricity at ``kgce_per_kwh``, else the tce table (None: unknown)."""
    if electricity:
        return qty * conversion_factor(unit, "kWh") * kgce_per_kwh
    t = tce_table()
    if item not in t.index:
        return None
    return qty * conversion_factor(unit, t.at[item, "unit"]) * float(t.at[item, "kgce_per_unit"])


def _energy_product_kgce(unit: str, qty: float, kgce_per_kwh: float) -> float:
    """kgce of an energy product of the graph: electricity by Wh units, else heat/steam by enthalpy."""
    return _kgce("steam_purchased", qty, unit, kgce_per_kwh, _is_power(unit)) or 0.0


def _is_power(unit: str) -> bool:
    """Energy products sold in Wh units are electricity; others (GJ, MJ) heat or steam."""
    return unit.strip().endswith("Wh")


def energy_use(result: LcaResult, b: Boundary, kgce_per_kwh: float) -> dict:
    """Park energy consumption in tce: total, clean part, and CO2 of energy (t)."""
    g, book = result.graph, result.book
    total = clean = 0.0
    missing: list[str] = []
    uncounted: set[str] = set()  # members with an energy input that could not be put in tce
    for a in g.activities.values():
        if a.enterprise not in b.members or a.type not in ("fuel", "electricity", "heat", "steam"):
            continue
        kgce = _kgce(a.item, a.quantity, a.unit, kgce_per_kwh, a.type == "electricity")
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
    bought = [(p, q) for e in b.members for _, p, q in energy_inflows(result, e) if not b.inside(p.enterprise)]
    total += sum(_energy_product_kgce(p.unit, q, kgce_per_kwh) for p, q in bought)
    co2 = sum(
        ln.kg
        for ln in result.system.lines
        if ln.enterprise in b.members
        and ln.gas == "CO2"
        and ln.part == "direct"
        and ln.scope2_method in (None, "market")
        and g.activities.get(ln.source) is not None
        and g.activities[ln.source].type != "process"
    )
    co2 += sum(q * _direct_co2(result, p.id) for p, q in bought)  # at the outside seller's direct CO2
    # energy supplied out is deducted only where the energy that made it was counted in
    exported = [(p, q) for p, q in energy_exports(result, b) if p.enterprise not in uncounted]
    exported_kgce = sum(_energy_product_kgce(p.unit, q, kgce_per_kwh) for p, q in exported)
    co2 -= sum(q * _direct_co2(result, p.id) for p, q in exported)
    return {
        "tce": (total - exported_kgce) / 1000.0,
        "clean_tce": clean / 1000.0,
        "energy_co2_t": co2 / 1000.0,
        "exported_tce": exported_kgce / 1000.0,
        "missing": sorted(set(missing)),
    }


def _direct_co2(result: LcaResult, product_id: str) -> float:
    """kg of CO2 per unit of an energy product from its maker's own Scope 1 + 2 (generation)."""
    s = result.system
    return float(s.b_direct[result.idx(product_id), s.gases.index("CO2")]) if "CO2" in s.gases else 0.0


def energy_exports(result: LcaResult, b: Boundary):
    """(product, quantity in its unit) of energy that members supply outside the park: each member
    energy product's output less what members take of it (flows to outside enterprises, sales, and
    the rest sold outside the graph, DECISIONS 11). GB/T 2589-2020 counts comprehensive energy
    consumption net of energy supplied out."""
    g = result.graph
    inside: dict[str, float] = {}
    for f in g.flows.values():
        p = g.products.get(f.source)
        if p is not None and p.kind == "energy" and b.inside(f.to):
            inside[p.id] = inside.get(p.id, 0.0) + result.edge_quantity(f.id)[0]
    for p in g.products.values():
        if p.kind == "energy" and b.inside(p.enterprise):
            out = p.output - inside.get(p.id, 0.0)
            if out > 0:
                yield p, out


def _threshold(ind_id: str, tce: float) -> tuple[dict | None, str | None]:
    t = indicator_thresholds()
    rows = t[t["id"] == ind_id]
    if rows.empty:
        return None, "no threshold in seed_data/indicators.csv"
    for _, r in rows.iterrows():
        lo = float(r["applies_min_tce"]) if str(r["applies_min_tce"]) else None
        hi = float(r["applies_max_tce"]) if str(r["applies_max_tce"]) else None
        if (lo is None and hi is None) or ((lo is None or tce >= lo) and (hi is None or tce < hi)):
            return r.to_dict(), None
    lo = min(float(x) for x in rows["applies_min_tce"] if str(x))
    return rows.iloc[0].to_dict(), f"park uses {tce:,.0f} tce/yr, below the {lo:,.0f} tce/yr the threshold applies to"


def _indicator(ind_id: str, name: str, value: float | None, unit: str, tce: float, reason: str | None) -> dict:
    row, why = _threshold(ind_id, tce)
    threshold = None if why or row is None or row.get("threshold") in ("", None) else float(row["threshold"])
    passed = None
    if value is not None and threshold is not None:
        passed = value <= threshold if row["comparison"] == "<=" else value >= threshold
    return {
        "id": ind_id,
        "name": name if row is None else f"{row['name_zh']} {name}",
        "value": value,
        "unit": unit,
        "threshold": threshold,
        "passed": passed,
        "reason": reason or why,
        "gate": bool(row is not None and str(row.get("gate")).lower() == "true"),
    }


def park_indicators(result: LcaResult, park: str, kgce_per_kwh: float = 0.1229) -> list[dict]:
    """The six indicators of the park for the year, each with value, threshold and verdict."""
    b = boundary(result, park)
    en = energy_use(result, b, kgce_per_kwh)
    tce = en["tce"]
    basis = f"electricity at {kgce_per_kwh} kgce/kWh; energy CO2 with market-based Scope 2"
    out = [
        _indicator(
            "carbon_per_energy",
            "carbon per energy",
            en["energy_co2_t"] / tce if tce else None,
            "tCO2/tce",
            tce,
            None if tce else "no energy consumption data",
        ),
        _indicator(
            "clean_energy_share",
            "clean energy share",
            100 * en["clean_tce"] / tce if tce else None,
            "%",
            tce,
            None if tce else "no energy consumption data",
        ),
        _indicator(
            "product_energy_intensity",
            "product energy intensity",
            None,
            "",
            tce,
            "needs the product-specific national energy-consumption limit standards (GB 单位产品能耗限额), "
            "which the data does not carry",
        ),
    ]
    members = [result.graph.enterprises[e] for e in sorted(b.members)]
    for ind_id, (num, den) in RATIO_COLUMNS.items():
        nums = [float(e.model_extra.get(num)) for e in members if e.model_extra.get(num) not in (None, "")]
        dens = [float(e.model_extra.get(den)) for e in members if e.model_extra.get(den) not in (None, "")]
        value = 100 * sum(nums) / sum(dens) if dens and nums and sum(dens) else None
        reason = None if value is not None else f"no {num}/{den} data for park members"
        out.append(_indicator(ind_id, ind_id.replace("_", " "), value, "%", tce, reason))
    for ind in out:
        ind["basis"] = basis
    out[0]["energy_tce"] = tce
    if en["missing"]:
        out[0]["reason"] = (out[0]["reason"] or "") + f" no tce conversion for {en['missing']}"
    return out
