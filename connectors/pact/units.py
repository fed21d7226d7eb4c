"""Declared units: a product's unit → the PACT ``declaredUnitOfMeasurement`` and the conversion.

The table (by dimension of the product's unit): mass → kilogram (t → kilogram: the value is given
per kg); electricity-type energy (Wh, kWh, MWh, …) → kilowatt hour; other energy (J, MJ, GJ, tce)
→ megajoule; volume → cubic meter (litre units → liter); t·km → ton kilometer; area → square
meter; counted goods (piece, item, count) → piece; time → hour. Anything else is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from tanlian.errors import TanlianError
from tanlian.units import conversion_factor, convertible, parse_unit

#: PACT v3 declared units (DeclaredUnit enumeration) and the pint unit each stands for.
PACT_UNITS: dict[str, str] = {
    "liter": "L",
    "kilogram": "kg",
    "cubic meter": "m**3",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "ton kilometer": "t*km",
    "square meter": "m**2",
    "piece": "piece",
    "hour": "hour",
    "megabit second": "",  # no physical counterpart in Tanlian's units
}
#: v2.3 knows only these declared units (no piece, hour, megabit second).
V2_UNITS = frozenset(
    {"liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule", "ton kilometer", "square meter"}
)

_COUNT_WORDS = frozenset({"count", "piece", "pieces", "pcs", "item", "items", "unit_item"})


class UnmappableUnit(TanlianError):
    """A product unit with no PACT declared unit."""


@dataclass(frozen=True)
class DeclaredUnit:
    """How a product's unit maps to PACT: ``per_product_unit`` declared units in one product unit."""

    name: str  # PACT declaredUnitOfMeasurement
    per_product_unit: float


@lru_cache(maxsize=1024)
def declared_unit(unit: str) -> DeclaredUnit:
    """The PACT declared unit for a product measured in ``unit`` (UnmappableUnit when none fits)."""
    text = unit.strip()
    if text.lower() in _COUNT_WORDS:
        return DeclaredUnit("piece", 1.0)
    parse_unit(text)
    if convertible(text, "piece"):
        return DeclaredUnit("piece", _factor(text, "piece"))
    lowered = text.replace(" ", "").lower()
    candidates = ["kilogram", "ton kilometer", "square meter", "hour"]
    candidates.insert(0, "kilowatt hour" if "wh" in lowered else "megajoule")
    candidates.insert(1, "liter" if lowered in ("l", "liter", "litre", "ml", "hl") else "cubic meter")
    for name in candidates:
        if convertible(text, PACT_UNITS[name]):
            return DeclaredUnit(name, _factor(text, PACT_UNITS[name]))
    raise UnmappableUnit(
        f"unit {unit!r} has no PACT declared unit (mass, energy, volume, t*km, area, pieces or hours are mapped)"
    )


def _factor(src: str, dst: str) -> float:
    return conversion_factor(src, dst)  # cached per pair of unit strings


def product_units_per_declared(unit: str, declared: str) -> float:
    """How many ``unit`` one PACT ``declared`` unit is (for imported footprints)."""
    if declared not in PACT_UNITS or not PACT_UNITS[declared]:
        raise UnmappableUnit(f"PACT declared unit {declared!r} cannot be converted to {unit!r}")
    if declared == "piece" and unit.strip().lower() in _COUNT_WORDS:
        return 1.0
    target = PACT_UNITS[declared]
    if not convertible(target, unit):
        raise UnmappableUnit(
            f"a footprint per {declared} cannot replace the intensity of a product measured in {unit!r}"
        )
    return _factor(target, unit)
