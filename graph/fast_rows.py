"""Vectorised row checks of the big bundle tables (products, activities, flows, sales).

:func:`accept` tests every cell of a table column by column (numpy / pandas, one unit parse per
distinct unit string) and returns the rows that are plainly valid, with their typed values and
ids. It only *accepts*: a row it does not accept — a cell in an unusual form, a value out of range,
an unknown unit, a missing required value — goes through pydantic in :func:`graph.row_tables.parse_rows`,
which words the error exactly as before. So the error messages never depend on this module, and
what it accepts must be what pydantic accepts with the same values (``tests/graph/test_fast_rows.py``
compares both paths cell by cell).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tanlian.errors import UnitError
from tanlian.graph.model import (
    Activity,
    ActivityType,
    AllocationRule,
    Carrier,
    Enterprise,
    Entity,
    Flow,
    Product,
    ProductKind,
    Sale,
    TransportMode,
)
from tanlian.units import parse_unit

#: A plain decimal number (what pydantic's float parser surely reads the same way as ``float()``).
_NUMBER = r"^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


@dataclass(frozen=True)
class Cell:
    """How a column's cells are checked: ``kind`` text | id | unit | real | int | bool | enum."""

    kind: str
    lo: float | None = None  # inclusive lower bound (real, int)
    lo_open: bool = False  # the lower bound is exclusive (Positive)
    hi: float | None = None  # inclusive upper bound
    choices: tuple[str, ...] = ()


ID, TEXT, UNIT = Cell("id"), Cell("text"), Cell("unit")
NONNEG, POSITIVE, SHARE = Cell("real", lo=0), Cell("real", lo=0, lo_open=True), Cell("real", lo=0, hi=1)


def _enum(lit: Any) -> Cell:
    return Cell("enum", choices=get_args(lit))


#: Every model field of the fast types under its bundle name (a test checks they match the models).
SPECS: dict[type[Entity], dict[str, Cell]] = {
    Enterprise: {
        "id": ID, "name": TEXT, "park": TEXT, "region": TEXT, "lat": Cell("real", lo=-90, hi=90),
        "lon": Cell("real", lo=-180, hi=180), "allocation": _enum(AllocationRule), "share_footprints": Cell("bool"),
        "pact_ids": TEXT, "owner_park": TEXT,
    },
    Product: {
        "id": ID, "enterprise": ID, "name": TEXT, "unit": UNIT, "output": POSITIVE,
        "kind": _enum(ProductKind), "carrier": _enum(Carrier), "price_cny": NONNEG, "mass_kg": NONNEG,
        "energy_mj": NONNEG, "share": SHARE, "cpc": TEXT, "pact_ids": TEXT,
    },
    Activity: {
        "id": ID, "enterprise": ID, "type": _enum(ActivityType), "item": ID, "quantity": NONNEG,
        "unit": UNIT, "green_mwh": NONNEG,
    },
    Flow: {
        "id": ID, "from": ID, "to": ID, "quantity": NONNEG, "unit": UNIT, "spend_cny": NONNEG,
        "category": Cell("int", lo=1, hi=15), "capital": Cell("bool"), "distance_km": NONNEG,
        "mode": _enum(TransportMode),
    },
    Sale: {
        "id": ID, "product": ID, "customer": TEXT, "quantity": NONNEG, "unit": UNIT, "distance_km": NONNEG,
        "mode": _enum(TransportMode), "use_kwh_per_unit": NONNEG, "eol": TEXT,
    },
}  # fmt: skip


@dataclass
class Accepted:
    """The accepted rows of a table: positions (0-based), ids, whether the id was given, and the
    typed values per column with the mask of given cells (columns without any given cell left out)."""

    rows: np.ndarray
    ids: pa.Array  # string
    explicit_id: np.ndarray
    values: dict[str, np.ndarray | pa.Array]  # per column with a given cell: string (Arrow), float64, int64, bool
    given: dict[str, np.ndarray]  # per column in ``values``: the cell was not empty


def _length(s: pd.Series) -> np.ndarray:
    """Characters (code points) per cell, as pydantic's ``max_length`` counts them."""
    return pc.utf8_length(pa.array(s, pa.string())).to_numpy(zero_copy_only=False)


def _units_ok(cells: pd.Series) -> np.ndarray:
    """Cells that parse as a unit, parsing each distinct string once."""
    good = {}
    for u in cells.unique():
        try:
            parse_unit(u)
            good[u] = True
        except UnitError:
            good[u] = False
    return cells.map(good).to_numpy(dtype=bool)


