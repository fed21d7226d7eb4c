"""Auxiliary entities: stored next to the bundles but not part of one (no year, own revision):
API clients, the audit log, rate counters, PACT records and partners."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from tanlian.graph.entity import Entity, Id, NonNeg, Role, Share


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
