"""PACT v2.3 host (deprecated by PACT in April 2026, kept for older partners): ``/2/footprints``,
``/2/footprints/{id}``, ``/2/events``. The bodies are v2.3 views derived from the stored v3
footprints; a footprint v2.3 cannot express (e.g. per piece) is left out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from tanlian.api.deps import StoreDep
from tanlian.api.pact_deps import PactRoute, PartnerDep, VisibleDep, require_https, visible_footprint, wake_worker
from tanlian.api.pact_errors import PACT_ERRORS, PactError
from tanlian.api.pact_events import V2, handle_event
from tanlian.api.pact_listing import page_response
from tanlian.connectors.pact.v2 import v2_reason, v2_view

router = APIRouter(prefix="/2", tags=["PACT v2.3"], route_class=PactRoute, dependencies=[Depends(require_https)])


@router.get(
    "/footprints", responses=PACT_ERRORS, summary="Action ListFootprints (v2.3; $filter is not supported and ignored)"
)
def list_footprints(request: Request, visible: VisibleDep) -> JSONResponse:
    """The v2.3 views of the published footprints, oldest first; ``limit`` with a Link next."""
    docs = [view for r in visible if (view := v2_view(r.document)) is not None]
    return page_response(request, docs)


@router.get("/footprints/{pf_id}", responses=PACT_ERRORS)
def get_footprint(pf_id: str, store: StoreDep, principal: PartnerDep) -> JSONResponse:
    """Action GetFootprint (v2.3): 404 NoSuchFootprint when unknown or not expressible in v2.3."""
    record = visible_footprint(store, principal, pf_id)
    if record is None:
        raise PactError("NoSuchFootprint", f"no footprint {pf_id!r}")
    view = v2_view(record.document)
    if view is None:
        raise PactError("NoSuchFootprint", f"footprint {pf_id!r} has no v2.3 form: {v2_reason(record.document)}")
    return JSONResponse({"data": view})


@router.post("/events", responses=PACT_ERRORS)
async def events(request: Request, store: StoreDep, principal: PartnerDep) -> Response:
    """v2.3 events: Published.v1, ProductFootprintRequest.Created/Fulfilled/Rejected.v1."""
    body = await request.body()
    if handle_event(store, principal, body, V2, request.app.state.settings.public_base_url):
        wake_worker(request)
    return Response(status_code=200)
