"""The dashboard's accounting year: ``?year=Y`` shows that year and is remembered in a cookie (as
the language is), ``?year=`` goes back to the latest year; every page and form then reads the
remembered year through the same ``?year=`` the API routes take (the request's query is extended
before the dependencies read it). A remembered year the store no longer holds is forgotten."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

YEAR_COOKIE = "tanlian_year"


@dataclass(frozen=True)
class YearChoice:
    """What a request asks: ``remember`` a year, ``forget`` the remembered one, or neither."""

    remember: int | None = None
    forget: bool = False

    def apply(self, response: Response, request: Request) -> None:
        if self.forget:
            response.delete_cookie(YEAR_COOKIE, path="/dashboard")
        elif self.remember is not None:
            response.set_cookie(
                YEAR_COOKIE,
                str(self.remember),
                max_age=365 * 86400,
                path="/dashboard",
                samesite="lax",
                httponly=True,
                secure=request.url.scheme == "https",
            )


async def store_years(request: Request) -> list[int]:
    """The store's accounting years, read once per request (the year switch and the page share it)."""
    years = getattr(request.state, "store_years", None)
    if years is None:
        years = request.state.store_years = await run_in_threadpool(request.app.state.store.years)
    return years


def _with_query(request: Request, items: list[tuple[str, str]]) -> Request:
    request.state  # noqa: B018 (makes scope["state"], which the copy below then shares)
    scope = dict(request.scope)
    scope["query_string"] = urlencode(items).encode()
    return Request(scope, request.receive)


async def choose_year(request: Request) -> tuple[Request, YearChoice]:
    """The request to handle (its query carrying the year to show) and what to do with the cookie."""
    items = parse_qsl(request.url.query, keep_blank_values=True)
    asked = [v for k, v in items if k == "year"]
    rest = [(k, v) for k, v in items if k != "year"]
    if asked and asked[-1] == "":  # "latest": drop the parameter and the cookie
        return _with_query(request, rest), YearChoice(forget=True)
    if asked:
        value = asked[-1]
        return request, YearChoice(remember=int(value)) if value.isdigit() else YearChoice()
    cookie = request.cookies.get(YEAR_COOKIE, "")
    if not cookie.isdigit():
        return request, YearChoice(forget=bool(cookie))
    if int(cookie) not in await store_years(request):
        return request, YearChoice(forget=True)
    return _with_query(request, [*rest, ("year", cookie)]), YearChoice()
