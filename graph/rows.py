"""Rows of a table (bundle or seed data) → validated entities, with every problem as a :class:`RowError`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import ValidationError

from tanlian.errors import RowError
from tanlian.graph.fast_rows import SPECS, Accepted, accept
from tanlian.graph.model import Activity, Entity, Flow, Need, Residual, Sale
from tanlian.graph.row_input import row_error, row_input

#: Types whose ``id`` column is optional (a default id is built from other columns).
DEFAULT_ID_TYPES: frozenset[type[Entity]] = frozenset({Flow, Activity, Sale, Residual, Need})


def columns_of(etype: type[Entity]) -> list[str]:
    """Column names of a type as the bundle format writes them (aliases), in field order."""
    return [f.alias or n for n, f in etype.model_fields.items() if n != "gases"]


def required_columns(etype: type[Entity]) -> list[str]:
    """Columns a table of this type must have."""
    cols = [f.alias or n for n, f in etype.model_fields.items() if f.is_required()]
    return [c for c in cols if not (c == "id" and etype in DEFAULT_ID_TYPES)]


def cells(etype: type[Entity], df: pd.DataFrame, file: str) -> tuple[list[str], list[pd.Series], list[RowError]]:
    """(column names, stripped string cells per column, missing-column errors) of a table."""
    df = df.rename(columns=lambda c: str(c).strip())
    errors = [
        RowError(file, None, col, None, "missing required column")
        for col in required_columns(etype)
        if col not in df.columns
    ]
    names = list(df.columns)
    return names, [df.iloc[:, k].astype(str).str.strip() for k in range(len(names))], errors


def fast_accept(etype: type[Entity], names: list[str], cols: list[pd.Series]) -> Accepted | None:
    """The vectorised path's accepted rows (None: the type or this header has none)."""
    return accept(etype, dict(zip(names, cols, strict=True))) if len(set(names)) == len(names) else None


def slow_rows(
    etype: type[Entity],
    todo: np.ndarray,
    names: list[str],
    cols: list[pd.Series],
    file: str,
    gas_names: Mapping[str, str],
) -> tuple[list[tuple[int, Entity, bool]], list[RowError]]:
    """Rows ``todo`` (0-based positions) through pydantic: (line, entity, id given) and the errors."""
    parsed: list[tuple[int, Entity, bool]] = []
    errors: list[RowError] = []
    lists = [c.iloc[todo].tolist() for c in cols]
    for j, i in enumerate(todo.tolist()):
        line = i + 2  # header is line 1
        data = row_input(etype, {k: c[j] for k, c in zip(names, lists, strict=True) if c[j] != ""}, gas_names)
        if not data:
            continue  # blank line
        try:
            ent = etype.model_validate(data)
        except ValidationError as exc:
            errors += [row_error(file, line, data, e) for e in exc.errors()]
            continue
        parsed.append((line, ent, "id" in data))
    return parsed, errors


def duplicate_error(file: str, line: int, id: str, first: int, explicit: bool) -> RowError:
    hint = "" if explicit else " (give each flow an explicit id)"
    return RowError(file, line, "id", id, f"duplicate id, first used on row {first}{hint}")


def parse_table(
    etype: type[Entity], df: pd.DataFrame, file: str, gas_names: Mapping[str, str]
) -> tuple[list[tuple[int, Entity]], list[RowError]]:
    """Validate every row; return (line, entity) pairs and the errors (lines as in the file).

    ``gas_names`` maps lower-case column names to gas names (``ch4`` → ``CH4``): the gas columns
    of a factor table.
    """
    names, cols, errors = cells(etype, df, file)
    if errors:
        return [], errors
    fast = fast_accept(etype, names, cols)
    parsed: list[tuple[int, Entity, bool]] = []  # (line, entity, id given)
    slow = np.ones(len(df), bool)
    if fast is not None:
        slow[fast.rows] = False
        parsed = _construct(etype, fast, [n for n in names if n not in SPECS[etype]], cols, names)
    more, errors = slow_rows(etype, np.flatnonzero(slow), names, cols, file, gas_names)
    parsed += more
    if fast is not None:
        parsed.sort(key=lambda t: t[0])
    entities: list[tuple[int, Entity]] = []
    first_row: dict[str, int] = {}
    for line, ent, explicit in parsed:
        if ent.id in first_row:
            errors.append(duplicate_error(file, line, ent.id, first_row[ent.id], explicit))
            continue
        first_row[ent.id] = line
        entities.append((line, ent))
    return entities, errors


def _construct(
    etype: type[Entity], fast: Accepted, extras: list[str], cols: list[pd.Series], names: list[str]
) -> list[tuple[int, Entity, bool]]:
    """Entities of the rows :func:`accept` took, built without re-validating (their values are
    typed): what ``model_construct`` does, column by column instead of field by field per row."""
    n = len(fast.rows)
    fields: list[str] = []
    columns: list[list[object]] = []
    for name, f in etype.model_fields.items():
        default = f.get_default(call_default_factory=True)
        col = fast.column(f.alias or name)
        if name == "id":
            col = fast.ids.to_pylist()
        elif col is None:
            col = [default] * n
        elif default is not None:
            col = [default if v is None else v for v in col]
        fields.append(name)
        columns.append(col)
    extra_cols = [cols[names.index(x)].iloc[fast.rows].tolist() for x in extras]
    extra_rows = (
        [{x: v for x, v in zip(extras, vals, strict=True) if v != ""} for vals in zip(*extra_cols, strict=True)]
        if extras
        else [None] * n
    )
    new, setattr_ = etype.__new__, object.__setattr__
    given = set(fields)
    out = []
    for line, explicit, values, extra in zip(
        (fast.rows + 2).tolist(), fast.explicit_id.tolist(), zip(*columns, strict=True), extra_rows, strict=True
    ):
        ent = new(etype)
        setattr_(ent, "__dict__", dict(zip(fields, values, strict=True)))
        setattr_(ent, "__pydantic_fields_set__", given)
        setattr_(ent, "__pydantic_extra__", extra if extra is not None else {})
        setattr_(ent, "__pydantic_private__", None)
        out.append((line, ent, explicit))
    return out
