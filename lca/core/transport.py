"""Freight: tonne-kilometres times the ``transport_<mode>`` factor (kgCO2e per t·km).

The one place this formula lives: Category 4 lines of inputs, Category 9 of sales, delivery of
procurement alternatives and of symbiosis matches all call it.
"""

from __future__ import annotations

from tanlian.graph.model import Factor
from tanlian.lca.core.factors import FactorBook
from tanlian.units import conversion_factor


def freight(book: FactorBook, mode: str | None, mass_t: float, km: float) -> tuple[Factor, float]:
    """The ``transport_<mode>`` factor and the amount moved in its unit (``mass_t`` t × ``km`` km)."""
    tf = book.get(f"transport_{mode}")
    return tf, mass_t * km * conversion_factor("t*km", tf.unit)


def freight_kgco2e(book: FactorBook, mode: str | None, mass_t: float, km: float) -> float:
    """kgCO2e of moving ``mass_t`` tonnes ``km`` kilometres by ``mode``."""
    tf, amount = freight(book, mode, mass_t, km)
    return amount * book.co2e(tf)
