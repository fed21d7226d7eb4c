"""Plausibility bounds per field (``seed_data/plausibility.csv``: bound, unit and justification).

A value above its field's bound is an error naming the bound unless the user passes
``--allow-implausible`` (then it is listed in the import summary). A value above
:data:`HARD_MAX` is refused even then: no yearly quantity, price or factor in any unit people
write comes near it, and totals built from it would be meaningless. Checks are vectorised over the
pandas frames as read (strings); a cell that is not a number is left to the row validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from tanlian.errors import RowError
from tanlian.seed_data.library import seed_path

#: Refused whatever the options: 1e15 kWh is 100 × the world's yearly electricity, 1e15 kg is 1 000 Gt.
HARD_MAX = 1e15
#: Rows listed per column before the rest is summed up in one more error.
SHOWN_PER_COLUMN = 50
#: Column name in the bounds table standing for every gas column of ``factors``.
GASES = "gases"


@lru_cache
def bounds() -> pd.DataFrame:
    """The bounds table: ``table, column, max, unit, justification``."""
    df = pd.read_csv(seed_path("plausibility.csv"), dtype=str, keep_default_na=False)
    return df.assign(max=df["max"].astype(float))


def _columns(table: str, column: str, df: pd.DataFrame, gas_names: Mapping[str, str]) -> list[str]:
    if column == GASES and table == "factors":
        return [c for c in df.columns if str(c).lower() in gas_names]
    return [column] if column in df.columns else []


def check_bounds(
    tables: Mapping[str, pd.DataFrame], gas_names: Mapping[str, str], *, allow: bool = False
) -> tuple[list[RowError], list[str]]:
    """(errors, notes) of every value above its field's bound; ``allow``: notes instead of errors
    up to :data:`HARD_MAX`."""
    errors: list[RowError] = []
    notes: list[str] = []
    for b in bounds().itertuples(index=False):
        df = tables.get(b.table)
        if df is None:
            continue
        for col in _columns(b.table, b.column, df, gas_names):
            text = df[col].astype(str).str.strip()
            num = pd.to_numeric(text, errors="coerce").abs()  # signs are the row validation's business
            over = (num > b.max).to_numpy()
            if not over.any():
                continue
            hard = (num > HARD_MAX).to_numpy()
            file, where = f"{b.table}.csv", f"{b.table}.{col}"
            bound = f"{b.max:g} {b.unit}"
            if allow:
                soft = (over & ~hard).nonzero()[0]
                if len(soft):
                    rows = ", ".join(str(i + 2) for i in soft[:10]) + (" …" if len(soft) > 10 else "")
                    notes.append(
                        f"{file}: {len(soft)} value(s) of {col} above the plausible {bound} kept "
                        f"(--allow-implausible): row(s) {rows}"
                    )
                pick = hard
                reason = f"above {HARD_MAX:g}, the most any field may hold (refused even with --allow-implausible)"
            else:
                pick = over
                reason = (
                    f"implausible: above {bound}, the largest plausible {where} ({b.justification}); "
                    "pass --allow-implausible if it is right"
                )
            idx = pick.nonzero()[0]
            errors += [RowError(file, int(i) + 2, col, text.iloc[i], reason) for i in idx[:SHOWN_PER_COLUMN]]
            if len(idx) > SHOWN_PER_COLUMN:
                more = len(idx) - SHOWN_PER_COLUMN
                errors.append(RowError(file, None, col, None, f"{more} more row(s) with the same problem"))
    return errors, notes


__all__ = ["HARD_MAX", "bounds", "check_bounds"]
