"""Vectorised helpers of the cross-table checks: columns as numpy, membership and lookups by id
as Arrow joins, and per-distinct-value evaluation (a unit conversion once per distinct pair).

Every function works on whole columns; a Python call happens once per *distinct* value (a unit
string, a unit pair, a factor id), never once per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tanlian.errors import UnitError
from tanlian.lca.core.columnar import col
from tanlian.units import conversion_factor


def given(a: pa.Array) -> np.ndarray:
    """Cells that hold a value (not null)."""
    return pc.is_valid(a).to_numpy(zero_copy_only=False)


def nums(a: pa.Array) -> np.ndarray:
    """A numeric array as float64, NaN where null."""
    return pc.fill_null(a.cast(pa.float64()), float("nan")).to_numpy(zero_copy_only=False)


def truthy(a: pa.Array) -> np.ndarray:
    """Numeric cells that are given and not 0 (what ``if value:`` tests on a row)."""
    x = nums(a)
    return ~np.isnan(x) & (x != 0)


def equals(a: pa.Array, value: str) -> np.ndarray:
    """Cells equal to ``value`` (null cells: False)."""
    return pc.fill_null(pc.equal(a, value), False).to_numpy(zero_copy_only=False)


def ids_of(*tables: pa.Table) -> pa.Array:
    """The ``id`` columns of ``tables`` as one array (a value set for :func:`isin`)."""
    parts = [col(t, "id") for t in tables if t.num_rows]
    return pa.concat_arrays(parts) if parts else pa.array([], pa.string())


def isin(a: pa.Array, values: pa.Array) -> np.ndarray:
    """Membership of each cell in ``values`` (null cells: False)."""
    return pc.fill_null(pc.is_in(a, value_set=values), False).to_numpy(zero_copy_only=False)


def per_distinct(fn: Callable[..., Any], *cols: pa.Array, dtype: Any = object) -> np.ndarray:
    """``fn(*values)`` of every row, called once per distinct combination of the columns' values
    (None for null cells)."""
    n = len(cols[0])
    if n == 0:
        return np.empty(0, dtype)
    codes, dicts = [], []
    for c in cols:
        enc = pc.dictionary_encode(c)
        codes.append(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64) + 1)
        dicts.append([None, *enc.dictionary.to_pylist()])
    key = np.zeros(n, np.int64)
    for c, d in zip(codes, dicts, strict=True):
        key = key * len(d) + c
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    results = np.empty(len(uniq), dtype)
    for k, i in enumerate(first.tolist()):
        results[k] = fn(*(d[c[i]] for c, d in zip(codes, dicts, strict=True)))
    return results[inverse]


def factor_or_nan(unit: str | None, target: str | None) -> float:
    """kg-per-unit style conversion factor ``unit`` → ``target``; NaN when it does not convert."""
    if unit is None or target is None:
        return float("nan")
    try:
        return conversion_factor(unit, target)
    except UnitError:
        return float("nan")


def conversions(units: pa.Array, targets: pa.Array | str) -> np.ndarray:
    """Conversion factor of each row's ``units`` to its target (NaN: does not convert), once per pair."""
    if isinstance(targets, str):
        return per_distinct(lambda u: factor_or_nan(u, targets), units, dtype=np.float64)
    return per_distinct(factor_or_nan, units, targets, dtype=np.float64)


def merged(new: pa.Table, old: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """``new`` rows, then the ``old`` rows whose id ``new`` lacks (the bundle's rows win), and the
    position in ``new`` of each merged row (-1 for a stored row)."""
    keep = old.filter(pa.array(~isin(col(old, "id"), col(new, "id")))) if old.num_rows else old
    table = pa.concat_tables([new, keep.select(new.column_names).cast(new.schema)]).combine_chunks()
    return table, np.concatenate([np.arange(new.num_rows), np.full(keep.num_rows, -1)]).astype(np.int64)


def gather(table: pa.Table, name: str, pos: np.ndarray) -> pa.Array:
    """Column ``name`` of ``table`` at positions ``pos`` (null where ``pos`` is -1): a lookup join."""
    values = col(table, name)
    if not len(values):
        return pa.nulls(len(pos), values.type)
    out = values.take(pa.array(np.where(pos >= 0, pos, 0)))
    return pc.if_else(pa.array(pos >= 0), out, pa.scalar(None, values.type))


def cells_at(a: pa.Array, rows: np.ndarray) -> list:
    """The Python values of ``a`` at ``rows`` (the few rows an error or a warning names)."""
    return a.take(pa.array(np.asarray(rows, np.int64))).to_pylist() if len(rows) else []
