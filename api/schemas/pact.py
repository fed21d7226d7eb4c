"""Bodies of the PACT management routes under ``/v1`` (the PACT routes themselves answer PACT JSON)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ImportedFootprint(BaseModel):
    """One supplier footprint of an import: ``attached`` to a product or ``skipped`` (reason)."""

    pf_id: str
    outcome: str
    product: str | None = None
    kgco2e_per_unit: float | None = Field(None, description="kgCO2e per unit of the product's own unit")
    unit: str | None = None
    reason: str | None = None


class ImportReport(BaseModel):
    source: str
    footprints: list[ImportedFootprint]
