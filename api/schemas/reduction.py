"""Reduction bodies: hotspots, procurement alternatives, what-if scenario reports (kgCO2e per year)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SupplierShare(_Body):
    supplier: str
    kgco2e: float
    share: float


class ProductShare(_Body):
    product: str
    kgco2e: float
    share: float


class EdgeShare(_Body):
    edge: str
    kgco2e: float
    share: float


class PathBody(_Body):
    """One supply path, root first."""

    nodes: list[str]
    enterprises: list[str | None]
    kgco2e: float
    share: float
    aggregated: bool = Field(description="the last node's whole footprint (tier-1 view)")


class HotspotsBody(_Body):
    """Where a footprint comes from; every breakdown sums to `total_kgco2e`."""

    subject: dict[str, str | int]
    total_kgco2e: float
    tier1_only: bool
    by_supplier: list[SupplierShare]
    by_product: list[ProductShare]
    by_edge: list[EdgeShare]
    by_category: dict[str, float]
    by_gas: dict[str, float]
    by_tier: dict[str, float]
    paths: list[PathBody]


class OptionBody(_Body):
    """One source for a whole purchase and its effect on the buyer."""

    source: str
    supplier: str | None
    quantity: float = Field(description="in `unit`")
    unit: str
    kgco2e_per_unit: float | None
    goods_kgco2e: float | None
    distance_km: float | None
    mode: str | None
    transport_kgco2e: float
    total_kgco2e: float | None
    cost_cny: float | None
    method: str
    shared: bool
    transport_note: str
    delta_kgco2e: float | None
    delta_cost_cny: float | None


class Skipped(_Body):
    source: str
    reason: str


class AlternativesBody(_Body):
    """The current source of a purchase and every alternative, best (most negative Δ) first."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    flow: str
    buyer: str
    class_: str | None = Field(alias="class")
    current: OptionBody
    alternatives: list[OptionBody]
    skipped: list[Skipped]


class Change(_Body):
    before: float
    after: float
    delta: float


class SolveBody(_Body):
    method: str
    matrix_changed: bool
    residual: float | None


class ScenarioReport(_Body):
    """What a what-if changed: product intensities (kgCO2e per unit), enterprise and park totals."""

    scenario: str
    solve: SolveBody
    products: dict[str, Change]
    enterprises: dict[str, dict[str, Change]]
    parks: dict[str, dict[str, Change]] = {}
    warnings: list[str]
