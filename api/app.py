"""The FastAPI application: routers by domain, problem+json errors, OpenAPI at ``/docs``.

A new domain adds one module under ``api/routes`` with a ``router`` and one entry in
:data:`ROUTERS`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi

from tanlian import __version__
from tanlian.api import dashboard
from tanlian.api.auth import jwt_key
from tanlian.api.cache import BodyCache, CachedReads, RevisionClock
from tanlian.api.deps import principal_of, reject_unknown_query
from tanlian.api.docs import install_docs
from tanlian.api.middleware import RequestGuard
from tanlian.api.observability import Observability
from tanlian.api.observability import router as metrics_router
from tanlian.api.pact_errors import install_pact_handlers
from tanlian.api.pact_worker import PactWorker
from tanlian.api.problems import install_problem_handlers, openapi_components
from tanlian.api.routes import accounts, audit, auth, footprints, graph, health, imports, reduction, symbiosis
from tanlian.api.routes.pact import PACT_ROUTERS
from tanlian.graph.factory import open_store
from tanlian.graph.store import GraphStore
from tanlian.lca.core.warm import warm_up
from tanlian.settings import Settings, get_settings

#: Every router of the app, in the order they appear in the docs.
ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    footprints.router,
    graph.router,
    imports.router,
    accounts.router,
    reduction.router,
    symbiosis.router,
    audit.router,
    metrics_router,
    *PACT_ROUTERS,
]


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """Build the app over ``store`` (default: ``open_store(settings.store)``, closed at shutdown).

    Tokens are signed with ``settings.jwt_secret`` (TanlianError when shorter than 32 bytes: the
    server does not start); when it is unset a random key is made here with a warning, so tokens do
    not survive a restart (and are not valid across worker processes).
    """
    settings = settings or get_settings()
    key = jwt_key(settings.jwt_secret)
    owns_store = store is None
    store = store if store is not None else open_store(settings.store, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_warm_up)  # one-time costs of the first solve, before the worker is ready
        worker = PactWorker(store, settings) if settings.pact_worker_interval_s > 0 else None
        app.state.pact_worker = worker
        if worker:
            worker.start_if_pending()  # PACT requests kept in the store survive restarts
        yield
        if worker:
            worker.stop()
        if owns_store:
            store.close()

    app = FastAPI(
        title="Tanlian (碳链) API",
        version=__version__,
        description="Supply-chain carbon accounting for zero-carbon industrial parks.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(reject_unknown_query)],
    )
    app.state.settings = settings
    app.state.store = store
    app.state.jwt_key = key
    app.state.store_identity = health.store_identity(store)
    app.state.revisions = RevisionClock(store, settings.revision_ttl_s)  # read off the event loop
    app.state.bodies = BodyCache()  # read bodies per (store, revision, query, visibility)
    for router in ROUTERS:
        app.include_router(router)
    dashboard.install(app)  # browser pages under /dashboard (not in the OpenAPI document)
    install_problem_handlers(app)
    install_docs(app)
    install_pact_handlers(app)  # PACT paths answer {"code", "message"} instead of problem+json
    app.add_middleware(CachedReads)  # cached read bodies answered before routing (inside Observability)
    app.add_middleware(Observability)  # request id, access log, metrics; forgets the revision on writes
    # outermost: body limits before anything reads the body, ?access_token= refused before the access log
    app.add_middleware(RequestGuard, principal_of=principal_of)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _warm_up() -> None:
    """:func:`~tanlian.lca.core.warm.warm_up` (once per process); a failure is logged, not fatal."""
    try:
        warm_up()
    except Exception:  # the first request then pays the one-time costs, or reports the problem
        logging.getLogger("tanlian.api").warning("warm-up solve failed", exc_info=True)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with the Problem schema that problem responses reference."""
    if app.openapi_schema is None:
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        doc.setdefault("components", {}).setdefault("schemas", {}).update(openapi_components())
        app.openapi_schema = doc
    return app.openapi_schema
