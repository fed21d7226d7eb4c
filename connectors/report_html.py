"""The park report as one HTML page with its charts (PNG + SVG beside it), next to report.md.

The charts are the dashboard's figures (:mod:`tanlian.connectors.charts`) rendered offline by
:mod:`tanlian.connectors.report_charts`; when no Chromium is found the page is written without
them and a note says why.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from tanlian import fmt
from tanlian.connectors.chart_text import indicator_directions, short_name, text
from tanlian.connectors.report_charts import ChartsUnavailable, park_figures, write_images
from tanlian.lca.core.result import LcaResult

CHART_DIR = "charts"
_env = Environment(loader=PackageLoader("tanlian.connectors", "report_templates"), autoescape=select_autoescape())
_env.filters["t"] = fmt.tonnes
_env.filters["num"] = lambda v, _digits=None: fmt.number(v)
_env.filters["unit"] = fmt.unit
_env.filters["pct"] = fmt.percent
_env.filters["pick"] = lambda name, lang: short_name(name, lang, limit=200)


def write_chart_report(result: LcaResult, inventory: dict, out: Path, lang: str = "zh") -> list[str]:
    """Write ``charts/<name>.png|svg`` and ``report.html``; return notes (charts left out, and why)."""
    out.mkdir(parents=True, exist_ok=True)
    figures = park_figures(result, inventory, lang)
    notes: list[str] = []
    try:
        write_images(figures, out / CHART_DIR)
        charts = [(name, f"{CHART_DIR}/{name}.svg", f"{CHART_DIR}/{name}.png") for name in figures]
    except ChartsUnavailable as exc:
        notes.append(f"report.html without charts: {exc}")
        charts = []
    method = inventory["scope2_method"]
    items = [
        (text("scope1", lang), inventory["scope1_kgco2e"]),
        (text(f"scope2_{method}", lang), inventory[f"scope2_{method}_kgco2e"]),
        (text("scope3_upstream", lang), inventory["scope3_upstream_kgco2e"]),
        (text("scope3_downstream", lang), inventory["scope3_downstream_kgco2e"]),
        (text("removals", lang), -inventory["removals_kgco2e"]),
        (text("net", lang), inventory["net_kgco2e"]),
    ]
    html = _env.get_template("report.html").render(
        inv=inventory,
        items=items,
        directions=indicator_directions(),
        charts=charts,
        lang=lang,
        title=text("park_waterfall", lang),
        notes=notes,
    )
    (out / "report.html").write_text(html, encoding="utf-8")
    return notes
