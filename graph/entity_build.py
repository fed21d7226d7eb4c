"""Entities straight from a store's typed columns, without re-validating each row.

What a store holds was validated when it was written (bundle rows, API bodies), so reading it back
needs no pydantic pass per row: each entity is assembled as ``model_construct`` does it — field
values from the column lists, a model default where a cell is NULL (as validation fills it), the
``_extra`` JSON as the entity's extra properties. The result equals ``model_validate`` of the
record (``tests/graph/test_entity_build.py`` compares every type, extras and gases included).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pyarrow as pa

from tanlian.graph.columns import EXTRA, columns
from tanlian.graph.model import Entity


@cache
def _fields(etype: type[Entity]) -> tuple[tuple[str, str, str, Any], ...]:
    """(field name, column name, kind, default or None) per field, in column order."""
    out = []
    for col, (name, field) in zip(columns(etype), etype.model_fields.items(), strict=True):
        default = None if field.is_required() else field.get_default(call_default_factory=False)
        out.append((name, col.name, col.kind, default))
    return tuple(out)


def arrow_to_entities(etype: type[Entity], table: pa.Table) -> list[Entity]:
    """The rows of ``table`` (:func:`columns.arrow_schema` layout) as entities, in table order."""
    specs = _fields(etype)
    names = [name for name, _, _, _ in specs]
    lists = []
    for _, col, kind, default in specs:
        values = table.column(col).to_pylist()
        if kind == "json":
            values = [None if v is None else json.loads(v) for v in values]
        if default is not None:  # a NULL cell is the model's default, as validation fills it
            values = [
                (default.copy() if isinstance(default, dict | list) else default) if v is None else v for v in values
            ]
        lists.append(values)
    extras = table.column(EXTRA).to_pylist()
    new, set_ = etype.__new__, object.__setattr__
    out = []
    for values, extra in zip(zip(*lists, strict=True), extras, strict=True):
        ent = new(etype)
        data = dict(zip(names, values, strict=True))
        set_(ent, "__dict__", data)
        set_(ent, "__pydantic_fields_set__", {k for k, v in data.items() if v is not None})
        set_(ent, "__pydantic_extra__", json.loads(extra) if extra else {})
        set_(ent, "__pydantic_private__", None)
        out.append(ent)
    return out
