"""The base of every stored entity and the field types the models share (pydantic v2).

Quantities are finite and non-negative; units are pint strings checked against the shared
registry. Columns that the format does not list are kept as extra properties (``model_extra``).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from tanlian.units import parse_unit


def _check_unit(value: str) -> str:
    parse_unit(value)  # raises UnitError, which pydantic reports as a value error
    return value


Unit = Annotated[str, AfterValidator(_check_unit)]
Id = Annotated[str, Field(min_length=1, max_length=200)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

AllocationRule = Literal["economic", "mass", "energy", "explicit"]
ProductKind = Literal["product", "byproduct", "waste", "energy"]
#: What an ``energy`` product carries. The first four are Scope 2 for a buyer (DECISIONS 14);
#: a fuel is a purchased good (Category 1) whose combustion is the buyer's own Scope 1.
Carrier = Literal["electricity", "heat", "steam", "cooling", "fuel"]
SCOPE2_CARRIERS: frozenset[str] = frozenset({"electricity", "heat", "steam", "cooling"})
FactorKind = Literal["energy", "material", "service", "waste", "spend"]
ActivityType = Literal["fuel", "process", "electricity", "heat", "steam", "removal"]
TransportMode = Literal["road", "rail", "sea", "inland_water", "air", "pipeline"]
Role = Literal["park_admin", "enterprise", "auditor", "partner", "platform_admin"]

FACTOR_PREFIX = "factor:"


class Entity(BaseModel):
    """Common base: a string ``id`` unique per entity type, extra columns kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, str_strip_whitespace=True, validate_assignment=True)
    type_name: ClassVar[str]
    file: ClassVar[str]
    #: an auxiliary type whose records feed the solve sets this, so writing it bumps the store's
    #: ``revision()`` like a bundle write (every bundle type does anyway)
    affects_results: ClassVar[bool] = False
    id: Id

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: Any) -> Any:
        """Rows of types with ``id_keys`` may omit ``id``: it is built from those columns."""
        keys = getattr(cls, "id_keys", ())
        if keys and isinstance(data, dict) and not data.get("id"):
            data = {**data, "id": "|".join(str(data.get(k, "")) for k in keys)}
        return data

    def record(self) -> dict[str, Any]:
        """JSON-ready dict (aliases as in the bundle format, None left out, extras included)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
