"""``POST /v1/pact/import``: supplier footprints (PACT v3 or v2.3) replace computed intensities."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from tanlian.api.deps import GraphDep, ParkAdminDep, StoreDep
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.api.schemas.pact import ImportReport
from tanlian.connectors.pact.importer import footprints_of, import_footprints, read_url
from tanlian.errors import RowError, TanlianError, ValidationFailed

router = APIRouter(prefix="/v1", tags=["PACT"])


_BODY = {
    "requestBody": {
        "required": False,
        "description": 'PACT v3 or v2.3 ProductFootprints: one, a list, or a {"data": [...]} page',
        "content": {"application/json": {"schema": {"oneOf": [{"type": "object"}, {"type": "array"}]}}},
    }
}


@router.post(
    "/pact/import",
    response_model=ImportReport,
    responses=problem_responses(*AUTH_ERRORS, 400),
    openapi_extra=_BODY,
)
async def pact_import(
    request: Request,
    store: StoreDep,
    graph: GraphDep,
    admin: ParkAdminDep,
    url: Annotated[
        str | None, Query(max_length=2000, description="fetch from a stored partner's PACT host instead of the body")
    ] = None,
) -> dict[str, Any]:
    """Import footprints from the JSON body (one, a list, or a ``{"data": […]}`` page) or from
    ``url``; each is attached to the product naming it (``pact_ids``) if that product is of the
    admin's park or outside every park. All-or-nothing validation: every violated rule is listed."""
    settings = request.app.state.settings
    if url is not None:
        items = await run_in_threadpool(read_url, store, url, settings.pact_ca_bundle or True)
        source = url
    else:
        try:
            payload = json.loads(await request.body())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationFailed([RowError("request body", None, None, None, f"not JSON: {exc}")]) from None
        items, source = footprints_of(payload, "request body"), "request body"
    if not items:
        raise TanlianError("no footprints to import")
    allowed = {
        p.id
        for p in graph.products.values()
        if (ent := graph.enterprises.get(p.enterprise)) is not None and ent.park in (None, admin.park)
    }
    outcome = await run_in_threadpool(import_footprints, store, items, source, settings.public_base_url, allowed)
    return {"source": source, "footprints": [o.__dict__ for o in outcome]}