def _check(cell: Cell, s: pd.Series, given: np.ndarray) -> tuple[np.ndarray, Any]:
    """(ok per row, typed values) of one column; empty cells are ok here (required is checked apart)."""
    if cell.kind in ("text", "id"):
        ok = ~given | (_length(s) <= 200) if cell.kind == "id" else np.ones(len(s), bool)
        return ok, s
    if cell.kind == "unit":
        return ~given | _units_ok(s.where(given, "t")), s
    if cell.kind == "enum":
        return ~given | s.isin(cell.choices).to_numpy(), s
    if cell.kind == "bool":
        low = s.str.lower()
        return ~given | low.isin(_TRUE + _FALSE).to_numpy(), low.isin(_TRUE).to_numpy()
    pattern = r"^\d+$" if cell.kind == "int" else _NUMBER
    cells = pa.array(s, pa.string())
    ok = ~given | pc.match_substring_regex(cells, pattern).to_numpy(zero_copy_only=False)
    # Arrow's parser rounds correctly, as float() does; only cells of the number pattern are cast
    x = pc.cast(pc.if_else(pa.array(ok & given), cells, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    if cell.kind == "real":
        ok &= ~given | np.isfinite(x)
    if cell.lo is not None:
        ok &= ~given | ((x > cell.lo) if cell.lo_open else (x >= cell.lo))
    if cell.hi is not None:
        ok &= ~given | (x <= cell.hi)
    return ok, x.astype(np.int64) if cell.kind == "int" else x


def _flow_rules(v: dict[str, np.ndarray], g: dict[str, np.ndarray]) -> np.ndarray:
    """``Flow._amount``: a quantity (with unit) or a spend; a distance needs a mode."""
    return (g["quantity"] | g["spend_cny"]) & (~g["quantity"] | g["unit"]) & (~g["distance_km"] | g["mode"])


def _activity_rules(v: dict[str, np.ndarray], g: dict[str, np.ndarray]) -> np.ndarray:
    """``Activity._green_only_on_power``: green_mwh (non-zero) only on electricity."""
    return ~(g["green_mwh"] & (v["green_mwh"] != 0)) | (v["type"] == "electricity").to_numpy()


RULES: dict[type[Entity], Callable[[dict, dict], np.ndarray]] = {Flow: _flow_rules, Activity: _activity_rules}


def _default_ids(etype: type[Entity], v: dict[str, Any], g: dict[str, np.ndarray]) -> pd.Series:
    """The ids the models build for rows without one (``Entity._default_id``, ``Flow._default_id``)."""
    if etype is Flow:
        cat = np.where(g["category"], v["category"], np.where(v["capital"] & g["capital"], 2, 1))
        return v["from"] + "|" + v["to"] + "|" + pd.Series(cat, index=v["from"].index).astype(str)
    keys = getattr(etype, "id_keys", ())
    if not keys:  # the id is required: rows without one are not accepted
        return pd.Series([""] * len(v["id"]), index=v["id"].index, dtype=object)
    out = v[keys[0]]
    for k in keys[1:]:
        out = out + "|" + v[k]
    return out


def accept(etype: type[Entity], cells: dict[str, pd.Series]) -> Accepted | None:
    """Rows of ``cells`` (stripped strings per column, ``""`` for empty) that pydantic would accept,
    or ``None`` if ``etype`` has no vectorised path. Blank rows are neither accepted nor rejected
    here (the caller skips them)."""
    spec = SPECS.get(etype)
    renamed = {n for n, f in etype.model_fields.items() if f.alias and f.alias != n}  # e.g. a "source" column
    if spec is None or renamed & set(cells):
        return None
    n = len(next(iter(cells.values()))) if cells else 0
    empty = pd.Series([""] * n, dtype=object)
    ok = np.ones(n, bool)
    values: dict[str, Any] = {}
    given: dict[str, np.ndarray] = {}
    required = {f.alias or k for k, f in etype.model_fields.items() if f.is_required()}
    for name, cell in spec.items():
        s = cells.get(name, empty).reset_index(drop=True)
        g = (s != "").to_numpy()
        col_ok, vals = _check(cell, s, g)
        ok &= col_ok
        if name in required and name != "id":
            ok &= g
        given[name], values[name] = g, vals
    if etype in RULES:
        ok &= RULES[etype](values, given)
    explicit = given["id"]
    if not getattr(etype, "id_keys", ()) and etype is not Flow:
        ok &= explicit
    ids = values["id"].where(explicit, _default_ids(etype, values, given))
    ok &= _length(ids) <= 200
    rows = np.flatnonzero(ok)
    typed: dict[str, np.ndarray] = {}
    present: dict[str, np.ndarray] = {}
    for name in spec:
        g = given[name][rows]
        if name == "id" or not g.any():
            continue
        col = values[name]
        typed[name] = _take(col, rows) if isinstance(col, pd.Series) else col[rows]
        present[name] = g
    return Accepted(rows, _take(ids, rows), explicit[rows], typed, present)


def _take(s: pd.Series, rows: np.ndarray) -> pa.Array:
    """Rows of a string column as an Arrow array (no Python object per cell)."""
    return pa.array(s, pa.string()).take(pa.array(rows))
