"""Rows of a bundle table → the store's typed columns (Arrow), without an entity object per row.

The vectorised checks of :mod:`fast_rows` accept the plainly valid rows with their typed values,
column by column; those go straight into Arrow arrays of :func:`columns.arrow_schema` layout (the
layout both stores write and snapshots read). Rows they do not accept go through pydantic
(:func:`rows.slow_rows`), which words every error; the few it accepts join as ``to_row`` rows.
Duplicate ids are found with one dictionary encoding, not a dict per row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tanlian.errors import RowError
from tanlian.graph.columns import ARROW_TYPES, arrow_schema, columns, rows_to_arrow, to_row
from tanlian.graph.entity_build import arrow_to_entities
from tanlian.graph.fast_rows import SPECS, Accepted
from tanlian.graph.model import Entity
from tanlian.graph.rows import cells, duplicate_error, fast_accept, slow_rows


@dataclass(frozen=True)
class RowTable:
    """A bundle table as typed columns: rows in file order (duplicates dropped) and their file lines."""

    table: pa.Table
    lines: np.ndarray  # int64, line in the file of each row (header = 1)

    @classmethod
    def empty(cls, etype: type[Entity]) -> RowTable:
        return cls(arrow_schema(etype).empty_table(), np.empty(0, np.int64))



def _extras(extras: list[str], cols: list[pd.Series], names: list[str], rows: np.ndarray) -> pa.Array:
    """The ``_extra`` JSON of each accepted row (None where every extra cell is empty)."""
    if not extras:
        return pa.nulls(len(rows), pa.string())
    values = [cols[names.index(x)].to_numpy(object)[rows] for x in extras]
    any_given = np.zeros(len(rows), bool)
    for v in values:
        any_given |= v != ""
    out = np.full(len(rows), None, object)
    for i in np.flatnonzero(any_given):
        out[i] = json.dumps({x: v[i] for x, v in zip(extras, values, strict=True) if v[i] != ""}, ensure_ascii=False)
    return pa.array(out, pa.string())


def _fast_table(etype: type[Entity], fast: Accepted, cols: list[pd.Series], names: list[str]) -> pa.Table:
    """The accepted rows as an Arrow table (model defaults where a cell is empty, as pydantic fills them)."""
    n = len(fast.rows)
    arrays = []
    for col, field in zip(columns(etype), etype.model_fields.values(), strict=True):
        typ = ARROW_TYPES[col.kind]
        if col.name == "id":
            arrays.append(fast.ids)
            continue
        default = None if field.is_required() else field.get_default(call_default_factory=True)
        if col.name in fast.values:
            values, given = fast.values[col.name], fast.given[col.name]
            if isinstance(values, pa.Array):
                arr = pc.if_else(pa.array(given), values, pa.scalar(None, typ))
            else:
                arr = pa.array(values, typ, mask=~given)
            if default is not None:
                arr = pc.fill_null(arr, pa.scalar(default, typ))
        else:
            arr = pa.nulls(n, typ) if default is None else pa.array(np.full(n, default), typ)
        arrays.append(arr)
    extra = [x for x in names if x not in SPECS[etype]]
    arrays.append(_extras(extra, cols, names, fast.rows))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(etype))


def _first_of_each(ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(row is the first with its id, position of the first row with the same id) per row."""
    codes = pc.dictionary_encode(ids).indices.to_numpy()
    _, first = np.unique(codes, return_index=True)
    is_first = np.zeros(len(codes), bool)
    is_first[first] = True
    first_by_code = np.empty(len(first), np.int64)
    first_by_code[codes[first]] = first
    return is_first, first_by_code[codes]


def parse_rows(
    etype: type[Entity], df: pd.DataFrame, file: str, gas_names: Mapping[str, str]
) -> tuple[RowTable, list[RowError]]:
    """Validate every row of ``df`` into typed columns; return the table and the errors (file lines).

    The rows, values and errors pydantic gives row by row (``tests/graph/test_row_tables.py``)."""
    names, cols, errors = cells(etype, df, file)
    if errors:
        return RowTable.empty(etype), errors
    fast = fast_accept(etype, names, cols)
    slow = np.ones(len(df), bool)
    parts: list[pa.Table] = []
    lines: list[np.ndarray] = []
    explicit: list[np.ndarray] = []
    if fast is not None:
        slow[fast.rows] = False
        parts.append(_fast_table(etype, fast, cols, names))
        lines.append(fast.rows.astype(np.int64) + 2)
        explicit.append(fast.explicit_id)
    parsed, errs = slow_rows(etype, np.flatnonzero(slow), names, cols, file, gas_names)
    errors += errs
    if parsed:
        parts.append(rows_to_arrow(etype, [to_row(etype, e.record()) for _, e, _ in parsed]))
        lines.append(np.array([line for line, _, _ in parsed], np.int64))
        explicit.append(np.array([x for _, _, x in parsed], bool))
    if not parts:
        return RowTable.empty(etype), errors
    line = np.concatenate(lines)
    order = np.argsort(line, kind="stable")
    table = pa.concat_tables(parts).take(pa.array(order)).combine_chunks()
    line, given = line[order], np.concatenate(explicit)[order]
    is_first, first = _first_of_each(table.column("id").combine_chunks())
    if not is_first.all():
        ids = table.column("id")
        for i in np.flatnonzero(~is_first).tolist():
            errors.append(duplicate_error(file, int(line[i]), ids[i].as_py(), int(line[first[i]]), bool(given[i])))
        table, line = table.filter(pa.array(is_first)), line[is_first]
    return RowTable(table, line), errors


def parse_table(
    etype: type[Entity], df: pd.DataFrame, file: str, gas_names: Mapping[str, str]
) -> tuple[list[tuple[int, Entity]], list[RowError]]:
    """:func:`parse_rows` as (line, entity) pairs, for callers that want entities."""
    rt, errors = parse_rows(etype, df, file, gas_names)
    return list(zip(rt.lines.tolist(), arrow_to_entities(etype, rt.table), strict=True)), errors


__all__ = ["RowTable", "parse_rows", "parse_table"]
