"""The label as an HTML page: the public ``/labels/{pfId}`` page and the PDF's source."""

from __future__ import annotations

from html import escape
from typing import Any

from tanlian.connectors.labels.content import fmt
from tanlian.connectors.labels.qr import qr_data_uri

CSS = """
@page { size: 148mm 125mm; margin: 6mm; }
body { font-family: 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif; color: #1d3b2a; margin: 0; }
.label { border: 1.5px solid #0b6e3a; border-radius: 8px; padding: 10px 14px; background: #f4faf6; }
h1 { font-size: 15pt; margin: 0; } .maker { font-size: 10pt; margin: 2px 0 8px; }
.value { font-size: 28pt; font-weight: bold; color: #0b6e3a; } .unit { font-size: 10pt; }
.row { display: flex; justify-content: space-between; } .qr { width: 32mm; height: 32mm; }
table { font-size: 8.5pt; border-collapse: collapse; } td { padding: 1px 6px 1px 0; vertical-align: top; }
.small { font-size: 7pt; color: #555; }
"""


def label_html(label: dict[str, Any]) -> str:
    """A standalone HTML document of the label object (UTF-8, fonts named for CJK)."""
    e = escape
    period = label["reference_period"]
    share = label["primary_data_share"]
    unc = label["uncertainty"]
    rows = [
        ("直接 direct (Scope 1+2)", f"{fmt(label['direct_kgco2e'])} kgCO2e"),
        ("上游 upstream", f"{fmt(label['upstream_kgco2e'])} kgCO2e"),
        *[(f"· {c['name']}", f"{fmt(c['kgco2e'])} kgCO2e") for c in label["top_contributors"]],
        ("核算期 reference period", f"{period['start'][:10]} – {period['end'][:10]}"),
        ("方法 method", f"{' / '.join(label['method']['standards'][:2])}, {label['method']['gwp']}"),
        ("初级数据占比 primary data", f"{fmt(share, 3)} %" if share is not None else "–"),
    ]
    if unc:
        rows.append(("不确定性 p5–p95", f"{fmt(unc['p5'])} – {fmt(unc['p95'])} kgCO2e"))
    table = "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in rows)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(label["product_name"])} – 碳标签 carbon label</title>
<style>{CSS}</style></head><body><div class="label">
<h1>{e(label["product_name"])}</h1><div class="maker">{e(label["maker_name"])}</div>
<div class="row"><div><div class="value">{e(fmt(label["kgco2e"]))}</div>
<div class="unit">kgCO2e / {e(label["declared_unit"])} · 产品碳足迹 cradle-to-gate</div>
<table>{table}</table></div>
<div><img class="qr" alt="QR" src="{qr_data_uri(label["url"])}">
<div class="small">扫码查看 scan to verify</div></div></div>
<div class="small">PACT {e(label["pf_id"])} ({e(label["status"])}) · {e(label["url"])}</div>
</div></body></html>"""
