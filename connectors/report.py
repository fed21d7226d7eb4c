"""The park report: a Markdown summary and CSV tables (pandas) in one folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tanlian.lca.accounting.park import PARK_TOTALS
from tanlian.lca.accounting.scope import enterprise_account
from tanlian.lca.core.result import LcaResult


def _fmt(v) -> str:
    return "–" if v is None else (f"{v:,.3g}" if isinstance(v, float) else str(v))


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def product_table(result: LcaResult) -> pd.DataFrame:
    """One row per product: kgCO2e per declared unit, total, direct (the maker's Scope 1 + 2) and upstream."""
    s, g = result.system, result.graph
    products = [g.products[p] for p in s.products]
    return pd.DataFrame(
        {
            "product": s.products,
            "name": [p.name for p in products],
            "enterprise": [p.enterprise for p in products],
            "unit": [p.unit for p in products],
            "kgco2e_per_unit": result.intensity,
            "direct_kgco2e_per_unit": result.direct,
            "upstream_kgco2e_per_unit": result.intensity - result.direct,
            "gwp": s.gwp_set,
            "scope2_method": s.scope2,
            "allocation": [s.allocations[p.enterprise].rule for p in products],
        }
    )


def write_report(result: LcaResult, inventory: dict, out: Path) -> Path:
    """Write ``report.md``, ``members.csv``, ``indicators.csv``, ``scope3_lines.csv``, ``products.csv``."""
    out.mkdir(parents=True, exist_ok=True)
    members = pd.DataFrame(inventory["by_enterprise"])
    members.to_csv(out / "members.csv", index=False)
    pd.DataFrame(inventory["indicators"]).to_csv(out / "indicators.csv", index=False)
    lines = [
        dict(enterprise=r["enterprise"], **ln)
        for r in inventory["by_enterprise"]
        for ln in enterprise_account(result, r["enterprise"])["lines"]
    ]
    pd.DataFrame(lines).to_csv(out / "scope3_lines.csv", index=False)
    product_table(result).to_csv(out / "products.csv", index=False)
    md = [
        f"# {inventory['name']} ({inventory['park']}) — carbon inventory {inventory['year']}",
        "",
        f"GWP set {inventory['gwp']}; Scope 2 method in the net: {inventory['scope2_method']}.",
        "",
        "| item | tCO2e |",
        "|---|---:|",
    ]
    md += [f"| {k.removesuffix('_kgco2e').replace('_', ' ')} | {inventory[k] / 1000:,.1f} |" for k in PARK_TOTALS]
    md += [
        "",
        "## Indicators (1+5)",
        "",
        "| indicator | value | threshold | passed | reason |",
        "|---|---:|---:|---|---|",
    ]
    md += [
        f"| {i['name']} | {_fmt(i['value'])} {i['unit']} | {_fmt(i['threshold'])} | {_fmt(i['passed'])} | "
        f"{i['reason'] or ''} |"
        for i in inventory["indicators"]
    ]
    md += ["", "## Members", "", "| enterprise | net tCO2e | share |", "|---|---:|---:|"]
    md += [
        f"| {r['enterprise']} {r['name']} | {r['net_kgco2e'] / 1000:,.1f} | {_pct(r['share'])} |"
        for r in inventory["by_enterprise"]
    ]
    if inventory["warnings"]:
        md += ["", "## Warnings", "", *(f"- {w}" for w in inventory["warnings"])]
    md += ["", "Tables: members.csv, indicators.csv, scope3_lines.csv, products.csv."]
    (out / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    return out
