"""Enterprise and product pages, and the label panel once the PACT helper's label routes exist.

Access is the API's: an enterprise page needs ``View.can_see_enterprise`` (an enterprise user sees
only its own: another enterprise's page is 403, whether it exists or not); an enterprise user's
account and hotspots use shared data only and stop at tier-1 suppliers (DECISIONS 21), as on
``/v1``; a product page follows ``View.check_footprint`` (own or park products, or a direct
supplier's footprint, or its class average when that supplier does not share).
"""

from __future__ import annotations

from typing import Literal

import httpx
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from starlette.routing import Match

from tanlian.api.auth import issue_token
from tanlian.api.dashboard.render import PageRoute, PageViewDep, SignedInDep, figure_json, render
from tanlian.api.deps import IdPath, ResultDep, View
from tanlian.api.schemas.footprints import class_average_body, footprint_body
from tanlian.connectors.chart_text import short_name
from tanlian.connectors.charts import footprint_figure, primary_share_figure, scope_category_figure, supplier_figure
from tanlian.connectors.pact.publish import has_label
from tanlian.errors import AccessDenied, NotFound
from tanlian.graph.model import FACTOR_PREFIX, Client
from tanlian.lca.accounting.scope import enterprise_account, scope3_lines
from tanlian.lca.analysis.hotspots import enterprise_hotspots, product_hotspots
from tanlian.lca.analysis.procurement import alternatives, candidates
from tanlian.lca.core.result import LcaResult
from tanlian.lca.core.sharing import class_average
from tanlian.lca.core.uncertainty import percentiles

router = APIRouter(prefix="/dashboard", route_class=PageRoute, include_in_schema=False)

#: Monte Carlo samples behind the product page's uncertainty band (fixed seed: same band on reload)
MC_SAMPLES = 200
MC_SEED = 42
LABEL_FORMATS = ("svg", "pdf", "json")


def label_formats(app: FastAPI, product_id: str) -> list[str]:
    """Formats ``fmt`` for which ``GET /v1/products/{product_id}/label.<fmt>`` has a route on ``app``
    (empty until the label routes land). Asks the router itself, so it holds however the routes
    were included."""
    found = []
    for fmt in LABEL_FORMATS:
        scope = {
            "type": "http",
            "method": "GET",
            "path": f"/v1/products/{product_id}/label.{fmt}",
            "root_path": "",
            "path_params": {},
            "query_string": b"",
            "headers": [],
        }
        if any(route.matches(scope)[0] == Match.FULL for route in app.router.routes):
            found.append(fmt)
    return found


def band(result: LcaResult, product_id: str) -> dict[str, float | int]:
    """P5/P50/P95 of the product's footprint (kgCO2e per unit), as ``/v1/products/{id}/footprint?mc=
    MC_SAMPLES&seed=MC_SEED`` gives them. One Monte Carlo run covers every product, so it is kept
    with the result (``result.memo``) and the next product page costs nothing."""
    p5, p50, p95 = result.memo.get(
        f"dashboard.mc.{MC_SAMPLES}.{MC_SEED}", lambda: percentiles(result, MC_SAMPLES, MC_SEED)
    )
    j = result.idx(product_id)
    return {"p5": float(p5[j]), "p50": float(p50[j]), "p95": float(p95[j]), "mc_samples": MC_SAMPLES}


def display_names(view: View, result: LcaResult, lang: str) -> dict[str, str]:
    """Names for ids on this page: visible enterprises and products, factors (shared library);
    anything else keeps its id."""
    out = {
        e.id: short_name(e.name, lang, e.id) for e in view.graph.enterprises.values() if view.can_see_enterprise(e.id)
    }
    out |= {p.id: short_name(p.name, lang, p.id) for p in view.graph.products.values() if view.visible_product(p)}
    for fid, f in result.book.factors.items():
        out[FACTOR_PREFIX + fid] = short_name(f.name, lang, fid)
    return out


def green_alternatives(result: LcaResult, enterprise: str, limit: int = 8) -> list[dict]:
    """The enterprise's purchases with a lower-carbon source of the same class: the best option
    per purchase (Δ tCO2e and Δ cost against the current source), largest saving first."""
    rows = []
    for fid in result.inflows.get(enterprise, []):
        if not candidates(result, result.graph.flows[fid]):
            continue
        alt = alternatives(result, fid)
        best = alt["alternatives"][0] if alt["alternatives"] else None
        if best is not None and best["delta_kgco2e"] < 0:
            rows.append({"flow": fid, "current": alt["current"], "best": best})
    rows.sort(key=lambda r: r["best"]["delta_kgco2e"])
    return rows[:limit]


