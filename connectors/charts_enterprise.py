"""Figures of one enterprise or product: Scope 1/2/3 by category, top suppliers, primary-data
share, product footprint with its uncertainty band (pure functions of the API's bodies)."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from tanlian.connectors.chart_style import COLORS, style, tonnes
from tanlian.connectors.chart_text import category, short_name, text


def scope_category_figure(account: Mapping, lang: str) -> go.Figure:
    """An enterprise's Scope 1, Scope 2 (both methods) and Scope 3 by category (tCO2e/yr)."""
    bars = [
        (text("scope1", lang), tonnes(account["scope1_kgco2e"]), COLORS["scope1"]),
        (text("scope2_location", lang), tonnes(account["scope2_location_kgco2e"]), COLORS["scope2"]),
        (text("scope2_market", lang), tonnes(account["scope2_market_kgco2e"]), COLORS["scope2"]),
    ]
    for cat, kg in sorted(account["scope3_by_category"].items(), key=lambda kv: int(kv[0])):
        color = COLORS["scope3_downstream" if int(cat) >= 9 else "scope3_upstream"]
        bars.append((category(int(cat), lang), tonnes(kg), color))
    if account.get("removals_kgco2e"):
        bars.append((text("removals", lang), -tonnes(account["removals_kgco2e"]), COLORS["removals"]))
    bars.reverse()
    fig = go.Figure(
        go.Bar(
            y=[b[0] for b in bars],
            x=[b[1] for b in bars],
            orientation="h",
            marker_color=[b[2] for b in bars],
            text=[f"{b[1]:,.0f}" for b in bars],
            textposition="auto",
            hovertemplate="%{y}: %{x:,.0f} tCO2e<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=text("t_per_year", lang))
    fig.update_yaxes(automargin=True)
    return style(fig, text("scope_by_category", lang), height=max(320, 30 * len(bars) + 120), legend=False)


def supplier_figure(
    hotspots: Mapping, names: Mapping[str, str], lang: str, top: int = 10, per_unit: str | None = None
) -> go.Figure:
    """The ``top`` contributors by enterprise (share in the label): of an enterprise's upstream
    Scope 3 in tCO2e/yr, or with ``per_unit`` (the product's unit) of one unit's footprint in kgCO2e."""
    rows = list(hotspots["by_supplier"])[:top][::-1]
    labels = [short_name(names.get(r["supplier"]), lang, r["supplier"]) for r in rows]
    values = [r["kgco2e"] if per_unit else tonnes(r["kgco2e"]) for r in rows]
    unit = f"kgCO2e/{per_unit}" if per_unit else "tCO2e"
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=values,
            orientation="h",
            marker_color=COLORS["scope3_upstream"],
            text=[f"{100 * r['share']:.1f}%" for r in rows],
            textposition="auto",
            hovertemplate="%{y}: %{x:,.1f} " + unit + "<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=unit if per_unit else text("t_per_year", lang))
    fig.update_yaxes(automargin=True)
    title = text("product_contributors" if per_unit else "top_suppliers", lang)
    return style(fig, title, height=max(300, 30 * len(rows) + 120), legend=False)


def primary_share_figure(account: Mapping, lang: str) -> go.Figure:
    """Donut of supplier-specific (primary) vs other Scope 3 (share of tCO2e)."""
    share = account.get("primary_data_share")
    values = [0.0, 1.0] if share is None else [share, 1 - share]
    fig = go.Figure(
        go.Pie(
            labels=[text("primary", lang), text("secondary", lang)],
            values=values,
            hole=0.62,
            sort=False,
            marker={"colors": [COLORS["good"], "#d9e2ec"]},
            textinfo="percent",
            hovertemplate="%{label}: %{percent}<extra></extra>",
        )
    )
    fig.add_annotation(text="–" if share is None else f"<b>{100 * share:.0f}%</b>", showarrow=False, font={"size": 22})
    return style(fig, text("primary_share", lang), height=320)


def footprint_figure(footprint: Mapping, lang: str) -> go.Figure:
    """Direct and upstream parts of a product footprint (kgCO2e per declared unit), with the
    Monte Carlo P5–P95 band and median when present."""
    unit = footprint["unit"]
    total = footprint["kgco2e_per_unit"]
    label = short_name(footprint.get("name"), lang, footprint["product"], limit=30)
    fig = go.Figure()
    parts = (
        ("direct", footprint.get("direct_kgco2e_per_unit")),
        ("upstream", footprint.get("upstream_kgco2e_per_unit")),
    )
    if all(v is not None for _, v in parts):
        for key, v in parts:
            fig.add_bar(
                y=[label],
                x=[v],
                name=text(key, lang),
                orientation="h",
                marker_color=COLORS["scope1" if key == "direct" else "scope3_upstream"],
                hovertemplate=text(key, lang) + ": %{x:,.1f} kgCO2e/" + unit + "<extra></extra>",
            )
    else:
        fig.add_bar(y=[label], x=[total], name=text("footprint", lang), orientation="h", marker_color=COLORS["outside"])
    if footprint.get("p5") is not None:
        p5, p50, p95 = footprint["p5"], footprint["p50"], footprint["p95"]
        fig.add_shape(type="rect", x0=p5, x1=p95, y0=-0.45, y1=0.45, line={"width": 0}, fillcolor="rgba(31,41,51,0.18)")
        fig.add_scatter(
            y=[label],
            x=[p50],
            mode="markers",
            name=text("p5_p95", lang),
            marker={"symbol": "line-ns-open", "size": 28, "color": COLORS["net"], "line": {"width": 3}},
            error_x={"type": "data", "symmetric": False, "array": [p95 - p50], "arrayminus": [p50 - p5], "width": 10},
            hovertemplate=f"P5 {p5:,.1f} · P50 {p50:,.1f} · P95 {p95:,.1f} kgCO2e/{unit}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=f"kgCO2e / {unit}", rangemode="tozero")
    fig.update_yaxes(showticklabels=False)
    return style(fig, f"{text('footprint', lang)}: {total:,.1f} kgCO2e/{unit}", height=260)
