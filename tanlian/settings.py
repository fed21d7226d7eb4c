"""Settings from the environment (prefix ``TANLIAN_``) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

GwpSet = Literal["AR5", "AR6"]
Scope2Method = Literal["location", "market"]


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``TANLIAN_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="TANLIAN_", env_file=".env", extra="ignore")

    store: str = Field("sqlite:///tanlian.sqlite", description="sqlite:///path.sqlite or bolt://host:7687")
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None
    gwp: GwpSet = "AR6"
    scope2: Scope2Method = "market"
    electricity_kgce_per_kwh: float = Field(
        0.1229, description="tce conversion of electricity (equivalent calorific value, GB/T 2589-2020)"
    )
    brightway_project: str | None = Field(None, description="Brightway project that resolves factor:bw: flows")
    brightway_method: str | None = Field(
        None, description="LCIA method for Brightway-linked factors, 'a|b|c' (default: the project's IPCC GWP100)"
    )
    jwt_secret: str | None = Field(None, description="HMAC key for API tokens; random per process if unset")
    token_ttl_s: int = 3600
    revision_ttl_s: float = Field(
        0.5, ge=0, description="API: seconds a store revision read stays current (writes by other processes)"
    )
    public_base_url: str = Field(
        "https://localhost", description="public HTTPS URL of this host: PACT URN domain, label QR codes, event source"
    )
    pact_ca_bundle: str | None = Field(None, description="PEM CA bundle for partner PACT hosts (default: system CAs)")
    pact_worker_interval_s: float = Field(2.0, description="how often the PACT worker looks for due callbacks (s)")
    pact_retry_base_s: float = Field(5.0, description="first retry delay of a PACT callback; doubles per attempt (s)")
    pact_retry_max: int = Field(12, description="attempts before a PACT callback is given up")
    token_rate_per_client: int = Field(10, description="token requests per client id per window")
    token_rate_per_address: int = Field(30, description="token requests per client address per window")
    token_rate_window_s: int = Field(60, description="rate-limit window for token requests (s)")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
