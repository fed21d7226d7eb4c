"""``POST /auth/token``: OAuth2 client-credentials grant (RFC 6749 §4.4; errors as §5.2)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from tanlian.api.auth import authenticate, issue_token
from tanlian.api.deps import StoreDep
from tanlian.api.problems import VALIDATION_OVERRIDES
from tanlian.api.ratelimit import sign_in_wait
from tanlian.api.schemas.auth import OAuthError, Token

router = APIRouter(tags=["auth"])


_ERRORS = {
    400: {"model": OAuthError, "description": "invalid_request or unsupported_grant_type"},
    401: {"model": OAuthError, "description": "invalid_client"},
    429: {"model": OAuthError, "description": "too many token requests (see Retry-After)"},
}


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="tanlian"'} if status == 401 else None
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status, headers={**(headers or {}), "Cache-Control": "no-store"})


def too_many(wait: int) -> JSONResponse:
    """429 in the OAuth2 error shape, with ``Retry-After`` (seconds)."""
    body = {"error": "slow_down", "error_description": f"too many token requests; retry in {wait} s"}
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(wait), "Cache-Control": "no-store"})


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """client_id and secret from an ``Authorization: Basic`` header (form-urlencoded parts)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, pwd = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return (unquote_plus(user), unquote_plus(pwd)) if sep else None


def _form_errors(exc: RequestValidationError) -> JSONResponse:
    """Malformed token requests answer as RFC 6749 §5.2, not as problem+json."""
    for err in exc.errors():
        if tuple(err.get("loc", ()))[-1:] == ("grant_type",) and err.get("type") != "missing":
            return oauth_error(400, "unsupported_grant_type", "only client_credentials is supported")
    return oauth_error(400, "invalid_request", "; ".join(str(e.get("msg")) for e in exc.errors()) or "bad request")


VALIDATION_OVERRIDES["/auth/token"] = _form_errors


@router.post(
    "/auth/token",
    response_model=Token,
    responses=_ERRORS,
    summary="exchange client credentials (HTTP Basic) for a bearer token",
)
def token(
    request: Request,
    store: StoreDep,
    grant_type: Annotated[Literal["client_credentials"], Form()],
    client_id: Annotated[str | None, Form(description="alternative to HTTP Basic")] = None,
    client_secret: Annotated[str | None, Form(description="alternative to HTTP Basic")] = None,
):
    """Client credentials grant: ``grant_type=client_credentials`` with the client's id and secret."""
    creds = basic_credentials(request)
    if creds is None and client_id and client_secret:
        creds = (client_id, client_secret)
    if creds is None:
        return oauth_error(401, "invalid_client", "client authentication (HTTP Basic) is required")
    address = request.client.host if request.client else "unknown"
    wait = sign_in_wait(store, request.app.state.settings, address, creds[0])
    if wait:
        return too_many(wait)
    client = authenticate(store, *creds)
    if client is None:
        return oauth_error(401, "invalid_client", "unknown client or wrong secret")
    ttl = request.app.state.settings.token_ttl_s
    body = Token(access_token=issue_token(client, request.app.state.jwt_key, ttl), expires_in=ttl)
    return JSONResponse(body.model_dump(), headers={"Cache-Control": "no-store"})
