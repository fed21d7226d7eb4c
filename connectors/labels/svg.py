"""The label as SVG (fonts by name: Noto Sans CJK SC where installed, else the viewer's sans-serif)."""

from __future__ import annotations

from html import escape
from typing import Any

from tanlian.connectors.labels.content import fmt
from tanlian.connectors.labels.qr import qr_svg_path

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif"
WIDTH, HEIGHT = 480, 330


def _text(x: float, y: float, text: str, size: int = 12, weight: str = "normal", fill: str = "#1d3b2a") -> str:
    return f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}">{escape(text)}</text>'


def label_svg(label: dict[str, Any]) -> str:
    """An SVG document of the label object."""
    unit = label["declared_unit"]
    lines = [
        _text(16, 30, label["product_name"], 16, "bold"),
        _text(16, 50, label["maker_name"], 12),
        _text(16, 92, f"{fmt(label['kgco2e'])}", 34, "bold", "#0b6e3a"),
        _text(16, 112, f"kgCO2e / {unit}  碳足迹 cradle-to-gate", 12),
        _text(
            16, 138, f"直接 direct {fmt(label['direct_kgco2e'])} · 上游 upstream {fmt(label['upstream_kgco2e'])}", 11
        ),
    ]
    y = 160
    lines.append(_text(16, y, "主要来源 top contributors", 11, "bold"))
    for c in label["top_contributors"]:
        y += 16
        lines.append(_text(24, y, f"{c['name']}: {fmt(c['kgco2e'])}", 10))
    period = label["reference_period"]
    share = label["primary_data_share"]
    unc = label["uncertainty"]
    meta = [
        f"核算期 reference period {period['start'][:10]} – {period['end'][:10]}",
        f"方法 method {' / '.join(label['method']['standards'][:2])}, {label['method']['gwp']}",
        f"初级数据占比 primary data {fmt(share, 3) + ' %' if share is not None else '–'}",
    ]
    if unc:
        meta.append(f"不确定性 p5–p95 {fmt(unc['p5'])} – {fmt(unc['p95'])} ({unc['samples']} samples)")
    y = max(y, 214)
    for m in meta:
        y += 16
        lines.append(_text(16, y, m, 10))
    lines.append(_text(16, HEIGHT - 10, f"PACT {label['pf_id']} ({label['status']})", 8, fill="#555"))
    qr, _ = qr_svg_path(label["url"], 120)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{escape(FONT)}">'
        f'<rect x="1" y="1" width="{WIDTH - 2}" height="{HEIGHT - 2}" rx="10" fill="#f4faf6" stroke="#0b6e3a"/>'
        + "".join(lines)
        + f'<g transform="translate({WIDTH - 136},60)">{qr}</g>'
        + _text(WIDTH - 132, 196, "扫码查看 scan to verify", 9)
        + "</svg>"
    )
