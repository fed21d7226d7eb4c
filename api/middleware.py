"""Outermost request guard (pure ASGI, runs before routing and authentication).

* **Body limits while the body streams**: a declared ``Content-Length`` over the route's limit is
  answered 413 before a byte is read; an undeclared (chunked) body is counted as it arrives and
  413 is answered as soon as it passes the limit — the server then stops reading and closes the
  connection. Nothing reaches a parser, a temporary file or the authentication first.
* **Uploads need a writer's token before their body is read**: ``POST /v1/imports`` without a
  valid park-admin or platform-admin bearer token is answered 401/403 at once.
* **No tokens in URLs**: a request with ``?access_token=`` is refused (400) and the query string
  is redacted from the ASGI scope first, so the access log never holds the token.
* **Headers**: ``X-Content-Type-Options: nosniff`` on every response; on ``/v1`` data
  ``Cache-Control: private, no-cache`` (revalidate with the ETag, never share) unless the route
  set its own, and ``Vary: Authorization``.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tanlian.api.auth import current_client
from tanlian.api.problems import Unauthorized, problem

#: Body limits (bytes): the upload route (its 50 MiB file plus multipart framing), the token
#: route (a small form), every other route (JSON bodies such as scenarios).
UPLOAD_PATH = "/v1/imports"
UPLOAD_LIMIT = 51 * 2**20
TOKEN_LIMIT = 16 * 2**10
DEFAULT_LIMIT = 1 * 2**20
WRITERS = ("park_admin", "platform_admin")
_DATA_PREFIX = "/v1/"


#: The dashboard's upload form (session-cookie auth, checked by its own route).
FORM_UPLOAD_PATH = "/dashboard/import"


def body_limit(path: str) -> int:
    """The largest request body accepted on ``path`` (bytes)."""
    if path in (UPLOAD_PATH, FORM_UPLOAD_PATH):
        return UPLOAD_LIMIT
    if path == "/auth/token":
        return TOKEN_LIMIT
    return DEFAULT_LIMIT


class _TooLarge(Exception):
    """The body passed its limit while streaming."""


class RequestGuard:
    """The ASGI middleware described in the module docstring. ``principal_of(header, key)`` decodes
    a bearer header (the same function the routes' dependency uses)."""

    def __init__(self, app: ASGIApp, principal_of: Callable) -> None:
        self.app = app
        self.principal_of = principal_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        data = path.startswith(_DATA_PREFIX)
        outer_send = send

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                _secure_headers(message, data)
            await outer_send(message)

        if _has_access_token(scope):
            scope["query_string"] = b"access_token=REDACTED"  # the access log reads the scope
            await problem(
                400,
                "bearer tokens go in the Authorization header, never in the URL (the token was not used)",
                slug="token-in-url",
            )(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = body_limit(path)
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(limit)(scope, receive, send)
            return
        if path == UPLOAD_PATH and scope["method"] == "POST":
            refusal = await self._check_writer(scope, headers)
            if refusal is not None:
                refusal.headers["Connection"] = "close"  # do not read (even to discard) the body
                await refusal(scope, receive, send)
                return
        await self._guarded(scope, receive, send, limit)

    async def _check_writer(self, scope: Scope, headers: Headers):
        """A problem response when the upload's token is not a valid writer's, else None."""
        app = scope["app"]
        try:
            principal = self.principal_of(headers.get("authorization"), app.state.jwt_key)
        except Unauthorized as exc:
            return problem(401, str(exc), slug="unauthorized", headers={"WWW-Authenticate": "Bearer"})
        if await anyio.to_thread.run_sync(current_client, app.state.store, principal) is None:
            return problem(401, "the token was revoked", slug="unauthorized", headers={"WWW-Authenticate": "Bearer"})
        if principal.role not in WRITERS:
            return problem(403, "only a park admin or a platform admin may do this", slug="forbidden")
        return None

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        seen = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                raise _TooLarge
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if exceeded:  # the app answered the aborted read (e.g. a 400): replace it with 413
                    started = True
                    await _too_large(limit)(scope, _closed, send)
                    return
                started = True
            elif exceeded:
                return  # drop the body of the replaced response
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            if not started:
                await _too_large(limit)(scope, _closed, send)


def _secure_headers(message: Message, data: bool) -> None:
    headers = MutableHeaders(raw=message.setdefault("headers", []))
    headers["X-Content-Type-Options"] = "nosniff"
    if data:
        if "cache-control" not in headers:
            headers["Cache-Control"] = "private, no-cache"
        headers.add_vary_header("Authorization")


def _has_access_token(scope: Scope) -> bool:
    qs: bytes = scope.get("query_string", b"")
    if b"access_token" not in qs.lower() and b"access%5ftoken" not in qs.lower():
        return False
    keys = {k.lower() for k, _ in parse_qsl(qs.decode("latin-1"), keep_blank_values=True)}
    return "access_token" in keys


def _too_large(limit: int):
    size = f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit / 2**10:g} KiB"
    response = problem(
        413, f"request body exceeds the limit of {size} ({limit} bytes) for this route", slug="too-large"
    )
    response.headers["Connection"] = "close"
    return response


async def _closed() -> Message:
    return {"type": "http.disconnect"}
