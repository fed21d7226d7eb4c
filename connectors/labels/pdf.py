"""The label as PDF through weasyprint (fonts found by fontconfig are subset and embedded; Debian
``fonts-noto-cjk`` provides the CJK outlines that reportlab cannot embed)."""

from __future__ import annotations

from typing import Any

from weasyprint import HTML

from tanlian.connectors.labels.html import label_html


def label_pdf(label: dict[str, Any]) -> bytes:
    """PDF bytes of the label object (one 148 × 125 mm page)."""
    return HTML(string=label_html(label)).write_pdf()
