"""A published footprint → label bytes in one format (json, svg, pdf)."""

from __future__ import annotations

import json

from tanlian.connectors.labels.content import label_object
from tanlian.connectors.labels.pdf import label_pdf
from tanlian.connectors.labels.svg import label_svg
from tanlian.errors import TanlianError
from tanlian.graph.model import PactFootprint

MEDIA_TYPES = {"json": "application/json", "svg": "image/svg+xml", "pdf": "application/pdf"}


def label_json(record: PactFootprint, public_base_url: str) -> dict:
    """``label.json``: the ProductFootprint and the label object."""
    return {"productFootprint": record.document, "label": label_object(record, public_base_url)}


def render_label(record: PactFootprint, fmt: str, public_base_url: str) -> bytes:
    if fmt == "json":
        return json.dumps(label_json(record, public_base_url), ensure_ascii=False, indent=2).encode()
    label = label_object(record, public_base_url)
    if fmt == "svg":
        return label_svg(label).encode()
    if fmt == "pdf":
        return label_pdf(label)
    raise TanlianError(f"unknown label format {fmt!r} (json, svg, pdf)")
