"""Token endpoint bodies (OAuth2, RFC 6749 §5.1 and §5.2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Token(BaseModel):
    """An access token; ``expires_in`` in seconds."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class OAuthError(BaseModel):
    """RFC 6749 §5.2 error body."""

    error: Literal["invalid_request", "invalid_client", "unsupported_grant_type"]
    error_description: str | None = None
