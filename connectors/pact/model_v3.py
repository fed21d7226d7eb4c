"""PACT v3.0 ProductFootprint as pydantic models (Technical Specifications 3.0.3, data model).

Used to validate footprints (ours and imported ones) and to write the JSON Schema
(``schema/product-footprint-v3.schema.json``). Decimals are strings (:data:`Dec`); ranges the
spec states in prose (DQR 1–5, percentages 0–100, signs) are checked in validators.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from tanlian.connectors.pact.decimals import DECIMAL_PATTERN, to_float

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Dec = Annotated[str, Field(pattern=DECIMAL_PATTERN, description='decimal as a string, e.g. "1.25"')]
Urn = Annotated[str, Field(pattern=r"^[uU][rR][nN]:\S+$")]
PfId = Annotated[str, Field(pattern=UUID_PATTERN)]
SpecVersion = Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+(-\d{8})?$")]
Unique = {"uniqueItems": True}

DeclaredUnitOfMeasurement = Literal[
    "liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule",
    "ton kilometer", "square meter", "piece", "hour", "megabit second",
]  # fmt: skip
RegionOrSubregion = Literal[
    "Africa", "Americas", "Asia", "Europe", "Oceania", "Australia and New Zealand", "Central Asia",
    "Eastern Asia", "Eastern Europe", "Latin America and the Caribbean", "Melanesia", "Micronesia",
    "Northern Africa", "Northern America", "Northern Europe", "Polynesia", "South-eastern Asia",
    "Southern Asia", "Southern Europe", "Sub-Saharan Africa", "Western Asia", "Western Europe",
]  # fmt: skip
GEOGRAPHY_FIELDS = ("geographyCountry", "geographyCountrySubdivision", "geographyRegionOrSubregion")
#: decimals that must be ≥ 0 and ≤ 0 (spec: "x-comment" of each property)
NON_NEGATIVE = (
    "declaredUnitAmount", "productMassPerDeclaredUnit", "fossilGhgEmissions", "fossilCarbonContent",
    "biogenicCarbonContent", "recycledCarbonContent", "landUseChangeGhgEmissions", "landCarbonLeakage",
    "landManagementFossilGhgEmissions", "landManagementBiogenicCO2Emissions", "biogenicNonCO2Emissions",
    "landAreaOccupation", "aircraftGhgEmissions", "packagingGhgEmissions", "packagingBiogenicCarbonContent",
    "outboundLogisticsGhgEmissions", "ccuCarbonContent", "exemptedEmissionsPercent", "primaryDataShare",
)  # fmt: skip
NON_POSITIVE = (
    "landManagementBiogenicCO2Removals", "biogenicCO2Uptake", "ccsTechnologicalCO2Capture", "technologicalCO2Removals",
)  # fmt: skip
PERCENT = ("exemptedEmissionsPercent", "primaryDataShare")


class _Open(BaseModel):
    """Unknown properties are kept (extensions of newer minor versions), not rejected."""

    model_config = ConfigDict(extra="allow")


class DataQualityIndicators(_Open):
    """Data quality ratings, each 1 (best) to 5."""

    technologicalDQR: Dec
    geographicalDQR: Dec
    temporalDQR: Dec

    @field_validator("technologicalDQR", "geographicalDQR", "temporalDQR")
    @classmethod
    def _one_to_five(cls, v: str) -> str:
        if not 1 <= to_float(v) <= 5:
            raise ValueError("a data quality rating is between 1 and 5")
        return v


class EmissionFactorSource(_Open):
    name: Annotated[str, Field(min_length=1)]
    version: Annotated[str, Field(min_length=1)]


_GEO_PAIRS = [[a, b] for i, a in enumerate(GEOGRAPHY_FIELDS) for b in GEOGRAPHY_FIELDS[i + 1 :]]


class CarbonFootprint(_Open):
    """The ``pcf`` of a ProductFootprint (values per declared unit)."""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"not": {"anyOf": [{"required": p} for p in _GEO_PAIRS]}}
    )

    declaredUnitOfMeasurement: DeclaredUnitOfMeasurement
    declaredUnitAmount: Dec
    productMassPerDeclaredUnit: Dec
    referencePeriodStart: AwareDatetime
    referencePeriodEnd: AwareDatetime
    geographyCountry: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    geographyCountrySubdivision: Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None = None
    geographyRegionOrSubregion: RegionOrSubregion | None = None
    boundaryProcessesDescription: str | None = None
    pcfExcludingBiogenicUptake: Dec
    pcfIncludingBiogenicUptake: Dec
    fossilGhgEmissions: Dec
    fossilCarbonContent: Dec
    biogenicCarbonContent: Dec | None = None
    packagingEmissionsIncluded: bool | None = None
    ipccCharacterizationFactors: Annotated[
        list[Annotated[str, Field(pattern=r"^AR\d+$")]], Field(min_length=1, json_schema_extra=Unique)
    ]
    crossSectoralStandards: Annotated[
        list[Annotated[str, Field(min_length=1)]], Field(min_length=1, json_schema_extra=Unique)
    ]
    exemptedEmissionsPercent: Dec
    exemptedEmissionsDescription: str | None = None
    allocationRulesDescription: str | None = None
    secondaryEmissionFactorSources: Annotated[list[EmissionFactorSource], Field(min_length=1)] | None = None
    primaryDataShare: Dec | None = None
    dqi: DataQualityIndicators | None = None

    @model_validator(mode="after")
    def _rules(self) -> CarbonFootprint:
        values = {**(self.model_extra or {}), **self.__dict__}
        for name in NON_NEGATIVE:
            v = values.get(name)
            if isinstance(v, str) and to_float(v) < 0:
                raise ValueError(f"{name} must be >= 0, got {v!r}")
        for name in NON_POSITIVE:
            v = values.get(name)
            if isinstance(v, str) and to_float(v) > 0:
                raise ValueError(f"{name} must be <= 0, got {v!r}")
        for name in PERCENT:
            v = values.get(name)
            if isinstance(v, str) and to_float(v) > 100:
                raise ValueError(f"{name} is a percentage (0 to 100), got {v!r}")
        if to_float(self.declaredUnitAmount) <= 0:
            raise ValueError("declaredUnitAmount must be > 0")
        given = [f for f in GEOGRAPHY_FIELDS if getattr(self, f) is not None]
        if len(given) > 1:
            raise ValueError(f"at most one geography may be given, got {', '.join(given)}")
        if self.referencePeriodEnd <= self.referencePeriodStart:
            raise ValueError("referencePeriodEnd must be after referencePeriodStart")
        return self


class ProductFootprint(_Open):
    """A PACT v3 ProductFootprint."""

    id: PfId
    specVersion: SpecVersion
    precedingPfIds: Annotated[list[PfId], Field(min_length=1, json_schema_extra=Unique)] | None = None
    created: AwareDatetime
    status: Literal["Active", "Deprecated"]
    validityPeriodStart: AwareDatetime | None = None
    validityPeriodEnd: AwareDatetime | None = None
    companyName: Annotated[str, Field(min_length=1)]
    companyIds: Annotated[list[Urn], Field(min_length=1, json_schema_extra=Unique)]
    productDescription: str
    productIds: Annotated[list[Urn], Field(min_length=1, json_schema_extra=Unique)]
    productClassifications: Annotated[list[Urn], Field(min_length=1, json_schema_extra=Unique)] | None = None
    productNameCompany: Annotated[str, Field(min_length=1)]
    comment: str | None = None
    pcf: CarbonFootprint
    extensions: list[dict] | None = None

    @model_validator(mode="after")
    def _rules(self) -> ProductFootprint:
        for name in ("companyIds", "productIds", "productClassifications", "precedingPfIds"):
            items = getattr(self, name)
            if items is not None and len(set(items)) != len(items):
                raise ValueError(f"{name} must not repeat an item")
        if self.precedingPfIds and self.id in self.precedingPfIds:
            raise ValueError("precedingPfIds must not contain the footprint's own id")
        if self.validityPeriodStart and self.validityPeriodEnd and self.validityPeriodEnd <= self.validityPeriodStart:
            raise ValueError("validityPeriodEnd must be after validityPeriodStart")
        if not self.specVersion.startswith("3."):
            raise ValueError(f"specVersion {self.specVersion!r} is not a 3.x version")
        return self
