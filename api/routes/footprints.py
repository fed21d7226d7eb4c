"""Product footprints and embodied carbon on supply edges (same JSON as the CLI's ``--json``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from tanlian.api.deps import ResultDep, ViewDep
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.errors import AccessDenied, NotFound

router = APIRouter(prefix="/v1", tags=["footprints"])


class Footprint(BaseModel):
    """Cradle-to-gate footprint of one product, kgCO2e per declared unit."""

    model_config = ConfigDict(extra="allow")
    product: str
    name: str | None
    enterprise: str
    unit: str
    kgco2e_per_unit: float
    direct_kgco2e_per_unit: float | None = None
    upstream_kgco2e_per_unit: float | None = None
    by_gas: dict[str, float] | None = None
    gwp: str
    scope2_method: str
    allocation: str | None = None
    shared: bool | None = Field(None, description="false: a class average shown for a supplier that does not share")
    basis: str | None = Field(None, description="for a supplier that does not share: how the average was formed")
    p5: float | None = None
    p50: float | None = None
    p95: float | None = None
    mc_samples: int | None = None


class Edge(BaseModel):
    """Embodied carbon on one supply edge = quantity × intensity of what flows (kgCO2e)."""

    model_config = ConfigDict(populate_by_name=True)
    flow: str
    from_: str = Field(alias="from")
    to: str
    quantity: float
    unit: str
    embodied_kgco2e: float


@router.get(
    "/products/{product_id}/footprint",
    response_model=Footprint,
    response_model_exclude_none=True,
    responses=problem_responses(*AUTH_ERRORS, 404),
)
def footprint(
    product_id: Annotated[str, Path(min_length=1, max_length=200)],
    view: ViewDep,
    result: ResultDep,
    mc: Annotated[int, Query(ge=0, le=2000, description="Monte Carlo samples for p5/p50/p95")] = 0,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1, description="random seed for mc")] = 42,
) -> dict:
    """Footprint of a product the caller may see (own/park, or a sharing direct supplier's)."""
    if view.check_footprint(product_id):
        return result.footprint(product_id, mc=mc, seed=seed)
    average = result.class_average(product_id)
    if average is None:
        raise AccessDenied(
            f"not shared: the maker of {product_id!r} does not share footprints, "
            "and no other supplier of its class does"
        )
    return average


@router.get("/edges", response_model=list[Edge], responses=problem_responses(*AUTH_ERRORS, 404))
def edges(
    view: ViewDep,
    result: ResultDep,
    enterprise: Annotated[str | None, Query(max_length=200, description="only flows into or out of it")] = None,
) -> list[dict]:
    """Embodied carbon on the edges the caller may see."""
    if enterprise is not None and not view.can_see_enterprise(enterprise):
        raise NotFound("enterprise", enterprise)
    if enterprise is None and view.principal.role == "enterprise":
        enterprise = view.principal.enterprise  # its visible edges are exactly those
    flows = result.graph.flows
    rows = result.edges(enterprise)
    return [e for e in rows if view.visible_edge(flows[e["flow"]])]
