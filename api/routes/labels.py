"""Product carbon labels: ``GET /v1/products/{id}/label.{json,svg,pdf}`` (authenticated) and the
public page ``GET /labels/{pfId}`` (only the published figures of a published footprint)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from tanlian.api.deps import IdPath, StoreDep, ViewDep
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.connectors.labels.content import label_object
from tanlian.connectors.labels.html import label_html
from tanlian.connectors.labels.render import MEDIA_TYPES, render_label
from tanlian.connectors.pact.publish import active_for
from tanlian.errors import AccessDenied, NotFound
from tanlian.graph.model import PactFootprint

router = APIRouter(tags=["labels"])

_LABEL_CONTENT = {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "the label"}


@router.get(
    "/v1/products/{product_id}/label.{fmt}",
    response_class=Response,
    responses={200: _LABEL_CONTENT, **problem_responses(*AUTH_ERRORS, 404)},
    summary="carbon label of a product's published footprint (json = ProductFootprint + label object)",
)
async def product_label(
    product_id: IdPath, fmt: Literal["json", "svg", "pdf"], request: Request, view: ViewDep, store: StoreDep
) -> Response:
    """The label of the product's Active published footprint (404 when it was never published)."""
    if not view.check_footprint(product_id):
        raise AccessDenied(f"the maker of {product_id!r} does not share footprints")
    record = await run_in_threadpool(active_for, store, product_id)
    body = await run_in_threadpool(render_label, record, fmt, request.app.state.settings.public_base_url)
    return Response(body, media_type=MEDIA_TYPES[fmt])


@router.get("/labels/{pf_id}", response_class=HTMLResponse, responses=problem_responses(404, 422, 503))
async def public_label(pf_id: IdPath, request: Request, store: StoreDep) -> HTMLResponse:
    """Public label page of a published footprint (no token: what the QR code opens)."""
    record = await run_in_threadpool(store.get, PactFootprint, pf_id.lower())
    if record is None:
        raise NotFound("published footprint", pf_id)
    return HTMLResponse(label_html(label_object(record, request.app.state.settings.public_base_url)))
