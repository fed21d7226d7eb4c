"""The default data shipped in ``seed_data/``: factor library, GWP sets, materials, indicator thresholds."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from tanlian.errors import ValidationFailed
from tanlian.graph.model import Factor
from tanlian.graph.rows import parse_table


def seed_path(*parts: str) -> Path:
    """Path of a file shipped in ``tanlian.seed_data``."""
    return Path(str(resources.files("tanlian.seed_data").joinpath(*parts)))


def demo_park_path() -> Path:
    return seed_path("demo_park")


@lru_cache
def gwp_table() -> pd.DataFrame:
    """GWP100 by gas (index: gas name as written in data, e.g. ``CH4``), columns ``AR5``, ``AR6``."""
    df = pd.read_csv(seed_path("gwp.csv"), dtype={"gas": str})
    df = df.rename(columns={"ar5": "AR5", "ar6": "AR6"}).set_index("gas")
    return df[["AR5", "AR6"]].astype(float)


@lru_cache
def gas_names() -> dict[str, str]:
    """Lower-case column name → canonical gas name (``ch4`` → ``CH4``)."""
    return {g.lower(): g for g in gwp_table().index}


@lru_cache
def factor_library() -> dict[str, Factor]:
    """Every factor of ``seed_data/factors/*.csv``, validated like bundle rows, keyed by id."""
    out: dict[str, Factor] = {}
    errors = []
    for f in sorted(seed_path("factors").glob("*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        entities, errs = parse_table(Factor, df, f"seed_data/factors/{f.name}", gas_names())
        errors += errs
        out.update({e.id: e for _, e in entities})
    if errors:  # a broken library is a packaging bug, reported with the same detail as input errors
        raise ValidationFailed(errors)
    return out


@lru_cache
def materials() -> pd.DataFrame:
    """Symbiosis vocabulary (``seed_data/materials.csv``), indexed by material id."""
    return pd.read_csv(seed_path("materials.csv"), dtype=str, keep_default_na=False).set_index("id")


@lru_cache
def indicator_thresholds() -> pd.DataFrame:
    """Zero-carbon park "1+5" indicator thresholds (``seed_data/indicators.csv``)."""
    return pd.read_csv(seed_path("indicators.csv"), keep_default_na=False)
