"""The park report's charts as PNG and SVG: the dashboard's figures rendered offline by kaleido.

kaleido (≥ 1.0) drives a headless Chromium over the DevTools protocol. It is pointed at the
system browser (``BROWSER_PATH``, else ``chromium`` / ``chromium-browser`` / ``google-chrome`` on
PATH; Debian: ``apt-get install chromium fonts-noto-cjk``), at plotly.js bundled with the
``plotly`` package and with MathJax off, so rendering loads nothing from the network. Chinese text
needs a CJK font in the system (Noto Sans CJK).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import kaleido
import plotly
import plotly.graph_objects as go

from tanlian.connectors.carbon_flow import carbon_flows, park_inflow_ids
from tanlian.connectors.charts import (
    member_share_figure,
    members_scope_figure,
    park_waterfall_figure,
    sankey_figure,
    symbiosis_figure,
)
from tanlian.errors import TanlianError
from tanlian.lca.analysis.symbiosis import opportunities
from tanlian.lca.core.result import LcaResult

#: Pixel width of the images (height comes from each figure's layout); PNGs at 2× for print.
WIDTH = 1100
PNG_SCALE = 2
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


class ChartsUnavailable(TanlianError):
    """No Chromium to render charts with."""


def chromium_path() -> str:
    """The browser kaleido should drive: ``BROWSER_PATH``, else the first Chromium/Chrome on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        if not os.path.isfile(env):
            raise ChartsUnavailable(f"BROWSER_PATH={env!r} is not a file")
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise ChartsUnavailable("charts need Chromium: apt-get install chromium fonts-noto-cjk (or set BROWSER_PATH)")


def places(result: LcaResult, park: str) -> dict[str, tuple[str, float, float]]:
    """Members of ``park`` with coordinates: id → (name, lat, lon)."""
    return {
        e.id: (e.name, e.lat, e.lon)
        for e in result.graph.enterprises.values()
        if e.park == park and e.lat is not None and e.lon is not None
    }


def park_figures(result: LcaResult, inventory: dict, lang: str = "zh", detour: float = 1.3) -> dict[str, go.Figure]:
    """The park report's figures by file stem (the same builders as the dashboard's park pages)."""
    park = inventory["park"]
    flows = carbon_flows(result, park, park_inflow_ids(result, park), lang)
    sym = opportunities(result.graph, park, result.system.gwp_set, detour)
    return {
        "park_inventory": park_waterfall_figure(inventory, lang),
        "members_by_scope": members_scope_figure(inventory, lang),
        "members_share": member_share_figure(inventory, lang),
        "carbon_flow": sankey_figure(flows, lang),
        "symbiosis_map": symbiosis_figure(sym, places(result, park), lang),
    }


def write_images(figures: dict[str, go.Figure], out: Path, formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Write every figure in every format to ``out/<stem>.<format>`` in one browser session."""
    browser = chromium_path()  # ChartsUnavailable before anything is written
    out.mkdir(parents=True, exist_ok=True)
    jobs, paths = [], []
    for stem, fig in figures.items():
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            opts = {"format": fmt, "width": WIDTH, "height": fig.layout.height or 450}
            if fmt == "png":
                opts["scale"] = PNG_SCALE
            jobs.append({"fig": fig, "path": str(path), "opts": opts})
            paths.append(path)
    kopts = {"path": browser, "mathjax": False, "plotlyjs": str(PLOTLY_JS)}
    errors = kaleido.write_fig_from_object_sync(jobs, kopts=kopts)
    if errors:
        raise ChartsUnavailable(f"chart rendering failed: {errors[0]}")
    missing = [p for p in paths if not p.is_file() or p.stat().st_size == 0]
    if missing:
        raise ChartsUnavailable(f"chart rendering wrote nothing to {missing[0]}")
    return paths
