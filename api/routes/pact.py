"""The routers of the PACT exchange and the labels, mounted by the app in this order."""

from __future__ import annotations

from fastapi import APIRouter

from tanlian.api.routes import labels, pact_discovery, pact_import, pact_v2, pact_v3

PACT_ROUTERS: list[APIRouter] = [
    pact_discovery.router,
    pact_v3.router,
    pact_v2.router,
    pact_import.router,
    labels.router,
]
