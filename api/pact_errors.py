"""PACT error bodies ``{"code", "message"}`` on the PACT routes (``/2/…``, ``/3/…``).

Routes raise :class:`PactError`; every other exception raised on a PACT path (validation, domain
errors, unknown paths, bugs) is mapped here to the PACT code and status instead of problem+json,
by wrapping the app's handlers for PACT paths only (other paths keep their handlers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tanlian.api.problems import Unauthorized
from tanlian.errors import AccessDenied, NotFound, StoreUnavailable, TanlianError, ValidationFailed

log = logging.getLogger("tanlian.api.pact")

#: Path prefixes of the PACT routes (v2.3 and v3).
PACT_PREFIXES = ("/2/", "/3/")
#: PACT error codes and their HTTP status (Technical Specifications, error responses).
STATUS = {
    "BadRequest": 400,
    "AccessDenied": 403,
    "TokenExpired": 401,
    "NotFound": 404,
    "NoSuchFootprint": 404,
    "InternalError": 500,
    "NotImplemented": 400,
}


#: OpenAPI ``responses`` of a PACT route: error bodies ``{"code", "message"}``.
PACT_ERRORS: dict[int | str, dict] = {
    400: {"description": "BadRequest (also a missing or invalid token), NotImplemented"},
    401: {"description": "TokenExpired"},
    403: {"description": "AccessDenied (also any request over plain HTTP)"},
    404: {"description": "NotFound (v3) / NoSuchFootprint (v2.3)"},
    405: {"description": "method not allowed"},
    500: {"description": "InternalError"},
}


class PactError(Exception):
    """An error answered with a PACT body."""

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status or STATUS[code]


def is_pact_path(path: str) -> bool:
    return path.startswith(PACT_PREFIXES)


def pact_response(code: str, message: str, status: int | None = None, headers: dict | None = None) -> JSONResponse:
    if (status or STATUS[code]) == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse({"code": code, "message": message}, status_code=status or STATUS[code], headers=headers)


def _not_found_code(path: str) -> str:
    return "NoSuchFootprint" if path.startswith("/2/") else "NotFound"


def to_pact(request: Request, exc: Exception) -> JSONResponse:
    """The PACT answer for any exception raised on a PACT path."""
    path = request.url.path
    if isinstance(exc, PactError):
        return pact_response(exc.code, exc.message, exc.status)
    if isinstance(exc, RequestValidationError | ValidationFailed):
        return pact_response("BadRequest", str(exc) if isinstance(exc, ValidationFailed) else "invalid request")
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return pact_response(_not_found_code(path), "no such resource")
        if exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow") if exc.headers else None
            message = f"{request.method} is not implemented on {path}"
            return pact_response("NotImplemented", message, 405, {"Allow": allow} if allow else None)
        return pact_response("BadRequest", str(exc.detail), exc.status_code if exc.status_code < 500 else 400)
    if isinstance(exc, Unauthorized):
        return pact_response("BadRequest", str(exc))
    if isinstance(exc, NotFound):
        return pact_response(_not_found_code(path), str(exc))
    if isinstance(exc, AccessDenied):
        return pact_response("AccessDenied", str(exc))
    if isinstance(exc, StoreUnavailable):
        log.warning("%s %s: %s", request.method, path, exc)
        return pact_response("InternalError", "the store is unavailable")
    if isinstance(exc, TanlianError):
        return pact_response("BadRequest", str(exc))
    log.exception("unhandled error on %s %s", request.method, path)
    return pact_response("InternalError", "internal error; it has been logged")


def _scoped(original: Callable[..., Any]) -> Callable[..., Any]:
    async def handler(request: Request, exc: Exception) -> Response:
        if is_pact_path(request.url.path):
            return to_pact(request, exc)
        return await original(request, exc)

    return handler


def install_pact_handlers(app: FastAPI) -> None:
    """Answer PACT paths with PACT bodies: wrap the installed handlers, add :class:`PactError`'s."""
    for exc_class, handler in list(app.exception_handlers.items()):
        app.add_exception_handler(exc_class, _scoped(handler))

    async def pact_error(request: Request, exc: Exception) -> Response:
        return to_pact(request, exc)

    app.add_exception_handler(PactError, pact_error)
