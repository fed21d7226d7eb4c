"""Rows of a table (bundle or seed data) → validated entities, with every problem as a :class:`RowError`."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pydantic import ValidationError

from tanlian.errors import RowError
from tanlian.graph.model import Activity, Entity, Factor, Flow, Need, Residual, Sale

#: Types whose ``id`` column is optional (a default id is built from other columns).
DEFAULT_ID_TYPES: frozenset[type[Entity]] = frozenset({Flow, Activity, Sale, Residual, Need})


def columns_of(etype: type[Entity]) -> list[str]:
    """Column names of a type as the bundle format writes them (aliases), in field order."""
    return [f.alias or n for n, f in etype.model_fields.items() if n != "gases"]


def required_columns(etype: type[Entity]) -> list[str]:
    """Columns a table of this type must have."""
    cols = [f.alias or n for n, f in etype.model_fields.items() if f.is_required()]
    return [c for c in cols if not (c == "id" and etype in DEFAULT_ID_TYPES)]


def _row_dict(etype: type[Entity], row: dict[str, str], names: Mapping[str, str]) -> dict[str, object]:
    """One row's cells (stripped, empty ones left out) as model input; gas columns of factors nested."""
    data: dict[str, object] = dict(row)
    if etype is Factor:
        gases = {names[k.lower()]: data.pop(k) for k in list(data) if k.lower() in names}
        if gases:
            data["gases"] = gases
    return data


def _error(file: str, row: int, data: dict[str, object], err: dict) -> RowError:
    loc = [str(x) for x in err.get("loc", ())]
    column = loc[0] if loc else None
    if column == "gases" and len(loc) > 1:
        column = loc[1]
        value = data.get("gases", {}).get(column)  # type: ignore[union-attr]
    else:
        value = data.get(column) if column else None
    msg = err.get("msg", "invalid").removeprefix("Value error, ")
    if err.get("type") == "missing":
        msg = "required value is empty"
    return RowError(file, row, column, None if value is None else str(value), msg)


def parse_table(
    etype: type[Entity], df: pd.DataFrame, file: str, gas_names: Mapping[str, str]
) -> tuple[list[tuple[int, Entity]], list[RowError]]:
    """Validate every row; return (line, entity) pairs and the errors (lines as in the file).

    ``gas_names`` maps lower-case column names to gas names (``ch4`` → ``CH4``): the gas columns
    of a factor table.
    """
    df = df.rename(columns=lambda c: str(c).strip())
    errors = [
        RowError(file, None, col, None, "missing required column")
        for col in required_columns(etype)
        if col not in df.columns
    ]
    if errors:
        return [], errors
    entities: list[tuple[int, Entity]] = []
    first_row: dict[str, int] = {}
    names = list(df.columns)
    # cells stripped column by column (vectorised), then one dict per row without the empty ones
    cols = [df.iloc[:, k].astype(str).str.strip().tolist() for k in range(len(names))]
    for i, values in enumerate(zip(*cols, strict=True)):
        line = i + 2  # header is line 1
        data = _row_dict(etype, {k: v for k, v in zip(names, values, strict=True) if v != ""}, gas_names)
        if not data:
            continue  # blank line
        try:
            ent = etype.model_validate(data)
        except ValidationError as exc:
            errors += [_error(file, line, data, e) for e in exc.errors()]
            continue
        if ent.id in first_row:
            hint = " (give each flow an explicit id)" if "id" not in data else ""
            errors.append(
                RowError(file, line, "id", ent.id, f"duplicate id, first used on row {first_row[ent.id]}{hint}")
            )
            continue
        first_row[ent.id] = line
        entities.append((line, ent))
    return entities, errors
