"""Read and write bundle tables: a folder of CSV files or one XLSX workbook (pandas)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tanlian.errors import RowError, ValidationFailed


def read_tables(path: str | Path) -> dict[str, pd.DataFrame]:
    """Every table of a bundle as strings (``""`` for empty cells), keyed by name without ``.csv``."""
    p = Path(path)
    if not p.exists():
        raise ValidationFailed([RowError(str(p), None, None, None, "bundle not found")])
    if p.is_dir():
        tables = {}
        errors = []
        for f in sorted(p.glob("*.csv")):
            try:
                tables[f.stem] = _read_csv(f)
            except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
                errors.append(RowError(f.name, None, None, None, f"unreadable CSV: {exc}"))
        if errors:
            raise ValidationFailed(errors)
        return tables
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            sheets = pd.read_excel(p, sheet_name=None, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many types for corrupt files
            raise ValidationFailed([RowError(p.name, None, None, None, f"unreadable workbook: {exc}")]) from exc
        return {name.removesuffix(".csv"): df for name, df in sheets.items()}
    raise ValidationFailed([RowError(p.name, None, None, None, "a bundle is a folder of CSV files or an .xlsx")])


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV as strings: UTF-8 (with or without BOM), else GB18030 — what Excel on a Chinese
    Windows saves as "CSV" (a superset of GBK and GB2312)."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")


#: First characters that make a spreadsheet read a cell as a formula (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@")


def escape_formulas(sheet) -> int:
    """Make every text cell that starts like a formula plain text (an openpyxl worksheet): the
    value is kept, the cell is typed as a string and quote-prefixed, as Excel does for ``'=...``.
    Returns how many cells were escaped."""
    n = 0
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"
                cell.quotePrefix = True
                n += 1
    return n


def write_tables(tables: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write tables as CSV files (UTF-8 with BOM) into a folder, or as sheets of one workbook when
    ``path`` ends in .xlsx."""
    p = Path(path)
    if p.suffix.lower() == ".xlsx":
        p.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(p, engine="openpyxl") as xl:
            for name, df in tables.items():
                df.to_excel(xl, sheet_name=name, index=False)
                escape_formulas(xl.sheets[name])
        return p
    p.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_csv(p / f"{name}.csv", index=False, encoding="utf-8-sig")  # BOM: Excel reads it as UTF-8
    return p
