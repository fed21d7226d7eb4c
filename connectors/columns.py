"""The registry of known bundle tables and columns, and the header check run before any row is read.

Every column a table may carry is named here (mirrored in docs/bundle-format.md): the fields of
the entity type (:mod:`tanlian.graph.model`), plus the columns the code reads from a row's extras
(:data:`EXTRA_COLUMNS`). A header that differs from a known name only in case is renamed and
noted; any other unknown header or table is an error naming the closest known name, unless the
user allows extras (then it is a warning and the values are kept as extra properties).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from tanlian.connectors.brightway import LINK_COLUMNS, LINKS_TABLE, REVIEW_COLUMNS
from tanlian.errors import RowError
from tanlian.graph.model import BUNDLE_TYPES
from tanlian.graph.rows import columns_of, required_columns

#: Free text on any row, kept and never read.
NOTE = "note"

#: Columns the code reads from a row's extras (not model fields), by table: column → what it holds.
EXTRA_COLUMNS: dict[str, dict[str, str]] = {
    "enterprises": {
        "water_use_m3": "number",  # park indicator water_reuse (lca/accounting/indicators.py)
        "water_reused_m3": "number",
        "solid_waste_t": "number",  # solid_waste_utilisation
        "solid_waste_utilised_t": "number",
        "waste_heat_gj": "number",  # waste_heat_utilisation
        "waste_heat_utilised_gj": "number",
    },
}

_UNNAMED = re.compile(r"Unnamed: \d+(_level_\d+)?")

#: Known columns of every table, model fields first (gas columns of ``factors`` come from gwp.csv).
KNOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    **{
        t.file: (*columns_of(t), *EXTRA_COLUMNS.get(t.file, {}), *(() if NOTE in columns_of(t) else (NOTE,)))
        for t in BUNDLE_TYPES
    },
    LINKS_TABLE: (*LINK_COLUMNS, *REVIEW_COLUMNS),
}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    **{t.file: tuple(required_columns(t)) for t in BUNDLE_TYPES},
    LINKS_TABLE: LINK_COLUMNS[:3],
}


@dataclass
class HeaderCheck:
    """The outcome of checking table names and headers: canonical tables, errors, notes, warnings."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # case-only differences, accepted
    warnings: list[str] = field(default_factory=list)  # unknown names kept because extras are allowed


def did_you_mean(name: str, known: list[str] | tuple[str, ...], suffix: str = "") -> str:
    """``; did you mean `x`?`` with the closest known name (difflib, any case), or ``""`` when none is close."""
    close = difflib.get_close_matches(name.lower(), [k.lower() for k in known], n=1, cutoff=0.6)
    if not close:
        return ""
    match = next(k for k in known if k.lower() == close[0])
    return f"; did you mean `{match}{suffix}`?"


def _canonical(name: str, known: tuple[str, ...] | list[str]) -> str | None:
    """The known name equal to ``name`` ignoring case (exact match first), else None."""
    if name in known:
        return name
    return next((k for k in known if k.lower() == name.lower()), None)


def check_headers(
    raw: Mapping[str, pd.DataFrame], gas_names: Mapping[str, str], *, allow_extra: bool = False
) -> HeaderCheck:
    """Map table and column names onto the registry (case-insensitively), reporting the rest.

    ``raw``: tables keyed by file name without ``.csv`` as read; ``gas_names``: lower-case gas
    column → gas name (columns of ``factors``, case-insensitive as always).
    """
    out = HeaderCheck()
    tables = list(KNOWN_COLUMNS)
    for name, df in raw.items():
        table = _canonical(name, tables)
        if table is None:
            hint = did_you_mean(name, tables, ".csv")
            if allow_extra:
                out.warnings.append(f"{name}.csv: unknown table, ignored (--allow-extra){hint}")
            else:
                out.errors.append(RowError(f"{name}.csv", None, None, None, f"unknown table{hint}"))
            continue
        if table in out.tables:
            out.errors.append(RowError(f"{name}.csv", None, None, None, f"a second {table}.csv (names differ in case)"))
            continue
        if table != name:
            out.notes.append(f"{name}.csv read as {table}.csv (case differs)")
        out.tables[table] = _check_columns(table, name, df, gas_names, allow_extra, out)
    return out


def _check_columns(
    table: str, name_as_given: str, df: pd.DataFrame, gas_names: Mapping[str, str], allow_extra: bool, out: HeaderCheck
) -> pd.DataFrame:
    """Rename ``df``'s headers to the registry's names; errors name the file as the user named it."""
    file, known = f"{name_as_given}.csv", KNOWN_COLUMNS[table]
    renames: dict[str, str] = {}
    seen: dict[str, str] = {}
    drop: list = []  # empty columns without a header (Excel leaves them after the last column)
    for col in df.columns:
        raw = str(col)
        name = raw.strip()
        if name == "" or _UNNAMED.fullmatch(name):  # a column without a header (pandas names it Unnamed: N)
            if (df[col].astype(str).str.strip() != "").any():
                out.errors.append(
                    RowError(file, 1, None, None, f"values in column {_position(df, col)}, which has no header")
                )
            else:
                drop.append(col)
            continue
        canon = _canonical(name, known)
        if canon is None and table == "factors" and name.lower() in gas_names:
            canon = name  # gas columns: case-insensitive by design, read by graph/rows.py
        if canon is None:
            hint = did_you_mean(name, known)
            if allow_extra:
                out.warnings.append(f"{file}: unknown column `{name}` kept as an extra property (--allow-extra){hint}")
                canon = name
            else:
                out.errors.append(RowError(file, 1, name, None, f"unknown column{hint}"))
                continue
        elif canon != name:
            out.notes.append(f"{file}: column `{name}` read as `{canon}` (case differs)")
        if canon.lower() in seen:
            out.errors.append(RowError(file, 1, name, None, f"column given twice (also as `{seen[canon.lower()]}`)"))
            continue
        seen[canon.lower()] = name
        renames[raw] = canon
    missing = [c for c in REQUIRED_COLUMNS[table] if c not in renames.values()]
    out.errors += [RowError(file, None, c, None, "missing required column") for c in missing]
    return df.drop(columns=drop).rename(columns=renames)


def _position(df: pd.DataFrame, col) -> int:
    """1-based position of ``col`` (as a spreadsheet counts columns)."""
    return list(df.columns).index(col) + 1


def numeric_extras(tables: Mapping[str, pd.DataFrame]) -> list[RowError]:
    """Extra columns read as numbers (park indicator columns) must hold numbers ≥ 0 or be empty."""
    errors: list[RowError] = []
    for table, cols in EXTRA_COLUMNS.items():
        df = tables.get(table)
        if df is None:
            continue
        for col in (c for c, kind in cols.items() if kind == "number" and c in df.columns):
            text = df[col].astype(str).str.strip()
            num = pd.to_numeric(text, errors="coerce")
            bad = (text != "") & ~(num >= 0) | num.isin([float("inf")])
            errors += [
                RowError(f"{table}.csv", int(i) + 2, col, text.iloc[i], "not a finite number ≥ 0")
                for i in bad.to_numpy().nonzero()[0]
            ]
    return errors


__all__ = ["EXTRA_COLUMNS", "KNOWN_COLUMNS", "REQUIRED_COLUMNS", "HeaderCheck", "check_headers", "numeric_extras"]
