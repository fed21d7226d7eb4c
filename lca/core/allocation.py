"""Split an enterprise's burden over its outputs (ISO 14044 §4.3.4: physical, then economic).

``waste`` outputs get nothing (cut-off); ``byproduct`` outputs are allocated like products.
Shares are dimensionless and sum to exactly 1 over the non-waste outputs (explicit shares within
1e-6 of 1 are renormalised). A price of 0 counts as no price (DECISIONS 12: mass fallback).
"""

from __future__ import annotations

from dataclasses import dataclass

from tanlian.errors import AllocationError, UnitError
from tanlian.graph.model import Enterprise, Product
from tanlian.units import conversion_factor

SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Allocation:
    """Shares of the enterprise's burden per product id, and the rule actually applied."""

    shares: dict[str, float]
    rule: str
    note: str | None = None


def _column(p: Product, column: str) -> float | None:
    """The product's value of ``column``; a price of 0 is no price."""
    value = getattr(p, column)
    return None if column == "price_cny" and not value else value


def _per_unit(p: Product, column: str, unit: str) -> float | None:
    """kg (or MJ) per unit of ``p``: the column if given, else from the product's own unit."""
    value = _column(p, column)
    if value is not None:
        return value
    try:
        return conversion_factor(p.unit, unit)
    except UnitError:
        return None


def _weights(products: list[Product], column: str, unit: str | None) -> tuple[dict[str, float], list[str]]:
    weights, missing = {}, []
    for p in products:
        per = _per_unit(p, column, unit) if unit else _column(p, column)
        if per is None:
            missing.append(p.id)
        else:
            weights[p.id] = p.output * per
    return weights, missing


RULE_COLUMNS = {"economic": ("price_cny", None), "mass": ("mass_kg", "kg"), "energy": ("energy_mj", "MJ")}


def allocate(enterprise: Enterprise, products: list[Product]) -> Allocation:
    """Allocation shares of ``enterprise`` over ``products`` (the products it makes)."""
    shares = {p.id: 0.0 for p in products}
    useful = [p for p in products if p.kind != "waste"]
    if not useful:
        return Allocation(shares, "none", "no non-waste output: burden not allocated")
    if len(useful) == 1:
        shares[useful[0].id] = 1.0
        return Allocation(shares, "single")
    rule, note = enterprise.allocation, None
    if rule == "explicit":
        missing = [p.id for p in useful if p.share is None]
        if missing:
            raise AllocationError(enterprise.id, f"rule 'explicit' needs column 'share' for products {missing}")
        total = sum(p.share for p in useful)
        if abs(total - 1) > SHARE_TOLERANCE:
            raise AllocationError(enterprise.id, f"explicit shares sum to {total:g}, not 1")
        shares.update({p.id: p.share / total for p in useful})
        return Allocation(shares, rule)
    column, unit = RULE_COLUMNS[rule]
    weights, missing = _weights(useful, column, unit)
    if missing and rule == "economic":
        mass_w, mass_missing = _weights(useful, "mass_kg", "kg")
        if mass_missing:
            raise AllocationError(
                enterprise.id,
                f"rule 'economic' needs column 'price_cny' for products {missing} "
                f"(mass fallback impossible: no 'mass_kg' for {mass_missing})",
            )
        weights, rule = mass_w, "mass"
        note = f"economic allocation fell back to mass: no (or zero) price_cny for {missing}"
    elif missing:
        raise AllocationError(enterprise.id, f"rule {rule!r} needs column {column!r} for products {missing}")
    total = sum(weights.values())
    if total <= 0:
        raise AllocationError(enterprise.id, f"rule {rule!r}: all outputs weigh zero")
    shares.update({k: w / total for k, w in weights.items()})
    return Allocation(shares, rule, note)
