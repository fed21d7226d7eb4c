"""ListFootprints shared by /3 and /2: criteria, ``limit`` and the absolute ``Link: rel="next"``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse

from tanlian.api.pact_errors import PactError
from tanlian.connectors.pact.filters import BadCriterion, Criteria, matches
from tanlian.graph.model import PactFootprint

MAX_LIMIT = 1000


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise PactError("BadRequest", f"{name} must be an integer, not {raw!r}") from None
    if not low <= value <= high:
        raise PactError("BadRequest", f"{name} must be between {low} and {high}")
    return value


def criteria_of(request: Request) -> Criteria:
    try:
        return Criteria.from_items(request.query_params.multi_items())
    except BadCriterion as exc:
        raise PactError("BadRequest", str(exc)) from None


def filtered(records: list[PactFootprint], criteria: Criteria) -> list[PactFootprint]:
    return [r for r in records if matches(r.document, criteria)] if criteria else records


def page_response(request: Request, docs: list[dict[str, Any]]) -> JSONResponse:
    """One page of ``docs`` (``limit``, ``offset``) and, when more follow, an absolute next link
    that starts with the request's own base URL and repeats its other parameters."""
    limit = _int_param(request, "limit", MAX_LIMIT, 1, MAX_LIMIT)
    offset = _int_param(request, "offset", 0, 0, 10**9)
    body = {"data": docs[offset : offset + limit]}
    headers = {}
    if offset + limit < len(docs):
        params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]
        params += [("limit", str(limit)), ("offset", str(offset + limit))]
        base = str(request.base_url).rstrip("/")
        headers["Link"] = f'<{base}{request.url.path}?{urlencode(params)}>; rel="next"'
    return JSONResponse(body, headers=headers)
