"""Audit log body: one page of write records."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AuditRecord(BaseModel):
    """One write: who (client id, role, park), when (ISO 8601 UTC), what (bundle SHA-256, rows
    written per file) and the store revision before and after."""

    id: str
    at: str
    client: str
    role: str
    park: str | None = None
    parks: list[str] = Field(default_factory=list, description="parks whose data the write touched")
    action: str
    bundle_sha256: str | None = None
    replace: bool = False
    revision_before: int
    revision_after: int
    changes: dict[str, int] = Field(default_factory=dict)


class AuditPage(BaseModel):
    items: list[AuditRecord]
    total: int
    limit: int
    offset: int
