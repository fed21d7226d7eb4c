"""The default data shipped in ``seed_data/``: factor library, GWP sets, materials, indicator thresholds.

The factor library and the GWP sets, which every solve reads, are parsed with the ``csv`` module
and pydantic (a fresh ``tanlian footprint`` must not pay for importing pandas, ~0.15 s); the
tables returned as DataFrames import pandas on first use.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from tanlian.errors import RowError, ValidationFailed
from tanlian.graph.model import Factor
from tanlian.graph.row_input import row_error, row_input

if TYPE_CHECKING:
    import pandas as pd

GWP_SETS = ("AR5", "AR6")


def seed_path(*parts: str) -> Path:
    """Path of a file shipped in ``tanlian.seed_data``."""
    return Path(str(resources.files("tanlian.seed_data").joinpath(*parts)))


def demo_park_path() -> Path:
    return seed_path("demo_park")


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, cells stripped) of every row of a CSV file with a header (line 1)."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        reader.fieldnames = [str(c).strip() for c in reader.fieldnames or []]
        for line, row in enumerate(reader, start=2):
            yield line, {k: (v or "").strip() for k, v in row.items() if k is not None}


@lru_cache
def gwp_values() -> dict[str, dict[str, float]]:
    """GWP100 by gas as written in data (``CH4``) and set: ``{"CH4": {"AR5": 28.0, "AR6": 27.9}}``."""
    return {row["gas"]: {s: float(row[s.lower()]) for s in GWP_SETS} for _, row in _csv_rows(seed_path("gwp.csv"))}


@lru_cache
def gwp_table() -> pd.DataFrame:
    """GWP100 by gas (index: gas name as written in data, e.g. ``CH4``), columns ``AR5``, ``AR6``."""
    import pandas as pd  # on first use: the solve path reads gwp_values()

    table = pd.DataFrame.from_dict(gwp_values(), orient="index", columns=list(GWP_SETS))
    table.index.name = "gas"
    return table.astype(float)


@lru_cache
def gas_names() -> dict[str, str]:
    """Lower-case column name → canonical gas name (``ch4`` → ``CH4``)."""
    return {g.lower(): g for g in gwp_values()}


@lru_cache
def factor_library() -> dict[str, Factor]:
    """Every factor of ``seed_data/factors/*.csv``, validated like bundle rows, keyed by id."""
    out: dict[str, Factor] = {}
    errors: list[RowError] = []
    names = gas_names()
    for f in sorted(seed_path("factors").glob("*.csv")):
        file, first = f"seed_data/factors/{f.name}", {}
        for line, row in _csv_rows(f):
            data = row_input(Factor, {k: v for k, v in row.items() if v != ""}, names)
            if not data:
                continue  # blank line
            try:
                factor = Factor.model_validate(data)
            except ValidationError as exc:
                errors += [row_error(file, line, data, e) for e in exc.errors()]
                continue
            if factor.id in first:
                reason = f"duplicate id, first used on row {first[factor.id]}"
                errors.append(RowError(file, line, "id", factor.id, reason))
                continue
            first[factor.id] = line
            out[factor.id] = factor
    if errors:  # a broken library is a packaging bug, reported with the same detail as input errors
        raise ValidationFailed(errors)
    return out


@lru_cache
def materials() -> pd.DataFrame:
    """Symbiosis vocabulary (``seed_data/materials.csv``), indexed by material id."""
    import pandas as pd  # on first use (imports and symbiosis), not at start-up

    return pd.read_csv(seed_path("materials.csv"), dtype=str, keep_default_na=False).set_index("id")


@lru_cache
def indicator_thresholds() -> pd.DataFrame:
    """Zero-carbon park "1+5" indicator thresholds (``seed_data/indicators.csv``)."""
    import pandas as pd  # on first use (accounting), not at start-up

    return pd.read_csv(seed_path("indicators.csv"), keep_default_na=False)
