"""PACT v2.3 ProductFootprint as pydantic models (the fields v2.3 requires; for imports and views).

v2.3 differs from v3 in names (declaredUnit, unitaryProductAmount, pCfExcludingBiogenic,
productCategoryCpc, …), in numbers (exemptedEmissionsPercent and primaryDataShare are JSON
numbers) and in the declared units (no piece, hour, megabit second).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from tanlian.connectors.pact.decimals import to_float
from tanlian.connectors.pact.model_v3 import (
    GEOGRAPHY_FIELDS,
    Dec,
    PfId,
    RegionOrSubregion,
    SpecVersion,
    Unique,
    Urn,
    _Open,
)

DeclaredUnitV2 = Literal[
    "liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule", "ton kilometer", "square meter"
]
CrossSectoralV2 = Literal["GHG Protocol Product standard", "ISO Standard 14067", "ISO Standard 14044"]


class CarbonFootprintV2(_Open):
    declaredUnit: DeclaredUnitV2
    unitaryProductAmount: Dec
    productMassPerDeclaredUnit: Dec | None = None
    referencePeriodStart: AwareDatetime
    referencePeriodEnd: AwareDatetime
    geographyCountry: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    geographyCountrySubdivision: Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None = None
    geographyRegionOrSubregion: RegionOrSubregion | None = None
    pCfExcludingBiogenic: Dec
    pCfIncludingBiogenic: Dec | None = None
    fossilGhgEmissions: Dec
    fossilCarbonContent: Dec
    biogenicCarbonContent: Dec
    characterizationFactors: Literal["AR5", "AR6"]
    ipccCharacterizationFactorsSources: Annotated[
        list[Annotated[str, Field(pattern=r"^AR\d+$")]], Field(min_length=1, json_schema_extra=Unique)
    ]
    crossSectoralStandardsUsed: Annotated[list[CrossSectoralV2], Field(min_length=1, json_schema_extra=Unique)]
    boundaryProcessesDescription: str
    exemptedEmissionsPercent: Annotated[float, Field(ge=0, le=100)]
    exemptedEmissionsDescription: str
    packagingEmissionsIncluded: bool
    primaryDataShare: Annotated[float, Field(ge=0, le=100)] | None = None

    @model_validator(mode="after")
    def _rules(self) -> CarbonFootprintV2:
        given = [f for f in GEOGRAPHY_FIELDS if getattr(self, f) is not None]
        if len(given) > 1:
            raise ValueError(f"at most one geography may be given, got {', '.join(given)}")
        if to_float(self.unitaryProductAmount) <= 0:
            raise ValueError("unitaryProductAmount must be > 0")
        for name in ("fossilGhgEmissions", "fossilCarbonContent", "biogenicCarbonContent"):
            if to_float(getattr(self, name)) < 0:
                raise ValueError(f"{name} must be >= 0")
        return self


class ProductFootprintV2(_Open):
    id: PfId
    specVersion: SpecVersion
    precedingPfIds: Annotated[list[PfId], Field(min_length=1, json_schema_extra=Unique)] | None = None
    version: Annotated[int, Field(ge=0)]
    created: AwareDatetime
    updated: AwareDatetime | None = None
    status: Literal["Active", "Deprecated"]
    statusComment: str | None = None
    validityPeriodStart: AwareDatetime | None = None
    validityPeriodEnd: AwareDatetime | None = None
    companyName: Annotated[str, Field(min_length=1)]
    companyIds: Annotated[list[Urn], Field(min_length=1, json_schema_extra=Unique)]
    productDescription: str
    productIds: Annotated[list[Urn], Field(min_length=1, json_schema_extra=Unique)]
    productCategoryCpc: Annotated[str, Field(min_length=1)]
    productNameCompany: Annotated[str, Field(min_length=1)]
    comment: str
    pcf: CarbonFootprintV2

    @model_validator(mode="after")
    def _rules(self) -> ProductFootprintV2:
        if not self.specVersion.startswith("2."):
            raise ValueError(f"specVersion {self.specVersion!r} is not a 2.x version")
        return self
