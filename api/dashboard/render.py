"""Rendering dashboard pages: the Jinja2 environment, the per-request page context, HTML errors.

Pages are server-rendered templates (``api/templates``). A chart is a plotly figure serialised as
JSON into a ``<script type="application/json">`` block that ``static/dashboard.js`` draws with the
locally served plotly.js, so pages run no inline script (a strict CSP can forbid it).

:class:`PageRoute` turns the domain errors the API maps to problem+json into HTML pages with the
same status (403, 404, 422), and a missing session into a redirect to the sign-in form.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

import plotly.graph_objects as go
from fastapi import Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tanlian import __version__, fmt
from tanlian.api.auth import Principal, current_client
from tanlian.api.dashboard.i18n import LANG_COOKIE, request_lang, translator
from tanlian.api.dashboard.session import CsrfFailed, SignInRequired, read_session
from tanlian.api.dashboard.years import choose_year, store_years
from tanlian.api.deps import GraphDep, View, get_park_admin, get_reader
from tanlian.connectors.chart_text import short_name
from tanlian.errors import AccessDenied, NotFound, TanlianError, ValidationFailed

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",)), trim_blocks=True)


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON safe inside a ``<script>`` block (``<``, ``>``, ``&`` escaped)."""
    return fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


env.filters["t"] = fmt.tonnes  # kgCO2e → tCO2e as people read it (tanlian.fmt)
env.filters["num"] = lambda v, _digits=None: fmt.number(v)
env.filters["dt"] = lambda kg: fmt.signed(None if kg is None else kg / 1000)
env.filters["pct"] = fmt.percent
env.filters["unit"] = fmt.unit
env.filters["pick"] = lambda name, lang: short_name(name, lang, limit=200)
env.globals["version"] = __version__


@dataclass
class Page:
    """Per-request context of a page: language, session, and cookies to set on the response."""

    request: Request
    lang: str
    remember_lang: bool
    principal: Principal | None = None
    csrf: str | None = None
    cookies: list[Callable[[Response], None]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)  # the store's accounting years (signed in)

    @property
    def year(self) -> int | None:
        """The year shown: ``?year=`` (or the remembered one, see :mod:`years`), else the latest."""
        asked = self.request.query_params.get("year", "")
        return int(asked) if asked.isdigit() else (self.years[-1] if self.years else None)

    @property
    def t(self) -> Callable[..., str]:
        return translator(self.lang)

    def lang_switch_url(self) -> str:
        other = "en" if self.lang == "zh" else "zh"
        return f"{self.request.url.path}?lang={other}"


def render(page: Page, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """The template rendered in the page's language; remembers the language, never cached."""
    html = env.get_template(template).render(page=page, t=page.t, lang=page.lang, **ctx)
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    if page.remember_lang:
        response.set_cookie(
            LANG_COOKIE,
            page.lang,
            max_age=365 * 86400,
            path="/dashboard",
            samesite="lax",
            secure=page.request.url.scheme == "https",
        )
    for set_cookie in page.cookies:
        set_cookie(response)
    return response


async def get_page(
    request: Request, lang: Annotated[Literal["zh", "en"] | None, Query(description="page language")] = None
) -> Page:
    """The page context without a session (sign-in form)."""
    chosen, remember = request_lang(request, lang)
    return Page(request, chosen, remember)


async def get_signed_in_page(page: Annotated[Page, Depends(get_page)]) -> Page:
    """The page context of a signed-in user allowed on the dashboard (partners are not); a session
    of a client revoked, re-keyed or deleted since sign-in is refused as its API tokens are."""
    session = read_session(page.request)
    if await run_in_threadpool(current_client, page.request.app.state.store, session.principal) is None:
        raise SignInRequired
    page.principal = await get_reader(session.principal)
    page.csrf = session.csrf
    page.years = await store_years(page.request)
    return page


PageDep = Annotated[Page, Depends(get_page)]
SignedInDep = Annotated[Page, Depends(get_signed_in_page)]


async def get_admin_page(page: SignedInDep) -> Page:
    """A signed-in park admin's page (the API's ``get_park_admin`` rule: 403 for other roles)."""
    await get_park_admin(page.principal)
    return page


AdminPageDep = Annotated[Page, Depends(get_admin_page)]


async def get_page_view(page: SignedInDep, graph: GraphDep) -> View:
    """The signed-in principal's view of the current graph (the API's visibility rules)."""
    assert page.principal is not None
    return View(page.principal, graph)


PageViewDep = Annotated[View, Depends(get_page_view)]

_ERROR_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (AccessDenied, 403),
    (NotFound, 404),
    (ValidationFailed, 422),
    (TanlianError, 422),
)


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    lang, remember = request_lang(request, request.query_params.get("lang"))
    page = Page(request, lang, remember)
    try:  # signed in: keep the navigation on the error page
        session = read_session(request)
        page.principal, page.csrf = session.principal, session.csrf
    except SignInRequired:
        pass
    return render(page, "error.html", status=status, status_code=status, detail=detail)


class PageRoute(APIRoute):
    """An API route whose errors are HTML pages (and a missing session a redirect to sign-in)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            request, year = await choose_year(request)
            try:
                response = await handler(request)
                year.apply(response, request)
                return response
            except SignInRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/dashboard/login?next={quote(target)}", status_code=303)
            except CsrfFailed:
                return error_page(request, 403, translator(request_lang(request, None)[0])("csrf_failed"))
            except TanlianError as exc:
                status = next(s for cls, s in _ERROR_STATUS if isinstance(exc, cls))
                return error_page(request, status, str(exc))

        return page_handler
