"""Plotly figures of the park, its members and products: pure functions from result bodies to figures.

Each builder takes the JSON bodies the API and CLI already produce (park inventory, Scope account,
hotspots, footprint, symbiosis, scenario report) and a language ('zh' or 'en'), and returns a
``plotly.graph_objects.Figure``. The dashboard serialises them for plotly.js; the report writes
them as PNG/SVG. Amounts are shown in tCO2e per year unless a title says per unit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tanlian import fmt
from tanlian.connectors.carbon_flow import CarbonFlows
from tanlian.connectors.chart_style import COLORS, SCOPES, scope_values, style, tonnes, wrap
from tanlian.connectors.chart_text import short_name, text
from tanlian.connectors.charts_enterprise import (  # noqa: F401  (one place to import every builder)
    footprint_figure,
    primary_share_figure,
    scope_category_figure,
    supplier_figure,
)


def members_scope_figure(inventory: Mapping, lang: str) -> go.Figure:
    """Stacked bars per member (Scope 1, 2 in the net's method, 3 up/down, removals below zero),
    members by net emissions (largest on top), with the net as a marker."""
    method = inventory["scope2_method"]
    rows = sorted(inventory["by_enterprise"], key=lambda r: r["net_kgco2e"])
    names = [short_name(r["name"], lang, r["enterprise"]) for r in rows]
    values = [scope_values(r, method) for r in rows]
    fig = go.Figure()
    for key in (*SCOPES, "removals"):
        short = {
            "scope2": "scope2_" + method,
            "scope3_upstream": "scope3_up_short",
            "scope3_downstream": "scope3_down_short",
        }
        label = text(short.get(key, key), lang)
        fig.add_bar(
            y=names,
            x=[v[key] for v in values],
            name=label,
            orientation="h",
            marker_color=COLORS[key],
            hovertemplate="%{y}<br>" + label + ": %{x:,.0f} tCO2e<extra></extra>",
        )
    fig.add_scatter(
        y=names,
        x=[tonnes(r["net_kgco2e"]) for r in rows],
        mode="markers",
        name=text("net", lang),
        marker={"symbol": "diamond", "size": 10, "color": COLORS["net"], "line": {"color": "white", "width": 1}},
        hovertemplate="%{y}<br>" + text("net", lang) + ": %{x:,.0f} tCO2e<extra></extra>",
    )
    fig.update_layout(barmode="relative")
    fig.update_xaxes(zeroline=True, zerolinecolor="#52606d")
    fig.update_yaxes(automargin=True)
    title = f"{text('members_by_scope', lang)} ({text('t_per_year', lang)})"
    fig = style(fig, title, height=max(380, 34 * len(rows) + 170))
    fig.update_layout(legend={"yanchor": "top", "y": -0.06, "xanchor": "left", "x": 0}, margin={"b": 20})
    return fig


def park_waterfall_figure(inventory: Mapping, lang: str) -> go.Figure:
    """Park inventory as a waterfall: Scope 1 + 2 + 3 up + 3 down − removals = net (tCO2e/yr)."""
    v = scope_values(inventory, inventory["scope2_method"])
    keys = (*SCOPES, "removals")
    short = {
        "scope2": "scope2_" + inventory["scope2_method"],
        "scope3_upstream": "scope3_up_short",
        "scope3_downstream": "scope3_down_short",
    }
    labels = [wrap(text(short.get(k, k), lang)) for k in keys]
    fig = go.Figure(
        go.Waterfall(
            x=[*labels, text("net", lang)],
            y=[*(v[k] for k in keys), tonnes(inventory["net_kgco2e"])],
            measure=["relative"] * len(keys) + ["total"],
            text=[f"{x:,.0f}" for x in (*(v[k] for k in keys), tonnes(inventory["net_kgco2e"]))],
            textposition="outside",
            increasing={"marker": {"color": COLORS["scope1"]}},
            decreasing={"marker": {"color": COLORS["removals"]}},
            totals={"marker": {"color": COLORS["net"]}},
            connector={"line": {"color": "#9aa5b1", "dash": "dot"}},
            hovertemplate="%{x}: %{y:,.0f} tCO2e<extra></extra>",
        )
    )
    fig.update_yaxes(title_text=text("t_per_year", lang), rangemode="tozero")
    fig.update_xaxes(tickangle=0, automargin=True)
    return style(fig, text("park_waterfall", lang), height=400, legend=False)


def member_share_figure(inventory: Mapping, lang: str) -> go.Figure:
    """Members ranked by their share of the park's net emissions (%)."""
    rows = sorted((r for r in inventory["by_enterprise"] if r["share"] is not None), key=lambda r: r["share"])
    fig = go.Figure(
        go.Bar(
            y=[short_name(r["name"], lang, r["enterprise"]) for r in rows],
            x=[100 * r["share"] for r in rows],
            orientation="h",
            marker_color=COLORS["member"],
            text=[f"{100 * r['share']:.1f}%" for r in rows],
            textposition="outside",
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    top = max((100 * r["share"] for r in rows), default=1.0)
    fig.update_xaxes(title_text="% " + text("share_of_net", lang), ticksuffix="%", range=[0, top * 1.18])
    fig.update_yaxes(automargin=True)
    return style(fig, text("members_ranked", lang), height=max(320, 30 * len(rows) + 120), legend=False)


def sankey_figure(flows: CarbonFlows, lang: str) -> go.Figure:
    """Sankey of embodied tCO2e: outside suppliers and background on the left, members inside a
    shaded park boundary on the right (columns by supply depth)."""
    index = {n.key: k for k, n in enumerate(flows.nodes)}
    max_col = max((n.column for n in flows.nodes), default=1) or 1
    per_col: dict[int, list[str]] = {}
    for n in flows.nodes:
        per_col.setdefault(n.column, []).append(n.key)
    inside_x0 = 0.30
    xs, ys = [], []
    for n in flows.nodes:
        col = per_col[n.column]
        x = 0.001 if n.column == 0 else inside_x0 + 0.04 + (0.93 - inside_x0) * (n.column - 1) / max(1, max_col - 1)
        xs.append(min(x, 0.999))
        ys.append(min(0.999, max(0.001, (col.index(n.key) + 0.5) / len(col))))
    node_color = [COLORS[n.group] for n in flows.nodes]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.0f",
            valuesuffix=" tCO2e",
            node={
                "label": [n.label for n in flows.nodes],
                "color": node_color,
                "x": xs,
                "y": ys,
                "pad": 14,
                "thickness": 16,
                "line": {"color": "white", "width": 0.5},
            },
            link={
                "source": [index[ln.source] for ln in flows.links],
                "target": [index[ln.target] for ln in flows.links],
                "value": [ln.tco2e for ln in flows.links],
                "color": [COLORS["crossing" if ln.crosses else "internal"] for ln in flows.links],
            },
        )
    )
    fig.add_shape(
        type="rect",
        xref="paper",
        yref="paper",
        x0=inside_x0,
        x1=1.0,
        y0=-0.02,
        y1=1.02,
        line={"color": COLORS["member"], "width": 2, "dash": "dash"},
        fillcolor="rgba(47,111,143,0.05)",
        layer="below",
    )
    fig.add_annotation(
        xref="paper",
        yref="paper",
        x=inside_x0 + 0.005,
        y=1.06,
        xanchor="left",
        showarrow=False,
        text=f"<b>{text('park_boundary', lang)}</b> · {short_name(flows.park_name, lang, flows.park, limit=40)}",
        font={"color": COLORS["member"]},
    )
    height = max(560, 34 * max(len(v) for v in per_col.values()) + 180) if per_col else 560
    fig = style(fig, text("carbon_flow", lang), height=height, legend=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 80, "b": 20})
    return fig


