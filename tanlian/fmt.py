"""Numbers, units, names and flags as people read them (CLI tables and reports; never JSON or API).

No scientific notation and no ``-0``: whole numbers from 1 000 up with thousands separators,
smaller ones to a few significant figures. CO2e masses in tCO2e from 1 t, else kgCO2e.
"""

from __future__ import annotations

import math
import re
import unicodedata

DASH = "–"  # shown for a missing value
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
#: Smallest number of decimals shown; values that round to zero there print as ``0``.
MAX_DECIMALS = 9
#: From here on a power of ten is easier to read than 16+ digits.
HUGE = 1e15


def number(x: float | int | None, sig: int = 3) -> str:
    """``19630000.4`` → ``19,630,000``; ``12.345`` → ``12.3``; ``0.012345`` → ``0.0123``; ``-0.0`` → ``0``.

    From 1 000 up: the whole number with thousands separators; below: at most ``sig`` significant
    figures, trailing zeros dropped (``5.0`` → ``5``).
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if abs(x) >= HUGE:  # beyond any plausible input (connectors/plausibility.py): 1.23×10¹⁸
        exp = math.floor(math.log10(abs(x)))
        mantissa = float(f"{x / 10**exp:.{sig}g}")
        return f"{number(mantissa, sig)}×10{str(exp).translate(_SUPERSCRIPT)}"
    x = float(f"{float(x):.{sig}g}") if abs(x) < 1000 else float(x)  # round first: 999.96 → 1,000
    if abs(x) >= 1000:
        text = f"{round(x):,}"
    else:
        decimals = 0 if x == 0 else max(0, min(MAX_DECIMALS, sig - 1 - math.floor(math.log10(abs(x)))))
        text = f"{x:,.{decimals}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text  # 5.00 → 5, 1.20 → 1.2
    return "0" if float(text.replace(",", "")) == 0 else text


def signed(x: float | None, sig: int = 3) -> str:
    """A change: ``+1,234``, ``-12.3``, ``0`` (no sign on zero)."""
    text = number(x, sig)
    return text if text in ("0", DASH) or text.startswith("-") else "+" + text


def tonnes(kg: float | None, sig: int = 3) -> str:
    """kg → t as :func:`number` (for columns headed tCO2e)."""
    return number(None if kg is None else kg / 1000, sig)


def co2e(kg: float | None, sig: int = 3) -> str:
    """A CO2e mass with its unit: ``1 963 000 kg`` → ``1,963 tCO2e``; ``950.4`` → ``950 kgCO2e``."""
    if kg is None:
        return DASH
    return f"{tonnes(kg, sig)} tCO2e" if abs(kg) >= 1000 else f"{number(kg, sig)} kgCO2e"


def co2e_scale(kg_values) -> tuple[float, str]:
    """(divisor, unit) for a table of CO2e masses in kg: tCO2e when any reaches 1 t, else kgCO2e."""
    big = any(v is not None and abs(v) >= 1000 for v in kg_values)
    return (1000.0, "tCO2e") if big else (1.0, "kgCO2e")


def percent(share: float | None, decimals: int = 1) -> str:
    """A share (0–1) as a percentage: ``0.1234`` → ``12.3%``; never ``-0.0%``."""
    if share is None:
        return DASH
    text = f"{100 * share:.{decimals}f}"
    return ("0" if float(text) == 0 else text) + "%"


def unit(u: str | None) -> str:
    """A pint unit string as people write it: ``m**3`` → ``m³``, ``t*km`` → ``t·km``, ``kg**-1`` → ``kg⁻¹``."""
    if not u:
        return ""
    text = re.sub(r"\s*\*\*\s*(-?\d+)", lambda m: m.group(1).translate(_SUPERSCRIPT), u)
    return re.sub(r"\s*\*\s*", "·", text)


def quantity(value: float | None, u: str | None, sig: int = 3) -> str:
    """A number with its unit: ``1.47 tCO2/tce``, ``9.3%`` (no space before %), ``m³``; ``–`` alone when missing."""
    if value is None:
        return DASH
    shown = unit(u)
    return f"{number(value, sig)}{'' if shown in ('', '%') else ' '}{shown}"


def cell_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK wide characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` terminal columns, ending in ``…`` when it had to be cut."""
    if cell_width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = cell_width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out).rstrip() + "…"


def yes_no(flag: bool | None) -> str:
    """``True`` → ``yes``, ``False`` → ``no``, ``None`` → ``–``."""
    return DASH if flag is None else ("yes" if flag else "no")


__all__ = [
    "DASH",
    "cell_width",
    "co2e",
    "co2e_scale",
    "cut",
    "number",
    "percent",
    "quantity",
    "tonnes",
    "unit",
    "yes_no",
]
