"""The park report: a Markdown summary and CSV tables (pandas) in one folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tanlian import fmt
from tanlian.lca.accounting.park import PARK_TOTALS
from tanlian.lca.accounting.scope import enterprise_account
from tanlian.lca.core.result import LcaResult

#: Excel (Chinese locales included) reads a CSV as UTF-8 only with a byte-order mark.
CSV_ENCODING = "utf-8-sig"
#: What a member's net adds up from (removals subtract); ``{method}``: the Scope 2 method in the net.
NET_PARTS = ("scope1_kgco2e", "scope2_{method}_kgco2e", "scope3_upstream_kgco2e", "scope3_downstream_kgco2e")


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """A table as CSV with a UTF-8 BOM, numbers raw (full precision)."""
    df.to_csv(path, index=False, encoding=CSV_ENCODING)
    return path


def members_markdown(inventory: dict) -> list[str]:
    """The members table: every term of each member's net, the net and its share."""
    method = inventory["scope2_method"]
    cols = [p.format(method=method) for p in NET_PARTS] + ["removals_kgco2e", "net_kgco2e"]
    rows = inventory["by_enterprise"]
    div, unit = fmt.co2e_scale(r[k] for r in rows for k in cols)
    md = [
        f"Net = Scope 1 + Scope 2 ({method}) + Scope 3 upstream + Scope 3 downstream − removals, in {unit}.",
        "",
        f"| enterprise | scope 1 | scope 2 {method} | scope 3 up | scope 3 down | removals | net | share |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    md += [
        f"| {r['enterprise']} {r['name'].replace('|', '/')} | "
        + " | ".join(fmt.number(r[k] / div) for k in cols)
        + f" | {fmt.percent(r['share'])} |"
        for r in rows
    ]
    return md


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
    write_csv(pd.DataFrame(inventory["by_enterprise"]), out / "members.csv")
    write_csv(pd.DataFrame(inventory["indicators"]), out / "indicators.csv")
    lines = [
        dict(enterprise=r["enterprise"], **ln)
        for r in inventory["by_enterprise"]
        for ln in enterprise_account(result, r["enterprise"])["lines"]
    ]
    write_csv(pd.DataFrame(lines), out / "scope3_lines.csv")
    write_csv(product_table(result), out / "products.csv")
    div, unit = fmt.co2e_scale(inventory[k] for k in PARK_TOTALS)
    md = [
        f"# {inventory['name']} ({inventory['park']}) — carbon inventory {inventory['year']}",
        "",
        f"GWP set {inventory['gwp']}; Scope 2 method in the net: {inventory['scope2_method']}.",
        "",
        f"| item | {unit} |",
        "|---|---:|",
    ]
    md += [f"| {k.removesuffix('_kgco2e').replace('_', ' ')} | {fmt.number(inventory[k] / div)} |" for k in PARK_TOTALS]
    md += [
        "",
        "## Indicators (1+5)",
        "",
        "| indicator | value | threshold | passed | reason |",
        "|---|---:|---:|---|---|",
    ]
    md += [
        f"| {i['name']} | {fmt.quantity(i['value'], i['unit'])} | {fmt.number(i['threshold'])} | "
        f"{fmt.yes_no(i['passed'])} | {i['reason'] or ''} |"
        for i in inventory["indicators"]
    ]
    md += ["", "## Members", "", *members_markdown(inventory)]
    if inventory["warnings"]:
        md += ["", "## Warnings", "", *(f"- {w}" for w in inventory["warnings"])]
    md += ["", "Tables (CSV, UTF-8 with BOM, kgCO2e): members.csv, indicators.csv, scope3_lines.csv, products.csv."]
    (out / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    return out
