"""Industrial symbiosis opportunities for park planners."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from tanlian.api.deps import IdPath, ViewDep
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.api.routes.accounts import check_park
from tanlian.api.schemas.symbiosis import SymbiosisBody
from tanlian.lca.analysis.symbiosis import opportunities

router = APIRouter(prefix="/v1", tags=["symbiosis"])


@router.get("/parks/{park_id}/symbiosis", response_model=SymbiosisBody, responses=problem_responses(*AUTH_ERRORS, 404))
def symbiosis(
    park_id: IdPath,
    view: ViewDep,
    gwp: Annotated[Literal["AR5", "AR6"], Query(description="GWP set")] = "AR6",
    detour: Annotated[float, Query(ge=1.0, le=3.0, description="road distance / great-circle distance")] = 1.3,
) -> dict[str, Any]:
    """Residual → need matches among the park's members, and the assignment that avoids the most CO2e."""
    check_park(view, park_id)
    return opportunities(view.graph, park_id, gwp, detour)
