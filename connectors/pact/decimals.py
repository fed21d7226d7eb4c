"""PACT decimals: every fractional number is a JSON string (``"1.25"``, no exponent)."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

#: A PACT decimal string: optional minus, digits, optional fraction; no exponent, no plus sign.
DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
_DECIMAL = re.compile(DECIMAL_PATTERN)


def dec(value: float, significant: int = 6) -> str:
    """``value`` as a decimal string with ``significant`` significant digits, never an exponent.

    ``dec(1234.5678) == "1234.57"``, ``dec(0.000123456789) == "0.000123457"``, ``dec(0) == "0"``.
    """
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    places = max(significant - 1 - exponent, 0)
    text = f"{round(value, places):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def is_decimal(text: object) -> bool:
    """Whether ``text`` is a PACT decimal string."""
    return isinstance(text, str) and bool(_DECIMAL.match(text))


def to_float(text: str) -> float:
    """The value of a PACT decimal string (ValueError when it is not one)."""
    if not is_decimal(text):
        raise ValueError(f'{text!r} is not a decimal string such as "1.25"')
    try:
        return float(Decimal(text))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules this out
        raise ValueError(f"{text!r} is not a decimal") from exc