def symbiosis_figure(symbiosis: Mapping, places: Mapping[str, tuple[str, float, float]], lang: str) -> go.Figure:
    """Members on their coordinates (lon/lat, no map tiles), candidate exchanges as dashed lines
    and the chosen assignment as solid lines, widths ∝ avoided tCO2e/yr.

    ``places``: enterprise id → (name, lat, lon)."""
    fig = go.Figure()
    matches = [m for m in symbiosis["matches"] if m["supplier"] in places and m["taker"] in places]
    top = max((abs(m["potential_kgco2e"]) for m in matches), default=1.0) or 1.0
    first = {"candidate": True, "assigned": True}
    for m in sorted(matches, key=lambda m: m["assigned_quantity"] > 0):
        assigned = m["assigned_quantity"] > 0
        kg = m["assigned_kgco2e"] if assigned else m["potential_kgco2e"]
        (_, la1, lo1), (_, la2, lo2) = places[m["supplier"]], places[m["taker"]]
        kind = "assigned" if assigned else "candidate"
        color = COLORS["good"] if assigned else "rgba(154,165,177,0.8)"
        bearing = math.degrees(math.atan2((lo2 - lo1) * math.cos(math.radians(la1)), la2 - la1))
        fig.add_scatter(
            x=[lo1, (lo1 + lo2) / 2, lo2],
            y=[la1, (la1 + la2) / 2, la2],
            mode="lines+markers",  # a triangle halfway shows the direction residual → need
            marker={"symbol": "triangle-up", "size": [0, 11, 0], "angle": [0, bearing, 0], "color": color},
            line={
                "width": 1.5 + 9 * abs(kg) / top,
                "color": color,
                "dash": "solid" if assigned else "dash",
            },
            name=text(kind, lang),
            legendgroup=kind,
            showlegend=first[kind],
            hovertemplate=f"{m['residual']} → {m['need']}<br>{m['material']}<br>{tonnes(kg):,.0f} tCO2e<extra></extra>",
        )
        first[kind] = False
    ids = sorted(places)
    fig.add_scatter(
        x=[places[i][2] for i in ids],
        y=[places[i][1] for i in ids],
        mode="markers+text",
        text=[short_name(places[i][0], lang, i, limit=14) for i in ids],
        textposition="top center",
        marker={"size": 13, "color": COLORS["member"], "line": {"color": "white", "width": 1.5}},
        name=text("enterprises", lang),
        hovertemplate="%{text}<br>%{y:.3f}°N %{x:.3f}°E<extra></extra>",
    )
    lat0 = sum(places[i][1] for i in ids) / len(ids) if ids else 30.0
    fig.update_xaxes(title_text=text("longitude", lang), ticksuffix="°", showgrid=True, gridcolor="#eef2f6")
    fig.update_yaxes(
        title_text=text("latitude", lang),
        ticksuffix="°",
        scaleanchor="x",
        scaleratio=1 / max(0.2, math.cos(math.radians(lat0))),
        showgrid=True,
        gridcolor="#eef2f6",
    )
    return style(fig, text("symbiosis_map", lang), height=520)


