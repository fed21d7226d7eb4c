"""The browser dashboard under ``/dashboard``: server-rendered pages with plotly charts.

:func:`install` adds its routers and static files to the API app. Pages use the API's principals,
visibility and tenancy rules (``api/deps.py``, ``api/routes``); see ``render.py`` for how pages,
errors and charts are rendered and ``session.py`` for sign-in and CSRF.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from tanlian.api.dashboard import enterprise_pages, forms, park_pages
from tanlian.api.dashboard.render import STATIC

ROUTERS: list[APIRouter] = [forms.router, park_pages.router, enterprise_pages.router]


def install(app: FastAPI) -> None:
    """Add the dashboard's pages and its static files (CSS, JS, plotly.js) to ``app``."""
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/dashboard/static", StaticFiles(directory=STATIC), name="dashboard-static")
