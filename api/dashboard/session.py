"""Dashboard sign-in: a signed, short-lived session cookie carrying the principal, and CSRF tokens.

The session is an HS256 JWT signed with the app's token key (``app.state.jwt_key``, as API
tokens), with the audience ``tanlian-dashboard`` so that it is not accepted as a bearer token on
``/v1`` (PyJWT rejects a token with an audience when none is expected) and an API token is not
accepted as a session. It carries a random CSRF token: every form of a signed-in user posts it
back (per-session synchroniser token). The sign-in form itself uses a double-submit cookie.

Cookies: HttpOnly, SameSite=Lax, Path=/dashboard, Secure when the request came over TLS.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

import jwt
from fastapi import Request, Response

from tanlian.api.auth import JWT_ALGORITHM, Principal, client_claims
from tanlian.graph.model import Client

SESSION_COOKIE = "tanlian_session"
LOGIN_CSRF_COOKIE = "tanlian_login_csrf"
AUDIENCE = "tanlian-dashboard"
#: Session lifetime (s): short, a user signs in again after it.
SESSION_TTL_S = 1800
COOKIE_PATH = "/dashboard"
#: Roles with dashboard pages (a platform admin lands on the list of parks).
DASHBOARD_ROLES = ("park_admin", "enterprise", "auditor", "partner", "platform_admin")


class SignInRequired(Exception):
    """No valid session cookie: the page redirects to the sign-in form."""


class CsrfFailed(Exception):
    """A form came without the CSRF token of the session (or of the sign-in cookie)."""


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str
    expires: int  # unix seconds


def issue_session(client: Client, key: str, ttl_s: int = SESSION_TTL_S, now: float | None = None) -> str:
    """The signed session token of ``client``: its API claims, the dashboard audience and a CSRF token."""
    claims = {**client_claims(client, ttl_s, now), "aud": AUDIENCE, "csrf": secrets.token_urlsafe(24)}
    return jwt.encode(claims, key, algorithm=JWT_ALGORITHM)


def read_session(request: Request) -> Session:
    """The request's session; SignInRequired when absent, forged, expired or of an unknown role."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired
    try:
        claims = jwt.decode(
            token,
            request.app.state.jwt_key,
            algorithms=[JWT_ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["sub", "role", "exp", "iat", "aud", "csrf", "kv"]},
        )
    except jwt.InvalidTokenError:
        raise SignInRequired from None
    if claims["role"] not in DASHBOARD_ROLES or not isinstance(claims["kv"], int):
        raise SignInRequired
    principal = Principal(claims["sub"], claims["role"], claims.get("park"), claims.get("enterprise"), claims["kv"])
    return Session(principal, claims["csrf"], claims["exp"])


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, ttl_s: int = SESSION_TTL_S) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ttl_s,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="lax", secure=_secure(request))


def login_csrf(request: Request) -> str:
    """The sign-in form's token: the one in its cookie, else a new one (set by the caller)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_login_csrf_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def check_csrf(expected: str | None, sent: str | None) -> None:
    """CsrfFailed unless ``sent`` equals ``expected`` (constant time; both non-empty)."""
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfFailed
