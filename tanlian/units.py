"""The one shared pint registry and the conversions the rest of Tanlian uses.

Extra units: ``CNY`` (its own dimension, currency), ``tce`` / ``kgce`` (coal equivalent,
29.3076 GJ per tce, GB/T 2589-2020 §3.3), ``item``/``piece``/``pcs`` (counted goods).

Pint parses its definition files at start-up (~0.13 s of every command); the parsed definitions
are kept in a disk cache (:func:`pint_cache_folder`), which brings that to ~0.015 s.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from functools import lru_cache
from pathlib import Path

import pint

from tanlian.errors import UnitError

_NUMBER_OUTSIDE_EXPONENT = re.compile(r"(?<![*^\d.])\d")


def pint_cache_folder() -> Path | None:
    """Where pint keeps its parsed definitions: ``$TANLIAN_CACHE_DIR`` (default
    ``$XDG_CACHE_HOME/tanlian``, else ``~/.cache/tanlian``) / ``pint-<version>-<install>``;
    None (no cache) when ``TANLIAN_CACHE_DIR`` is empty or the folder cannot be made.

    One folder per pint installation: pint's own shared cache (``:auto:``) is keyed by file
    contents and remembers absolute paths of included files, so an entry written by another
    environment whose files are gone breaks the registry of every other one."""
    base = os.environ.get("TANLIAN_CACHE_DIR")
    if base == "":
        return None
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        base = str(Path(xdg) / "tanlian")
    install = hashlib.sha1(str(Path(pint.__file__).resolve().parent).encode()).hexdigest()[:12]
    folder = Path(base) / f"pint-{pint.__version__}-{install}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def _registry() -> pint.UnitRegistry:
    """pint's default registry, its definitions read through the disk cache when it works."""
    folder = pint_cache_folder()
    if folder is not None:
        try:
            return pint.UnitRegistry(cache_folder=folder)
        except Exception:  # a damaged or half-written cache entry: parse the files instead
            pass
    return pint.UnitRegistry(cache_folder=None)


ureg = _registry()
ureg.define("CNY = [currency] = yuan = RMB")
ureg.define("tce = 29.3076 * GJ = tonne_coal_equivalent")
ureg.define("kgce = 29.3076 * MJ")
ureg.define("item = [count] = unit_item")
ureg.define("piece = item = pcs")
ureg.define("Nm3 = m**3")


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string (``t``, ``kWh``, ``m**3``, ``t*km``, ``CNY``); a number in it is an error."""
    if text is None or not str(text).strip():
        raise UnitError("empty unit")
    s = str(text).strip()
    if _NUMBER_OUTSIDE_EXPONENT.search(s):
        raise UnitError(f"{s!r} is a number with a unit; write a unit only (e.g. 'm**3')")
    try:
        q = ureg(s)
    except Exception as exc:  # pint raises several types for bad strings
        raise UnitError(f"unknown unit {s!r}") from exc
    if not isinstance(q, pint.Quantity) or not math.isclose(q.magnitude, 1.0):
        raise UnitError(f"{s!r} is not a unit")
    return q.units


@lru_cache(maxsize=4096)
def _conversion(from_unit: str, to_unit: str) -> float | str:
    """The factor, or the reason there is none (cached either way: an import asks the same
    pair once per row, and pint takes ~0.1 ms per conversion, more when it fails)."""
    try:
        src, dst = parse_unit(from_unit), parse_unit(to_unit)
    except UnitError as exc:
        return str(exc)
    try:
        return float(ureg.Quantity(1.0, src).to(dst).magnitude)
    except pint.DimensionalityError:
        return f"cannot convert {from_unit!r} to {to_unit!r}"


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """How many ``to_unit`` one ``from_unit`` is (e.g. ``kg`` → ``t`` = 0.001).

    Computed once per distinct pair of unit strings (cached).
    """
    out = _conversion(from_unit, to_unit)
    if isinstance(out, str):
        raise UnitError(out)
    return out


_MASS = ureg.kg.dimensionality


@lru_cache(maxsize=4096)
def is_mass(unit: str | None) -> bool:
    """True when the unit measures mass (no unit: False)."""
    return bool(unit) and parse_unit(unit).dimensionality == _MASS


def convertible(from_unit: str, to_unit: str) -> bool:
    """True when a quantity in ``from_unit`` can be expressed in ``to_unit``."""
    return not isinstance(_conversion(from_unit, to_unit), str)
