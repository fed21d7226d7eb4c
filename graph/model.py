"""Domain entities of the product & supplier graph (pydantic v2).

Fields follow the bundle format (docs/bundle-format.md). Quantities are finite and
non-negative; units are pint strings checked against the shared registry. Columns that the
format does not list are kept as extra properties (``model_extra``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from tanlian.graph.aux_model import (
    AuditEntry,
    Client,
    PactFootprint,
    PactPartner,
    PactRequest,
    RateCounter,
    SupplierFootprint,
)
from tanlian.graph.entity import (
    FACTOR_PREFIX,
    SCOPE2_CARRIERS,
    ActivityType,
    AllocationRule,
    Carrier,
    Entity,
    FactorKind,
    Id,
    NonNeg,
    Positive,
    ProductKind,
    Role,
    Share,
    TransportMode,
    Unit,
)

__all__ = [  # the model's vocabulary, including what it re-exports from entity.py and aux_model.py
    "AUX_TYPES",
    "BUNDLE_TYPES",
    "ENTITY_TYPES",
    "FACTOR_PREFIX",
    "SCOPE2_CARRIERS",
    "YEARLESS_TYPES",
    "Activity",
    "ActivityType",
    "AllocationRule",
    "AuditEntry",
    "Carrier",
    "Client",
    "Enterprise",
    "Entity",
    "Factor",
    "FactorKind",
    "Flow",
    "Graph",
    "Need",
    "PactFootprint",
    "PactPartner",
    "PactRequest",
    "Park",
    "Product",
    "ProductKind",
    "RateCounter",
    "Residual",
    "Role",
    "Sale",
    "SupplierFootprint",
    "TransportMode",
]


class Park(Entity):
    type_name: ClassVar[str] = "park"
    file: ClassVar[str] = "parks"
    name: str
    province: str | None = None
    year: int = Field(ge=1990, le=2100)


class Enterprise(Entity):
    type_name: ClassVar[str] = "enterprise"
    file: ClassVar[str] = "enterprises"
    name: str
    park: str | None = None
    region: str | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    allocation: AllocationRule = "economic"
    share_footprints: bool = True
    pact_ids: str | None = None  # ";"-separated PACT company URNs naming this enterprise (supplier footprints)
    #: the park whose admin created this enterprise while it is outside every park (set by the
    #: API on upload; only that park's admin and a platform admin may change it afterwards)
    owner_park: str | None = None


class Product(Entity):
    type_name: ClassVar[str] = "product"
    file: ClassVar[str] = "products"
    enterprise: Id
    name: str | None = None
    unit: Unit
    output: Positive
    kind: ProductKind = "product"
    carrier: Carrier | None = None  # required for kind=energy (checked at import)
    price_cny: NonNeg | None = None
    mass_kg: NonNeg | None = None
    energy_mj: NonNeg | None = None
    share: Share | None = None
    cpc: str | None = None
    pact_ids: str | None = None  # ";"-separated PACT product URNs naming this product (supplier footprints)

    @property
    def scope2_energy(self) -> bool:
        """Energy a buyer counts in Scope 2 (electricity, heat, steam, cooling; not fuel)."""
        return self.kind == "energy" and self.carrier in SCOPE2_CARRIERS


class Factor(Entity):
    """A secondary emission factor per ``unit``; ``gases`` holds kg of each gas per unit."""

    type_name: ClassVar[str] = "factor"
    file: ClassVar[str] = "factors"
    name: str | None = None
    unit: Unit
    kgco2e: NonNeg
    kind: FactorKind | None = None
    group: str | None = Field(None, alias="class")
    gases: dict[str, NonNeg] = Field(default_factory=dict)
    upstream_kgco2e: NonNeg | None = None
    uncertainty_type: Literal["lognormal", "normal"] | None = None
    uncertainty: Positive | None = None
    gwp: Literal["AR5", "AR6"] | None = None
    source: str | None = None
    year: int | None = None
    region: str | None = None

    @model_validator(mode="after")
    def _uncertainty(self) -> Factor:
        if self.uncertainty_type and self.uncertainty is None:
            raise ValueError("uncertainty_type given without uncertainty")
        if self.uncertainty_type == "lognormal" and self.uncertainty is not None and self.uncertainty < 1:
            raise ValueError("lognormal uncertainty is a geometric standard deviation (>= 1)")
        return self


class Activity(Entity):
    """An enterprise's own energy use or direct emission in the year (Scope 1/2, removals)."""

    type_name: ClassVar[str] = "activity"
    file: ClassVar[str] = "activities"
    enterprise: Id
    type: ActivityType
    item: Id
    quantity: NonNeg
    unit: Unit
    green_mwh: NonNeg | None = None

    id_keys: ClassVar[tuple[str, ...]] = ("enterprise", "type", "item")

    @model_validator(mode="after")
    def _green_only_on_power(self) -> Activity:
        if self.green_mwh and self.type != "electricity":
            raise ValueError("green_mwh is only allowed on electricity activities")
        return self


