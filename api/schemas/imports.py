"""Import body."""

from __future__ import annotations

from pydantic import BaseModel


class ImportResult(BaseModel):
    """Rows per table added/changed/unchanged/removed, and the store revision after the import."""

    added: dict[str, int]
    changed: dict[str, int]
    unchanged: dict[str, int]
    removed: dict[str, int]
    revision: int
