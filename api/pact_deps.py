"""Dependencies of the PACT routes: HTTPS only, the partner principal, what a partner may see.

PACT routes take any query parameter (unknown ones are ignored, as PACT hosts do), so they use
:class:`PactRoute`, which the app's unknown-query check skips.
"""

from __future__ import annotations

from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param

from tanlian.api.auth import Principal, decode_token
from tanlian.api.deps import StoreDep, oauth2
from tanlian.api.pact_errors import PactError
from tanlian.connectors.pact.publish import published
from tanlian.graph.model import Client, PactFootprint
from tanlian.graph.store import GraphStore


class PactRoute(APIRoute):
    """A PACT route: unknown query parameters are ignored, not a 422."""

    accepts_any_query = True


async def require_https(request: Request) -> None:
    """Plain HTTP never gets PACT data (no redirect either): the scheme comes from the ASGI scope
    (``https`` under TLS, or from a trusted proxy's ``X-Forwarded-Proto`` with uvicorn's proxy headers)."""
    if request.scope.get("scheme") != "https":
        raise PactError("AccessDenied", "PACT routes are served over HTTPS only")


async def pact_principal(request: Request, authorization: Annotated[str | None, Depends(oauth2)]) -> Principal:
    """The partner calling: 400 BadRequest for a missing or invalid token, 401 TokenExpired,
    403 AccessDenied for a client whose role is not ``partner``."""
    scheme, token = get_authorization_scheme_param(authorization)
    if scheme.lower() != "bearer" or not token:
        raise PactError("BadRequest", "a bearer token is required (POST /auth/token)")
    try:
        principal = decode_token(token, request.app.state.jwt_key)
    except jwt.ExpiredSignatureError:
        raise PactError("TokenExpired", "the access token has expired") from None
    except (jwt.InvalidTokenError, ValueError):
        raise PactError("BadRequest", "the access token is invalid") from None
    if principal.role != "partner":
        raise PactError("AccessDenied", "only partner clients use the PACT exchange routes")
    return principal


PartnerDep = Annotated[Principal, Depends(pact_principal)]


def visible_companies(store: GraphStore, principal: Principal) -> set[str] | None:
    """Enterprise ids whose footprints the partner sees (None: every published footprint)."""
    client = store.get(Client, principal.sub)
    if client is None:
        raise PactError("AccessDenied", "this client no longer exists")
    if not client.companies:
        return None
    return {c.strip() for c in client.companies.split(";") if c.strip()}


def visible_footprints(store: GraphStore, principal: Principal) -> list[PactFootprint]:
    """Published footprints the partner may see, oldest first (Active and Deprecated)."""
    allowed = visible_companies(store, principal)
    recs = published(store)
    return recs if allowed is None else [r for r in recs if r.enterprise in allowed]


async def get_visible(store: StoreDep, principal: PartnerDep) -> list[PactFootprint]:
    return visible_footprints(store, principal)


VisibleDep = Annotated[list[PactFootprint], Depends(get_visible)]


def wake_worker(request: Request) -> None:
    """Make sure the app's PACT worker runs (a request was stored for it)."""
    worker = getattr(request.app.state, "pact_worker", None)
    if worker is not None:
        worker.ensure_started()


def visible_footprint(store: GraphStore, principal: Principal, pf_id: str) -> PactFootprint | None:
    """One published footprint by id if the partner may see it (one read, not a scan)."""
    record = store.get(PactFootprint, pf_id.lower())
    if record is None:
        return None
    allowed = visible_companies(store, principal)
    return record if allowed is None or record.enterprise in allowed else None