@router.get("/enterprises/{enterprise_id}", response_class=HTMLResponse)
def enterprise(enterprise_id: IdPath, page: SignedInDep, view: PageViewDep, result: ResultDep):
    """Scope 1/2/3 by category, hotspots (top suppliers and paths), green alternatives, primary data."""
    if not view.can_see_enterprise(enterprise_id):
        raise AccessDenied(f"enterprise {enterprise_id!r} is outside your scope")
    own = view.principal.role == "enterprise"
    account = enterprise_account(result, enterprise_id, shared_only=own)
    lines = scope3_lines(result, enterprise_id, shared_only=own)
    hotspots = enterprise_hotspots(result, enterprise_id, top=10, tier1_only=own, lines=lines).record()
    nm = display_names(view, result, page.lang)
    lang = page.lang
    charts = {
        "scopes": figure_json(scope_category_figure(account, lang)),
        "suppliers": figure_json(supplier_figure(hotspots, nm, lang)),
        "primary": figure_json(primary_share_figure(account, lang)),
    }
    products = sorted((p for p in view.graph.products.values() if p.enterprise == enterprise_id), key=lambda p: p.id)
    ent = view.graph.enterprises[enterprise_id]
    return render(
        page,
        "enterprise.html",
        ent=ent,
        account=account,
        hotspots=hotspots,
        alternatives=green_alternatives(result, enterprise_id),
        products=products,
        names=nm,
        charts=charts,
        section="enterprise",
    )


@router.get("/products/{product_id}", response_class=HTMLResponse)
def product(product_id: IdPath, page: SignedInDep, view: PageViewDep, result: ResultDep, request: Request):
    """Footprint with its Monte Carlo band; the label panel when label routes are registered."""
    hotspots = None
    if view.check_footprint(product_id):
        fp = footprint_body(result, product_id) | band(result, product_id)
        formats = label_formats(request.app, product_id)
        if formats and not has_label(request.app.state.store, product_id):
            formats = []  # only published footprints get a label (tanlian pact publish)
        if view.visible_product(view.graph.products[product_id]):  # a supplier's breakdown stays private
            # direct inputs, each with its whole footprint (the tier-1 view): one column of M, no
            # supply solve, so the page stays fast on large graphs; full paths are on the enterprise page
            hotspots = product_hotspots(result, product_id, top=8, tier1_only=True).record()
    else:
        average = class_average(result, product_id)
        if average is None:
            raise AccessDenied(f"not shared: the maker of {product_id!r} does not share footprints")
        fp, formats = class_average_body(result, average), []
    nm = display_names(view, result, page.lang)
    charts = {"footprint": figure_json(footprint_figure(fp, page.lang))}
    if hotspots is not None:
        charts["contributors"] = figure_json(supplier_figure(hotspots, nm, page.lang, per_unit=fp["unit"]))
    return render(
        page,
        "product.html",
        fp=fp,
        hotspots=hotspots,
        label_formats=formats,
        mc_samples=MC_SAMPLES,
        names=nm,
        charts=charts,
        section="product",
    )


@router.get("/products/{product_id}/label.{fmt}")
async def label(product_id: IdPath, fmt: Literal["svg", "pdf", "json"], page: SignedInDep, request: Request):
    """The label from ``/v1/products/{id}/label.<fmt>`` fetched for the signed-in principal (the
    browser holds a session cookie, not a bearer token): same app, same access rules."""
    if fmt not in label_formats(request.app, product_id):
        raise NotFound("label format", fmt)
    p = page.principal
    assert p is not None
    stand_in = Client(id=p.sub, name="dashboard", role=p.role, park=p.park, enterprise=p.enterprise, secret_hash="-")
    token = issue_token(stand_in, request.app.state.jwt_key, 60)
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://dashboard.internal") as client:
        upstream = await client.get(
            f"/v1/products/{product_id}/label.{fmt}", headers={"Authorization": f"Bearer {token}"}
        )
    keep = {k: v for k, v in upstream.headers.items() if k.lower() in ("content-type", "content-disposition")}
    return Response(upstream.content, status_code=upstream.status_code, headers=keep)
