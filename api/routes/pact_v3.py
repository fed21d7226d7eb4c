"""PACT v3.0 host: ``GET /3/footprints``, ``GET /3/footprints/{id}``, ``POST /3/events`` (HTTPS only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from tanlian.api.deps import StoreDep
from tanlian.api.pact_deps import PactRoute, PartnerDep, VisibleDep, require_https, visible_footprint, wake_worker
from tanlian.api.pact_errors import PACT_ERRORS, PactError
from tanlian.api.pact_events import V3, handle_event
from tanlian.api.pact_listing import criteria_of, filtered, page_response

router = APIRouter(prefix="/3", tags=["PACT v3"], route_class=PactRoute, dependencies=[Depends(require_https)])

_ERRORS = {
    400: {"description": "BadRequest"},
    401: {"description": "TokenExpired"},
    403: {"description": "AccessDenied"},
}


@router.get("/footprints", responses=PACT_ERRORS, summary="Action ListFootprints (v3 filters, limit, Link next)")
def list_footprints(request: Request, visible: VisibleDep) -> JSONResponse:
    """Published footprints the partner may see, oldest first. Filters: productId, companyId,
    geography, classification, validOn, validAfter, validBefore, status (OR within, AND across,
    case-insensitive); ``limit`` with an absolute ``Link: <…>; rel="next"``."""
    records = filtered(visible, criteria_of(request))
    return page_response(request, [r.document for r in records])


@router.get("/footprints/{pf_id}", responses=PACT_ERRORS)
def get_footprint(pf_id: str, store: StoreDep, principal: PartnerDep) -> JSONResponse:
    """Action GetFootprint: one published footprint (Active or Deprecated)."""
    record = visible_footprint(store, principal, pf_id)
    if record is None:
        raise PactError("NotFound", f"no footprint {pf_id!r}")
    return JSONResponse({"data": record.document})


@router.post("/events", responses=PACT_ERRORS, summary="Action Events (CloudEvents 1.0, structured mode)")
async def events(request: Request, store: StoreDep, principal: PartnerDep) -> Response:
    """Accept a PublishedEvent, RequestCreatedEvent (answered later), RequestFulfilledEvent
    (footprints imported) or RequestRejectedEvent: 200 with an empty body."""
    body = await request.body()
    if handle_event(store, principal, body, V3, request.app.state.settings.public_base_url):
        wake_worker(request)
    return Response(status_code=200)
