"""Product footprints and embodied carbon on supply edges (same JSON as the CLI's ``--json``).

Bodies are cached per store revision, query and caller's visibility (:mod:`tanlian.api.cache`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tanlian.api.cache import ReadDep, dumps, model_bytes
from tanlian.api.deps import IdPath, OptionsDep
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.api.schemas.footprints import (
    Edge,
    Footprint,
    class_average_body,
    edge_rows,
    footprint_body,
    not_shared_body,
)
from tanlian.errors import NotFound
from tanlian.lca.core.sharing import class_average

router = APIRouter(prefix="/v1", tags=["footprints"])


@router.get(
    "/products/{product_id}/footprint",
    response_model=Footprint,
    response_model_exclude_none=True,
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def footprint(
    product_id: IdPath,
    read: ReadDep,
    options: OptionsDep,
    mc: Annotated[int, Query(ge=0, le=2000, description="Monte Carlo samples for p5/p50/p95")] = 0,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1, description="random seed for mc")] = 42,
) -> Response:
    """Footprint of a product the caller may see (own/park, or a sharing direct supplier's)."""

    def build() -> bytes:
        view, result = read.solved(options)
        if view.check_footprint(product_id):
            return model_bytes(Footprint, footprint_body(result, product_id, mc=mc, seed=seed), exclude_none=True)
        average = class_average(result, product_id)
        if average is None:  # no aggregate of enough peers: say so, with no value
            return model_bytes(Footprint, not_shared_body(result, product_id), exclude_none=True)
        return model_bytes(Footprint, class_average_body(result, average), exclude_none=True)

    return await read.respond(build)


@router.get("/edges", response_model=list[Edge], responses=problem_responses(*AUTH_ERRORS, 404))
async def edges(
    read: ReadDep,
    options: OptionsDep,
    enterprise: Annotated[str | None, Query(max_length=200, description="only flows into or out of it")] = None,
) -> Response:
    """Embodied carbon on the edges the caller may see (kgCO2e per year), sorted by flow id.

    The body is built from the result's edge columns and serialised once (no model per row);
    its shape is the declared ``list[Edge]``.
    """

    def build() -> bytes:
        view, result = read.solved(options)
        ent = enterprise
        if ent is not None and not view.can_see_enterprise(ent):
            raise NotFound("enterprise", ent)
        if ent is None and view.principal.role == "enterprise":
            ent = view.principal.enterprise  # its visible edges are exactly those
        table, flows = result.edges, result.graph.flows
        ids = table.flow if ent is None else result.flows_by_enterprise.get(ent, [])
        visible = table.rows_of([fid for fid in ids if view.visible_edge(flows[fid])])
        return dumps(edge_rows(table, visible))

    return await read.respond(build)