SCENARIO_KEYS = {
    "scope1_kgco2e": "scope1",
    "scope2_market_kgco2e": "scope2_market",
    "scope2_location_kgco2e": "scope2_location",
    "scope3_kgco2e": "scope3_all",
    "scope3_upstream_kgco2e": "scope3_upstream",
    "scope3_downstream_kgco2e": "scope3_downstream",
    "removals_kgco2e": "removals",
    "net_kgco2e": "net",
}


def scenario_label(key: str, lang: str) -> str:
    """The words for a scenario report key ('net_kgco2e' → 'Net emissions')."""
    return text(SCENARIO_KEYS.get(key, "net"), lang) if key in SCENARIO_KEYS else key


def scenario_figure(report: Mapping, names: Mapping[str, str], lang: str, limit: int = 8) -> go.Figure:
    """Before/after bars of the park and enterprise totals a what-if changed (tCO2e/yr): one small
    panel per total, each on its own scale from zero, titled with the change (and %)."""
    items = []
    for scope, table in (("park", report.get("parks", {})), ("enterprise", report.get("enterprises", {}))):
        for subject, changes in table.items():
            who = text("park_total", lang) if scope == "park" else short_name(names.get(subject), lang, subject, 14)
            items += [(f"{who} · {scenario_label(k, lang)}", ch) for k, ch in changes.items()]
    items = items[:limit]
    cols = min(4, max(1, len(items)))
    rows = max(1, math.ceil(len(items) / cols))
    titles = []
    for label, ch in items:
        share = fmt.percent(ch["delta"] / ch["before"]) if ch["before"] else ""
        pct = f" ({'' if share.startswith('-') or share == '0%' else '+'}{share})" if share else ""
        titles.append(f"{label}<br><b>{fmt.signed(tonnes(ch['delta']))}</b>{pct}")
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None, vertical_spacing=0.4 / rows)
    for k, (_, ch) in enumerate(items):
        r, c = divmod(k, cols)
        for when in ("before", "after"):
            fig.add_bar(
                x=[text(when, lang)],
                y=[tonnes(ch[when])],
                name=text(when, lang),
                marker_color=COLORS[when],
                showlegend=False,
                text=[f"{tonnes(ch[when]):,.0f}"],
                textposition="inside",
                hovertemplate="%{x}: %{y:,.0f} tCO2e<extra></extra>",
                row=r + 1,
                col=c + 1,
            )
    fig.update_annotations(font_size=12)
    fig.update_yaxes(rangemode="tozero", showticklabels=False)
    fig = style(fig, text("whatif", lang), height=120 + 260 * rows, legend=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 110, "b": 10}, bargap=0.25)
    return fig
