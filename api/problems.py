"""RFC 9457 problem details: the error body of every route except ``/auth/token`` (RFC 6749) and PACT.

Domain errors (:mod:`tanlian.errors`) map to statuses here, in one place; routes only raise.
Bad input never produces a 5xx (DECISIONS 22): the last-resort 500 handler is for bugs.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from tanlian.errors import (
    AccessDenied,
    Conflict,
    NotFound,
    StoreUnavailable,
    TanlianError,
    ValidationFailed,
)

log = logging.getLogger("tanlian.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://tanlian.dev/problems/"


class ProblemItem(BaseModel):
    """One invalid input: a bundle row (file, row, column) or a request field (field)."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    value: str | None = None
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem details body."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemItem] | None = None


class Unauthorized(TanlianError):
    """No bearer token, or one that is malformed, forged or expired."""


class PayloadTooLarge(TanlianError):
    """An upload or the archive it contains is larger than allowed."""


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries declaring problem+json bodies for ``statuses``."""
    content = {PROBLEM_MEDIA_TYPE: {"schema": _ref("Problem")}}
    return {s: {"description": _TITLES.get(s, "Error"), "content": content} for s in statuses}


#: Statuses any authenticated /v1 route can answer with.
AUTH_ERRORS = (401, 403, 409, 422, 503)  # 409: the store is empty, or changed during a write

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Payload too large",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + (slug or str(status)),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(x) for x in loc)


def _short(value: Any) -> str | None:
    if value is None or isinstance(value, dict):
        return None
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


#: Routes whose request-validation errors have another body (path → handler), e.g. OAuth2 errors.
VALIDATION_OVERRIDES: dict[str, Callable[[RequestValidationError], Response]] = {}


async def _request_validation(request: Request, exc: RequestValidationError) -> Response:
    override = VALIDATION_OVERRIDES.get(request.url.path)
    if override is not None:
        return override(exc)
    items = [
        {"field": _field_path(e.get("loc", ())), "value": _short(e.get("input")), "reason": e.get("msg", "invalid")}
        for e in exc.errors()
    ]
    return problem(
        422,
        f"{len(items)} invalid request parameter(s)",
        slug="invalid-request",
        errors=items,
        instance=request.url.path,
    )


async def _validation_failed(request: Request, exc: ValidationFailed) -> JSONResponse:
    items = [
        {
            k: v
            for k, v in {"file": e.file, "row": e.row, "column": e.column, "value": e.value, "reason": e.reason}.items()
            if v is not None
        }
        for e in exc.errors
    ]
    return problem(
        422,
        f"{len(items)} invalid input(s); nothing was written",
        slug="invalid-bundle",
        errors=items,
        instance=request.url.path,
    )


def _simple(status: int, slug: str, headers: dict[str, str] | None = None):
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        if status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, exc)
        return problem(status, str(exc), slug=slug, headers=headers, instance=request.url.path)

    return handler


async def _http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return problem(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None), instance=request.url.path)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal error; it has been logged", slug="internal", instance=request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    """Register every exception → problem+json mapping on ``app``."""
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(ValidationFailed, _validation_failed)
    app.add_exception_handler(Unauthorized, _simple(401, "unauthorized", {"WWW-Authenticate": "Bearer"}))
    app.add_exception_handler(NotFound, _simple(404, "not-found"))
    app.add_exception_handler(AccessDenied, _simple(403, "forbidden"))
    app.add_exception_handler(Conflict, _simple(409, "conflict"))
    app.add_exception_handler(PayloadTooLarge, _simple(413, "too-large"))
    app.add_exception_handler(StoreUnavailable, _simple(503, "store-unavailable"))
    app.add_exception_handler(sqlite3.Error, _simple(503, "store-unavailable"))  # a store fault, not a bug
    app.add_exception_handler(TanlianError, _simple(422, "cannot-compute"))
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Exception, _unexpected)


def openapi_components() -> dict[str, Any]:
    """JSON schemas of :class:`Problem` and its items for ``components.schemas``."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {"Problem": schema, **defs}
