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

from tanlian.connectors.carbon_flow import CarbonFlows
from tanlian.connectors.chart_text import category, short_name, text

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
COLORS = {
    "scope1": "#c2563a",
    "scope2": "#e9a23b",
    "scope3_upstream": "#3f7f8c",
    "scope3_downstream": "#8fb9c2",
    "removals": "#3a8d4f",
    "net": "#1f2933",
    "member": "#2f6f8f",
    "outside": "#9aa5b1",
    "background": "#c8b89a",
    "crossing": "rgba(233,162,59,0.45)",
    "internal": "rgba(47,111,143,0.40)",
    "before": "#9aa5b1",
    "after": "#2f6f8f",
    "good": "#3a8d4f",
    "bad": "#c2563a",
}
_SCOPES = ("scope1", "scope2", "scope3_upstream", "scope3_downstream")


def wrap(label: str) -> str:
    """A long axis label on two lines (before its parenthesis or second word)."""
    for sep in ("（", " ("):
        if sep in label:
            head, _, tail = label.partition(sep)
            return f"{head}<br>{sep.strip()}{tail}"
    return label.replace(" ", "<br>", 1) if len(label) > 12 else label


def signed(v: float) -> str:
    """A change with its sign: whole numbers from 10 up, three significant digits below."""
    return f"{v:+,.0f}" if abs(v) >= 10 else f"{v:+.3g}"


def _t(kg: float | None) -> float:
    return 0.0 if kg is None else kg / 1000


def style(fig: go.Figure, title: str, height: int = 420, legend: bool = True) -> go.Figure:
    """The shared look: white template, CJK-capable font, title top-left, legend below."""
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT, "size": 12, "color": "#1f2933"},
        height=height,
        margin={"l": 10, "r": 20, "t": 56, "b": 10},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        separators=".,",
    )
    return fig


def _scope_values(row: Mapping, method: str) -> dict[str, float]:
    return {
        "scope1": _t(row["scope1_kgco2e"]),
        "scope2": _t(row[f"scope2_{method}_kgco2e"]),
        "scope3_upstream": _t(row["scope3_upstream_kgco2e"]),
        "scope3_downstream": _t(row["scope3_downstream_kgco2e"]),
        "removals": -_t(row["removals_kgco2e"]),
    }


def members_scope_figure(inventory: Mapping, lang: str) -> go.Figure:
    """Stacked bars per member (Scope 1, 2 in the net's method, 3 up/down, removals below zero),
    members by net emissions (largest on top), with the net as a marker."""
    method = inventory["scope2_method"]
    rows = sorted(inventory["by_enterprise"], key=lambda r: r["net_kgco2e"])
    names = [short_name(r["name"], lang, r["enterprise"]) for r in rows]
    values = [_scope_values(r, method) for r in rows]
    fig = go.Figure()
    for key in (*_SCOPES, "removals"):
        label = text("scope2_" + method if key == "scope2" else key, lang)
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
        x=[_t(r["net_kgco2e"]) for r in rows],
        mode="markers",
        name=text("net", lang),
        marker={"symbol": "diamond", "size": 10, "color": COLORS["net"], "line": {"color": "white", "width": 1}},
        hovertemplate="%{y}<br>" + text("net", lang) + ": %{x:,.0f} tCO2e<extra></extra>",
    )
    fig.update_layout(barmode="relative")
    fig.update_xaxes(title_text=text("t_per_year", lang), zeroline=True, zerolinecolor="#52606d")
    fig.update_yaxes(automargin=True)
    return style(fig, text("members_by_scope", lang), height=max(360, 34 * len(rows) + 140))


def park_waterfall_figure(inventory: Mapping, lang: str) -> go.Figure:
    """Park inventory as a waterfall: Scope 1 + 2 + 3 up + 3 down − removals = net (tCO2e/yr)."""
    v = _scope_values(inventory, inventory["scope2_method"])
    keys = (*_SCOPES, "removals")
    short = {
        "scope2": "scope2_" + inventory["scope2_method"],
        "scope3_upstream": "scope3_up_short",
        "scope3_downstream": "scope3_down_short",
    }
    labels = [wrap(text(short.get(k, k), lang)) for k in keys]
    fig = go.Figure(
        go.Waterfall(
            x=[*labels, text("net", lang)],
            y=[*(v[k] for k in keys), _t(inventory["net_kgco2e"])],
            measure=["relative"] * len(keys) + ["total"],
            text=[f"{x:,.0f}" for x in (*(v[k] for k in keys), _t(inventory["net_kgco2e"]))],
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


def scope_category_figure(account: Mapping, lang: str) -> go.Figure:
    """An enterprise's Scope 1, Scope 2 (both methods) and Scope 3 by category (tCO2e/yr)."""
    bars = [
        (text("scope1", lang), _t(account["scope1_kgco2e"]), COLORS["scope1"]),
        (text("scope2_location", lang), _t(account["scope2_location_kgco2e"]), COLORS["scope2"]),
        (text("scope2_market", lang), _t(account["scope2_market_kgco2e"]), COLORS["scope2"]),
    ]
    for cat, kg in sorted(account["scope3_by_category"].items(), key=lambda kv: int(kv[0])):
        color = COLORS["scope3_downstream" if int(cat) >= 9 else "scope3_upstream"]
        bars.append((category(int(cat), lang), _t(kg), color))
    if account.get("removals_kgco2e"):
        bars.append((text("removals", lang), -_t(account["removals_kgco2e"]), COLORS["removals"]))
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
    values = [r["kgco2e"] if per_unit else _t(r["kgco2e"]) for r in rows]
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
            hovertemplate=f"{m['residual']} → {m['need']}<br>{m['material']}<br>{_t(kg):,.0f} tCO2e<extra></extra>",
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
        pct = f" ({100 * ch['delta'] / ch['before']:+.1f}%)" if ch["before"] else ""
        titles.append(f"{label}<br><b>{signed(_t(ch['delta']))}</b>{pct}")
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None, vertical_spacing=0.6 / rows)
    for k, (_, ch) in enumerate(items):
        r, c = divmod(k, cols)
        for when in ("before", "after"):
            fig.add_bar(
                x=[text(when, lang)],
                y=[_t(ch[when])],
                name=text(when, lang),
                marker_color=COLORS[when],
                showlegend=False,
                text=[f"{_t(ch[when]):,.0f}"],
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
