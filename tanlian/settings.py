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


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
