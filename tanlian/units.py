"""The one shared pint registry and the conversions the rest of Tanlian uses.

Extra units: ``CNY`` (its own dimension, currency), ``tce`` / ``kgce`` (coal equivalent,
29.3076 GJ per tce, GB/T 2589-2020 §3.3), ``item``/``piece``/``pcs`` (counted goods).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import pint

from tanlian.errors import UnitError

_NUMBER_OUTSIDE_EXPONENT = re.compile(r"(?<![*^\d.])\d")

ureg = pint.UnitRegistry(cache_folder=None)
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
def is_mass(unit: str) -> bool:
    """True when the unit measures mass."""
    return parse_unit(unit).dimensionality == _MASS


def convertible(from_unit: str, to_unit: str) -> bool:
    """True when a quantity in ``from_unit`` can be expressed in ``to_unit``."""
    return not isinstance(_conversion(from_unit, to_unit), str)
