"""Domain entities of the product & supplier graph (pydantic v2).

Fields follow the bundle format (docs/bundle-format.md). Quantities are finite and
non-negative; units are pint strings checked against the shared registry. Columns that the
format does not list are kept as extra properties (``model_extra``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
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


class Client(Entity):
    """An API client (OAuth2 client credentials); the secret is kept only as a salted hash."""

    type_name: ClassVar[str] = "client"
    file: ClassVar[str] = "clients"
    name: str
    role: Role
    park: str | None = None
    enterprise: str | None = None
    secret_hash: str
    created: str | None = None
    #: tokens carry this number; revoking the client bumps it, so older tokens are refused
    key_version: int = 1
    revoked: str | None = None  # ISO time of revocation (the client can get no new token)
    companies: str | None = None  # partner: ";"-separated enterprise ids whose PACT footprints it sees (None: all)


class AuditEntry(Entity):
    """One write through the API: who, when, what bundle, and the store revision before/after."""

    type_name: ClassVar[str] = "audit"
    file: ClassVar[str] = "audit"
    at: str  # ISO 8601 UTC
    client: str
    role: str
    park: str | None = None  # the writer's park (None for a platform admin)
    parks: list[str] = Field(default_factory=list)  # parks whose enterprises the write touched
    action: str
    bundle_sha256: str | None = None
    replace: bool = False
    revision_before: int
    revision_after: int
    changes: dict[str, int] = Field(default_factory=dict)  # rows written per file (added+changed+removed)


class RateCounter(Entity):
    """A fixed-window request counter (token issue per client and per address), kept in the store so
    every worker process shares it."""

    type_name: ClassVar[str] = "ratecounter"
    file: ClassVar[str] = "ratecounters"
    window_start: float  # Unix time (s)
    count: int = 0


class PactFootprint(Entity):
    """A PACT v3 ProductFootprint published from this store (immutable but for Active → Deprecated).

    ``document`` is the exact v3 JSON served (decimal strings); ``fingerprint`` hashes what was
    computed, so republishing unchanged data keeps the id.
    """

    type_name: ClassVar[str] = "pact_footprint"
    file: ClassVar[str] = "pact_footprints"
    product: Id
    enterprise: Id
    status: Literal["Active", "Deprecated"] = "Active"
    fingerprint: str
    year: int | None = None
    created: str
    document: dict[str, Any]
    label: dict[str, Any] = Field(default_factory=dict)  # figures published with it for labels (see connectors/labels)


class SupplierFootprint(Entity):
    """A supplier's PACT footprint imported for one product (id = the footprint id); its value
    replaces the computed or class-average intensity of ``product`` in the solve."""

    type_name: ClassVar[str] = "supplier_footprint"
    file: ClassVar[str] = "supplier_footprints"
    affects_results: ClassVar[bool] = True  # it replaces an intensity: cached results must go
    product: Id
    kgco2e_per_unit: NonNeg  # per unit of the product's own unit
    primary_data_share: Share | None = None  # 0–1, as the supplier declared it
    spec_version: str
    company_name: str | None = None
    source: str | None = None  # file or URL it came from
    imported: str | None = None
    document: dict[str, Any]


class PactRequest(Entity):
    """A PACT RequestCreated event received, answered later by the background worker."""

    type_name: ClassVar[str] = "pact_request"
    file: ClassVar[str] = "pact_requests"
    version: Literal["2", "3"]
    client: str | None = None  # the partner client that sent it
    callback: str  # events endpoint of the requester
    event: dict[str, Any]
    state: Literal["pending", "fulfilled", "rejected", "failed"] = "pending"
    attempts: int = 0
    next_attempt: float = 0.0  # epoch seconds
    last_error: str | None = None
    received: str | None = None


class PactPartner(Entity):
    """A partner's PACT host and the credentials Tanlian uses there (imports, event callbacks)."""

    type_name: ClassVar[str] = "pact_partner"
    file: ClassVar[str] = "pact_partners"
    base_url: str
    client_id: str
    client_secret: str
    client: str | None = None  # our partner Client id used by that partner (callbacks to it)


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
