"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request

from tanlian.api.deps import StoreDep
from tanlian.api.problems import problem_responses
from tanlian.api.schemas.health import Health, Ready
from tanlian.errors import StoreUnavailable
from tanlian.graph.store import GraphStore

router = APIRouter(tags=["health"])


def store_identity(store: GraphStore) -> tuple[int, int] | None:
    """(device, inode) of a store kept in a file; None for a server, an in-memory store, or a store
    file not created yet (the embedded store creates it on its first write)."""
    path = getattr(store, "path", None)
    if not path or path == ":memory:":
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


@router.get("/healthz", summary="the process is up", response_model=Health)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="the graph store answers", response_model=Ready, responses=problem_responses(503))
def readyz(request: Request, store: StoreDep) -> dict[str, str | int]:
    """``ping()`` the store and check it is still the one opened at start (a store file deleted or
    replaced since is not ready); 503 problem when it is unavailable."""
    store.ping()
    opened, now = request.app.state.store_identity, store_identity(store)
    if opened is None and now is not None:  # created since the start (first write): adopt it
        request.app.state.store_identity = opened = now
    if now != opened:
        raise StoreUnavailable(store.url, "the store file was deleted or replaced since the server started")
    return {"status": "ready", "revision": store.revision()}
