"""Industrial symbiosis body: residual → need matches and the best assignment."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MatchBody(BaseModel):
    """One residual → need pair; per-unit figures in kgCO2e per unit of `unit`."""

    model_config = ConfigDict(extra="forbid")
    residual: str
    need: str
    supplier: str
    taker: str
    material: str
    unit: str
    max_quantity: float
    distance_km: float | None
    virgin_kgco2e_per_unit: float
    treatment_kgco2e_per_unit: float
    transport_kgco2e_per_unit: float
    benefit_kgco2e_per_unit: float
    quality: str
    notes: list[str]
    assigned_quantity: float
    potential_kgco2e: float = Field(description="kgCO2e per year at the pair's maximum quantity")
    assigned_kgco2e: float = Field(description="kgCO2e per year avoided by the assignment")


class SymbiosisBody(BaseModel):
    """Matches among the park's members (kgCO2e per year avoided)."""

    model_config = ConfigDict(extra="forbid")
    park: str
    gwp: str
    detour: float
    assigned_kgco2e: float
    potential_kgco2e: float
    matches: list[MatchBody]
    unmatched_residuals: list[str]
    unmatched_needs: list[str]