class Flow(Entity):
    """A supply edge: a quantity (or spend) of a product or factor to a consuming enterprise."""

    type_name: ClassVar[str] = "flow"
    file: ClassVar[str] = "flows"
    source: Id = Field(alias="from")
    to: Id
    quantity: NonNeg | None = None
    unit: Unit | None = None
    spend_cny: NonNeg | None = None
    category: int | None = Field(None, ge=1, le=15)
    capital: bool = False
    distance_km: NonNeg | None = None
    mode: TransportMode | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id"):
            cat = data.get("category")
            if cat in (None, ""):
                cat = 2 if str(data.get("capital", "")).strip().lower() in ("true", "1", "yes") else 1
            src = data.get("from", data.get("source"))
            data = {**data, "id": f"{src}|{data.get('to')}|{int(float(cat))}"}
        return data

    @model_validator(mode="after")
    def _amount(self) -> Flow:
        if self.quantity is None and self.spend_cny is None:
            raise ValueError("a flow needs a quantity (with unit) or spend_cny")
        if self.quantity is not None and not self.unit:
            raise ValueError("quantity given without unit")
        if self.distance_km is not None and self.mode is None:
            raise ValueError("distance_km given without mode")
        return self

    @property
    def factor_id(self) -> str | None:
        """The factor id when the flow comes from outside the graph (``factor:<id>``)."""
        return self.source[len(FACTOR_PREFIX) :] if self.source.startswith(FACTOR_PREFIX) else None


class Sale(Entity):
    """Sales of a product leaving the enterprise (downstream categories 9, 11, 12)."""

    type_name: ClassVar[str] = "sale"
    file: ClassVar[str] = "sales"
    product: Id
    customer: str
    quantity: NonNeg
    unit: Unit
    distance_km: NonNeg | None = None
    mode: TransportMode | None = None
    use_kwh_per_unit: NonNeg | None = None
    eol: str | None = None

    id_keys: ClassVar[tuple[str, ...]] = ("product", "customer")


class _SymbiosisItem(Entity):
    """What an enterprise could give (residual) or take (need) in industrial symbiosis."""

    enterprise: Id
    material: Id
    quantity: NonNeg
    unit: Unit
    quality: str | None = None

    id_keys: ClassVar[tuple[str, ...]] = ("enterprise", "material")


class Residual(_SymbiosisItem):
    """A waste, by-product or surplus energy an enterprise could give to others."""

    type_name: ClassVar[str] = "residual"
    file: ClassVar[str] = "residuals"
    current_treatment: str | None = None


class Need(_SymbiosisItem):
    """An input an enterprise could take from a residual instead of a virgin material."""

    type_name: ClassVar[str] = "need"
    file: ClassVar[str] = "needs"
    virgin: str | None = None


#: Entity types that make up a bundle, in dependency order (referenced before referencing).
BUNDLE_TYPES: tuple[type[Entity], ...] = (
    Park,
    Enterprise,
    Factor,
    Product,
    Activity,
    Flow,
    Sale,
    Residual,
    Need,
)
#: Auxiliary entity types: stored next to the bundles but not part of one (no year, own revision).
#: A new auxiliary type only has to be an :class:`Entity` subclass listed here.
AUX_TYPES: tuple[type[Entity], ...] = (
    Client,
    AuditEntry,
    RateCounter,
    PactFootprint,
    SupplierFootprint,
    PactRequest,
    PactPartner,
)
#: Bundle types stored once for all years (every other bundle type is keyed by (year, id)).
YEARLESS_TYPES: tuple[type[Entity], ...] = (Factor,)
ENTITY_TYPES: dict[str, type[Entity]] = {t.type_name: t for t in (*BUNDLE_TYPES, *AUX_TYPES)}


@dataclass
class Graph:
    """A whole graph (or a bundle) in memory: entities of each type keyed by id."""

    parks: dict[str, Park] = field(default_factory=dict)
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    factors: dict[str, Factor] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    sales: dict[str, Sale] = field(default_factory=dict)
    residuals: dict[str, Residual] = field(default_factory=dict)
    needs: dict[str, Need] = field(default_factory=dict)

    @classmethod
    def from_entities(cls, entities: list[Entity] | Iterator[Entity]) -> Graph:
        g = cls()
        for e in entities:
            g.table(type(e))[e.id] = e
        return g

    def table(self, etype: type[Entity]) -> dict[str, Entity]:
        """The dict holding entities of ``etype``."""
        return getattr(self, etype.file)

    def entities(self) -> Iterator[Entity]:
        for etype in BUNDLE_TYPES:
            yield from self.table(etype).values()

    def counts(self) -> dict[str, int]:
        return {t.file: len(self.table(t)) for t in BUNDLE_TYPES}

    def maker(self, source: str) -> str | None:
        """The enterprise making a flow's source (None for ``factor:<id>`` and unknown products)."""
        p = self.products.get(source)
        return p.enterprise if p else None

    @property
    def year(self) -> int | None:
        """The accounting year (the parks' year; one bundle = one year)."""
        years = {p.year for p in self.parks.values()}
        return years.pop() if len(years) == 1 else None

    def records(self) -> dict[str, list[dict[str, Any]]]:
        """Plain records per file name, sorted by id (for comparisons and export)."""
        return {t.file: [self.table(t)[k].record() for k in sorted(self.table(t))] for t in BUNDLE_TYPES}
