"""Zero-carbon park "1+5" indicators (发改环资〔2025〕910号); thresholds are data (seed_data/indicators.csv).

The core indicator is energy CO2 per tce of net energy use (``energy.py`` states the basis);
ratio indicators add numerator and denominator over the same members (those reporting both
columns). An indicator without data is ``null`` with the reason, never passed; no value is
negative.
"""

from __future__ import annotations

from tanlian.lca.accounting.energy import energy_use
from tanlian.lca.accounting.park import boundary
from tanlian.lca.core.result import LcaResult
from tanlian.seed_data.library import indicator_thresholds

RATIO_COLUMNS = {  # indicator id → (numerator column, denominator column) on enterprises.csv
    "solid_waste_utilisation": ("solid_waste_utilised_t", "solid_waste_t"),
    "waste_heat_utilisation": ("waste_heat_utilised_gj", "waste_heat_gj"),
    "water_reuse": ("water_reused_m3", "water_use_m3"),
}


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


def _reported(e, column: str) -> float | None:
    value = e.model_extra.get(column)
    return None if value in (None, "") else float(value)


def ratio_indicator(ind_id: str, members: list, tce: float) -> dict:
    """100 × Σ numerator / Σ denominator over the members that report both columns."""
    num, den = RATIO_COLUMNS[ind_id]
    pairs = {e.id: (_reported(e, num), _reported(e, den)) for e in members}
    both = {k: v for k, v in pairs.items() if None not in v}
    partial = sorted(k for k, (n, d) in pairs.items() if (n is None) != (d is None))
    den_sum = sum(d for _, d in both.values())
    value = 100 * sum(n for n, _ in both.values()) / den_sum if den_sum else None
    reasons = [] if value is not None else [f"no member reports both {num} and a non-zero {den}"]
    if partial:
        reasons.append(f"left out of both sums (only one of {num}, {den}): {', '.join(partial)}")
    out = _indicator(ind_id, ind_id.replace("_", " "), value, "%", tce, "; ".join(reasons) or None)
    out["basis"] = f"members reporting both {num} and {den}: {len(both)} of {len(members)}"
    return out


def park_indicators(result: LcaResult, park: str, kgce_per_kwh: float = 0.1229) -> list[dict]:
    """The six indicators of the park for the year, each with value, threshold, verdict and basis."""
    b = boundary(result, park)
    en = energy_use(result, b, kgce_per_kwh)
    tce = en["tce"]
    no_energy = None if tce > 0 else "no net energy consumption (energy data missing, or more supplied out than used)"
    out = [
        _indicator(
            "carbon_per_energy",
            "carbon per energy",
            en["energy_co2_t"] / tce if tce > 0 else None,
            "tCO2/tce",
            tce,
            no_energy,
        ),
        _indicator(
            "clean_energy_share",
            "clean energy share",
            100 * en["clean_tce"] / tce if tce > 0 else None,
            "%",
            tce,
            no_energy,
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
    for ind in out:
        ind["basis"] = en["basis"]
    members = [result.graph.enterprises[e] for e in sorted(b.members)]
    out += [ratio_indicator(ind_id, members, tce) for ind_id in RATIO_COLUMNS]
    out[0]["energy_tce"] = tce
    if en["missing"]:
        out[0]["reason"] = (out[0]["reason"] or "") + f" no tce conversion for {en['missing']}"
    return out
