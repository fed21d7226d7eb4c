"""Sign-in and sign-out, the landing redirect, and the bundle import form.

Sign-in checks a client id and secret with :func:`tanlian.api.auth.authenticate` (the OAuth2
clients of the API) and sets the session cookie; partners are refused as on ``/v1``. The import
form runs the ``POST /v1/imports`` route function for a park admin, so the tenancy checks and the
all-or-nothing import are the API's; validation errors come back as a table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import plotly
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from tanlian.api.auth import Principal, authenticate
from tanlian.api.dashboard.render import AdminPageDep, PageDep, PageRoute, SignedInDep, render
from tanlian.api.dashboard.session import (
    LOGIN_CSRF_COOKIE,
    check_csrf,
    clear_session_cookie,
    issue_session,
    login_csrf,
    read_session,
    set_login_csrf_cookie,
    set_session_cookie,
)
from tanlian.api.deps import StoreDep
from tanlian.api.problems import PayloadTooLarge
from tanlian.api.ratelimit import sign_in_wait
from tanlian.api.routes.imports import import_upload
from tanlian.errors import AccessDenied, TanlianError, ValidationFailed

router = APIRouter(prefix="/dashboard", route_class=PageRoute, include_in_schema=False)

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def home_url(principal: Principal) -> str:
    """Where a principal lands: its park's overview, its enterprise's page, or (a platform admin,
    who belongs to no park) the list of parks."""
    if principal.role == "enterprise" and principal.enterprise:
        return f"/dashboard/enterprises/{principal.enterprise}"
    if principal.park:
        return f"/dashboard/parks/{principal.park}"
    return "/dashboard/parks"


def safe_next(target: str | None) -> str | None:
    """A same-site dashboard path to return to after sign-in (never another host)."""
    if target and target.startswith("/dashboard") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/static/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js as bundled with the ``plotly`` Python package (no CDN)."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


@router.get("", response_class=HTMLResponse)
async def landing(page: SignedInDep) -> RedirectResponse:
    assert page.principal is not None
    return RedirectResponse(home_url(page.principal), status_code=303)


def _login_page(page, next_url: str | None, error: str | None = None, status: int = 200):
    token = login_csrf(page.request)
    page.cookies.append(lambda r: set_login_csrf_cookie(r, page.request, token))
    return render(page, "login.html", status=status, csrf=token, next_url=next_url or "", error=error)


@router.get("/login", response_class=HTMLResponse)
async def login_form(page: PageDep, next: str | None = None):
    return _login_page(page, safe_next(next))


@router.post("/login", response_class=HTMLResponse)
async def login(
    page: PageDep,
    store: StoreDep,
    client_id: Annotated[str, Form(max_length=200)],
    client_secret: Annotated[str, Form(max_length=500)],
    csrf_token: Annotated[str, Form(max_length=200)],
    next: Annotated[str | None, Form(max_length=500)] = None,
):
    request = page.request
    check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token)
    address = request.client.host if request.client else "unknown"
    wait = await run_in_threadpool(sign_in_wait, store, request.app.state.settings, address, client_id)
    if wait:  # the token endpoint's budget: the sign-in form is no way around it
        response = _login_page(page, safe_next(next), page.t("too_many_attempts").format(wait=wait), status=429)
        response.headers["Retry-After"] = str(wait)
        return response
    client = await run_in_threadpool(authenticate, store, client_id, client_secret)
    if client is None:
        return _login_page(page, safe_next(next), page.t("bad_credentials"), status=401)
    if client.role == "partner":
        return _login_page(page, safe_next(next), page.t("partner_denied"), status=403)
    token = issue_session(client, request.app.state.jwt_key)
    principal = Principal(client.id, client.role, client.park, client.enterprise)
    response = RedirectResponse(safe_next(next) or home_url(principal), status_code=303)
    set_session_cookie(response, request, token)
    return response


@router.post("/logout")
async def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)]) -> RedirectResponse:
    check_csrf(read_session(request).csrf, csrf_token)
    response = RedirectResponse("/dashboard/login", status_code=303)
    clear_session_cookie(response, request)
    return response


@router.get("/import", response_class=HTMLResponse)
async def import_form(page: AdminPageDep):
    return render(page, "import.html", section="import")


@router.post("/import", response_class=HTMLResponse)
def import_bundle_form(
    page: AdminPageDep,
    store: StoreDep,
    file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form(max_length=200)],
    replace: Annotated[bool, Form()] = False,
):
    """Validate and import the uploaded bundle; show the summary or every invalid row."""
    check_csrf(page.csrf, csrf_token)
    shown = {"filename": file.filename, "section": "import"}
    try:
        summary = import_upload(admin=page.principal, store=store, file=file, replace=replace)
    except ValidationFailed as exc:
        return render(page, "import.html", status=422, errors=exc.errors, **shown)
    except (PayloadTooLarge, AccessDenied, TanlianError) as exc:  # too large, another park's rows, replace refused
        status = 413 if isinstance(exc, PayloadTooLarge) else 403 if isinstance(exc, AccessDenied) else 422
        return render(page, "import.html", status=status, denied=str(exc), **shown)
    counts = {k: sum(v.values()) if isinstance(v, dict) else v for k, v in summary.items() if k != "notes"}
    return render(page, "import.html", summary={**counts, "notes": summary.get("notes", [])}, **shown)
