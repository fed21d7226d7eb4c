"""Reduction work: hotspots, greener alternatives for a purchase, what-if scenarios."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from tanlian.api.deps import IdPath, ResultDep, ViewDep
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.api.schemas.reduction import AlternativesBody, HotspotsBody, ScenarioReport
from tanlian.errors import AccessDenied, NotFound
from tanlian.lca.accounting.scope import scope3_lines
from tanlian.lca.analysis.hotspots import enterprise_hotspots
from tanlian.lca.analysis.procurement import alternatives as flow_alternatives
from tanlian.lca.analysis.scenarios import Scenario, run_scenario

router = APIRouter(prefix="/v1", tags=["reduction"])

_ONE = problem_responses(*AUTH_ERRORS, 404)


@router.get("/enterprises/{enterprise_id}/hotspots", response_model=HotspotsBody, responses=_ONE)
def hotspots(
    enterprise_id: IdPath,
    view: ViewDep,
    result: ResultDep,
    top: Annotated[int, Query(ge=0, le=100, description="supply paths to list")] = 10,
) -> dict[str, Any]:
    """Where the enterprise's upstream Scope 3 comes from (kgCO2e per year).

    An enterprise sees detail down to its tier-1 suppliers only (deeper tiers are aggregated into
    each tier-1 supplier's footprint, DECISIONS 21); park roles see full supply paths.
    """
    if not view.can_see_enterprise(enterprise_id):
        raise NotFound("enterprise", enterprise_id)
    own = view.principal.role == "enterprise"
    lines = scope3_lines(result, enterprise_id, shared_only=own)
    return enterprise_hotspots(result, enterprise_id, top=top, tier1_only=own, lines=lines).record()


@router.get("/flows/{flow_id}/alternatives", response_model=AlternativesBody, responses=_ONE)
def alternatives(flow_id: IdPath, view: ViewDep, result: ResultDep) -> dict[str, Any]:
    """Other suppliers of the same class for a purchase, ranked by the change in the buyer's Scope 3."""
    flow = view.graph.flows.get(flow_id)
    if flow is None or not view.can_see_enterprise(flow.to):
        raise NotFound("flow", flow_id)
    # only what the reader may see: other suppliers' exact footprints, prices and locations only
    # when it sees them in full or they are direct suppliers of the buyer that share
    return flow_alternatives(result, flow_id, exact=view.exact_for(flow.to))


@router.post("/scenarios", response_model=ScenarioReport, responses=problem_responses(*AUTH_ERRORS, 400, 404))
def scenarios(scenario: Annotated[Scenario, Body()], view: ViewDep, result: ResultDep) -> dict[str, Any]:
    """Run a what-if scenario on a copy of the graph (nothing is written) and report what changed.

    The report covers every product and enterprise the change reaches, so it is for the park's
    admin and auditor.
    """
    if view.principal.role not in ("park_admin", "auditor", "platform_admin"):
        raise AccessDenied("scenarios report figures of every enterprise they reach: park roles only")
    for change in scenario.changes:
        target = getattr(change, "enterprise", None)
        flow = view.graph.flows.get(getattr(change, "flow", None) or "")
        if flow is not None:
            target = flow.to
        if target is not None and not view.can_see_enterprise(target):
            raise NotFound("enterprise" if flow is None else "flow", getattr(change, "flow", None) or target)
    # a switch to a product whose exact footprint the principal may not see runs on its class
    # average (an aggregate), never on the real figure (which the Δ would reveal)
    out = run_scenario(result, scenario, exact=view.exact_footprint)
    # report only what the principal may see: its park's enterprises, their products, its park
    out["products"] = {p: v for p, v in out["products"].items() if view.visible_product(view.graph.products[p])}
    out["enterprises"] = {e: v for e, v in out["enterprises"].items() if view.can_see_enterprise(e)}
    admin = view.principal.role == "platform_admin"
    out["parks"] = {p: v for p, v in out.get("parks", {}).items() if admin or p == view.principal.park}
    return out
