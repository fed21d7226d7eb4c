"""Typed columns of each bundle entity type: records ↔ rows ↔ Arrow tables.

A bundle type's columns are its model fields under their bundle names (aliases: ``from``,
``class``), each with a storage kind derived from the field's annotation; columns the format does
not list (``model_extra``) travel together in one ``_extra`` JSON column, and a factor's ``gases``
mapping in a JSON column. Both backends and the columnar snapshot use these definitions, so a
record read back equals the record written (``Entity.record()``).
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import pyarrow as pa

from tanlian.graph.model import Entity

Kind = Literal["text", "real", "int", "bool", "json"]
EXTRA = "_extra"  # column holding the extra properties of a row (JSON object, NULL if none)

SQL_TYPES: dict[str, str] = {"text": "TEXT", "real": "REAL", "int": "INTEGER", "bool": "INTEGER", "json": "TEXT"}
ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "real": pa.float64(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "json": pa.string(),
}


@dataclass(frozen=True)
class Column:
    name: str  # bundle (alias) name
    kind: Kind


def _kind(annotation: Any) -> Kind:
    """Storage kind of a field annotation (``float | None`` → real, ``Literal[...]`` → text, ...)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _kind(args[0])
    if origin is typing.Annotated:
        return _kind(args[0])
    if origin is Literal:
        return "text"
    if origin is dict or annotation is dict:
        return "json"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "real"
    return "text"


@cache
def columns(etype: type[Entity]) -> tuple[Column, ...]:
    """The typed columns of ``etype`` in field order (``id`` first)."""
    return tuple(Column(f.alias or n, _kind(f.annotation)) for n, f in etype.model_fields.items())


@cache
def arrow_schema(etype: type[Entity]) -> pa.Schema:
    """Arrow schema of a columnar table of ``etype``: its columns, then ``_extra``."""
    fields = [pa.field(c.name, ARROW_TYPES[c.kind]) for c in columns(etype)]
    return pa.schema([*fields, pa.field(EXTRA, pa.string())])


@cache
def _layout(etype: type[Entity]) -> tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...], frozenset[str]]:
    """(column names, positions of JSON columns, positions of bool columns, the names as a set)."""
    cols = columns(etype)
    names = tuple(c.name for c in cols)
    js = tuple(i for i, c in enumerate(cols) if c.kind == "json")
    bs = tuple(i for i, c in enumerate(cols) if c.kind == "bool")
    return names, js, bs, frozenset(names)


def to_row(etype: type[Entity], rec: dict[str, Any]) -> tuple[Any, ...]:
    """A record as a storage row: one value per column (NULL for absent), then ``_extra``."""
    names, js, bs, known = _layout(etype)
    out = list(map(rec.get, names))
    for i in js:
        if out[i] is not None:
            out[i] = json.dumps(out[i], ensure_ascii=False, sort_keys=True)
    for i in bs:
        if out[i] is not None:
            out[i] = int(out[i])
    if rec.keys() <= known:
        out.append(None)
    else:
        out.append(json.dumps({k: v for k, v in rec.items() if k not in known}, ensure_ascii=False))
    return tuple(out)


def from_row(etype: type[Entity], row: Sequence[Any]) -> dict[str, Any]:
    """A storage row (columns then ``_extra``) back to the record it was made from."""
    rec: dict[str, Any] = {}
    for c, v in zip(columns(etype), row, strict=False):
        if v is None:
            continue
        if c.kind == "json":
            v = json.loads(v)
        elif c.kind == "bool":
            v = bool(v)
        elif c.kind == "real":
            v = float(v)
        rec[c.name] = v
    extra = row[len(columns(etype))]
    if extra:
        rec.update(json.loads(extra))
    return rec


def rows_to_arrow(etype: type[Entity], rows: Iterable[Sequence[Any]]) -> pa.Table:
    """Storage rows → an Arrow table with :func:`arrow_schema` (one array per column)."""
    schema = arrow_schema(etype)
    rows = list(rows)
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = []
    for field, values in zip(schema, cols, strict=True):
        if field.type == pa.bool_():
            arrays.append(pa.array([None if v is None else bool(v) for v in values], type=pa.bool_()))
        else:
            arrays.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def arrow_to_records(etype: type[Entity], table: pa.Table) -> list[dict[str, Any]]:
    """An Arrow table of ``etype`` back to records (for the object snapshot and exports)."""
    names = [c.name for c in columns(etype)] + [EXTRA]
    data = [table.column(n).to_pylist() for n in names]
    return [from_row(etype, row) for row in zip(*data, strict=True)]
