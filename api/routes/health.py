"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter

from tanlian.api.deps import StoreDep
from tanlian.api.problems import problem_responses
from tanlian.api.schemas.health import Health, Ready

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="the process is up", response_model=Health)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="the graph store answers", response_model=Ready, responses=problem_responses(503))
def readyz(store: StoreDep) -> dict[str, str | int]:
    """``ping()`` the store; 503 problem when it is unavailable."""
    store.ping()
    return {"status": "ready", "revision": store.revision()}
