"""Account bodies: an enterprise's Scope 1/2/3, a park's inventory and its "1+5" indicators.

Amounts in kgCO2e per year unless a field says otherwise.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Scope3LineBody(_Body):
    """One source of Scope 3."""

    category: int = Field(description="GHG Protocol Scope 3 category")
    counterpart: str = Field(description="product id, factor id, or customer")
    supplier: str | None = Field(description="enterprise making the counterpart, when in the graph")
    source: str = Field(description="flow, activity or sale id")
    quantity: float = Field(description="in `unit`")
    unit: str
    method: str
    kgco2e: float
    primary: bool


class ScopeAccount(_Body):
    """Scope 1, Scope 2 (location and market) and Scope 3 by category of one enterprise."""

    enterprise: str
    name: str | None
    year: int | None
    gwp: str
    scope2_method: str
    scope1_kgco2e: float
    scope1_by_gas: dict[str, float] = Field(description="kgCO2e per year by gas")
    scope2_location_kgco2e: float
    scope2_market_kgco2e: float
    scope3_kgco2e: float
    scope3_by_category: dict[str, float] = Field(description="kgCO2e per year by category number")
    primary_data_share: float | None = Field(description="supplier-specific share of Scope 3 (0–1)")
    removals_kgco2e: float
    lines: list[Scope3LineBody]
    warnings: list[str]


class MemberTotals(_Body):
    """One member's part of the park inventory."""

    enterprise: str
    name: str | None
    scope1_kgco2e: float
    scope2_location_kgco2e: float
    scope2_market_kgco2e: float
    scope3_upstream_kgco2e: float
    scope3_downstream_kgco2e: float
    removals_kgco2e: float
    net_kgco2e: float
    share: float | None = Field(description="of the park's net (0–1)")


class Indicator(_Body):
    """One zero-carbon park indicator with its threshold and verdict."""

    id: str
    name: str
    value: float | None
    unit: str
    threshold: float | None
    passed: bool | None
    reason: str | None
    gate: bool
    basis: str
    energy_tce: float | None = Field(None, description="park energy use, tce per year (first indicator)")


class ParkInventory(_Body):
    """The park inventory without double counting."""

    park: str
    name: str | None
    year: int | None
    gwp: str
    scope2_method: str
    scope1_kgco2e: float
    scope2_location_kgco2e: float
    scope2_market_kgco2e: float
    scope3_upstream_kgco2e: float
    scope3_downstream_kgco2e: float
    removals_kgco2e: float
    net_kgco2e: float
    intra_park_excluded_kgco2e: float
    by_enterprise: list[MemberTotals]
    warnings: list[str]
