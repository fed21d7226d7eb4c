"""Rows of a table (bundle or seed data) → validated entities, with every problem as a :class:`RowError`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import ValidationError

from tanlian.errors import RowError
from tanlian.graph.fast_rows import Accepted, accept
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
