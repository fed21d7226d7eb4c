"""One table row as model input and a pydantic error of it as a :class:`RowError` — shared by the
bundle's row path (:mod:`rows`) and the seed-data factor library, without pandas or numpy (the
library is read on a fresh CLI's start-up path)."""

from __future__ import annotations

from collections.abc import Mapping

from tanlian.errors import RowError
from tanlian.graph.model import Entity, Factor


def row_input(etype: type[Entity], row: dict[str, str], names: Mapping[str, str]) -> dict[str, object]:
    """One row's cells (stripped, empty ones left out) as model input; gas columns of factors nested
    (``names``: lower-case column name → gas name)."""
    data: dict[str, object] = dict(row)
    if etype is Factor:
        gases = {names[k.lower()]: data.pop(k) for k in list(data) if k.lower() in names}
        if gases:
            data["gases"] = gases
    return data


def row_error(file: str, row: int, data: dict[str, object], err: dict) -> RowError:
    """A pydantic error of one row, located by file, row, column and value."""
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
