"""Import body."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ImportResult(BaseModel):
    """Rows per table added/changed/unchanged/removed, the store revision after the import, and notes."""

    added: dict[str, int]
    changed: dict[str, int]
    unchanged: dict[str, int]
    removed: dict[str, int]
    revision: int
    notes: list[str] = Field(
        default_factory=list,
        description="case-only name differences accepted, extras and implausible values kept, other warnings",
    )
