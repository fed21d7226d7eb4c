"""The JSON Schema (draft 2020-12) of a PACT v3 ProductFootprint, written from :mod:`model_v3`.

``python -m tanlian.connectors.pact.schema`` rewrites ``schema/product-footprint-v3.schema.json``;
a test checks the file is current and that its required fields, enums and patterns are the
spec's. Optional fields are absent, never ``null``, on the wire: the generated ``null`` branches
are removed. Rules the schema cannot state (DQR 1–5, signs, percentages) stay in the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tanlian.connectors.pact.model_v3 import ProductFootprint

SCHEMA_FILE = Path(__file__).parent / "schema" / "product-footprint-v3.schema.json"


def _clean(node: Any) -> Any:
    if isinstance(node, list):
        return [_clean(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _clean(v) for k, v in node.items() if not (k == "default" and v is None)}
    if "anyOf" in out:
        branches = [b for b in out["anyOf"] if b != {"type": "null"}]
        if len(branches) == 1:
            rest = {k: v for k, v in out.items() if k != "anyOf"}
            return {**branches[0], **rest}
        out["anyOf"] = branches
    return out


def v3_schema() -> dict[str, Any]:
    schema = _clean(ProductFootprint.model_json_schema(mode="validation"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://tanlian.dev/schemas/pact/product-footprint-v3.schema.json",
        **schema,
    }


def write_schema(path: Path = SCHEMA_FILE) -> None:
    path.write_text(json.dumps(v3_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_schema()
