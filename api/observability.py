"""Request ids, structured JSON logs and Prometheus metrics for the API.

- Every response carries ``X-Request-ID``: the caller's (when it is 1–128 visible ASCII
  characters) or a new one; the access log line and error lines carry it too.
- Logs of the ``tanlian`` loggers are JSON lines on stderr (:func:`configure_logging`); one
  ``tanlian.access`` line per request at INFO (method, path, route, status, duration in ms).
- ``GET /metrics``: Prometheus text format (requests by route/status, latency histogram, response
  cache hits/misses, solves). It is for park admins only: Prometheus scrapes it with its
  ``oauth2`` client-credentials config against ``/auth/token`` like any API client.
  With several worker processes (``tanlian serve --workers N``) ``PROMETHEUS_MULTIPROC_DIR`` is
  set and the figures are summed over the workers.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
import uuid
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tanlian.api.deps import ParkAdminDep
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.lca.core.cache import results

REQUEST_ID = "x-request-id"
_VALID_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

#: The request id of the request being served (for log lines written while serving it).
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("tanlian_request_id", default=None)

REQUESTS = Counter("tanlian_http_requests", "HTTP requests served", ["method", "route", "status"])
LATENCY = Histogram(
    "tanlian_http_request_duration_seconds",
    "time from request to the end of the response body (s)",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CACHE = Counter("tanlian_response_cache", "response cache lookups of read routes", ["outcome"])
SOLVES = Histogram(
    "tanlian_solve_duration_seconds",
    "solves of the whole system, snapshot read included (count = solves) (s)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
results.on_solve.append(SOLVES.observe)

access_log = logging.getLogger("tanlian.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any ``extra`` fields."""

    _STD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "color_message"}

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            out["request_id"] = rid
        out.update({k: v for k, v in record.__dict__.items() if k not in self._STD and k != "request_id"})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr for the ``tanlian`` loggers (once per process)."""
    logger = logging.getLogger("tanlian")
    logger.setLevel(level.upper())
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False


def log_config(level: str = "info") -> dict[str, Any]:
    """``logging.config`` dict for uvicorn (and its workers): uvicorn's and Tanlian's loggers as
    JSON lines on stderr; uvicorn's own access log is replaced by ``tanlian.access``."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    logger = {"handlers": ["json"], "level": level.upper(), "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"json": handler},
        "loggers": {"uvicorn": logger, "tanlian": logger},  # uvicorn.error propagates to uvicorn
    }


class Observability:
    """ASGI middleware: request id in and out, metrics and one access log line per request; a
    successful write forgets the app's known store revision so the next read sees it at once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                rid = value.decode("latin-1")
                break
        if rid is None or not _VALID_ID.match(rid):
            rid = uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(route).observe(seconds)
            if method not in _SAFE and status < 400 and (app := scope.get("app")) is not None:
                clock = getattr(app.state, "revisions", None)
                if clock is not None:
                    clock.forget()
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "request",
                    extra={
                        "request_id": rid,
                        "method": method,
                        "path": scope["path"],
                        "query": scope.get("query_string", b"").decode("latin-1"),  # tokens never: RequestGuard
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                    },
                )
            request_id.reset(token)


router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    summary="Prometheus metrics (park admins)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, **problem_responses(*AUTH_ERRORS)},
)
async def metrics(admin: ParkAdminDep) -> Response:
    """Requests by route and status, latency histogram, response cache hits/misses, solves (Prometheus text format)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
