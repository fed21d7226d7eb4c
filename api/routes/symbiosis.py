"""Industrial symbiosis opportunities for park planners (bodies cached per revision: :mod:`tanlian.api.cache`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from tanlian.api.cache import ReadDep, model_bytes
from tanlian.api.deps import IdPath
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.api.routes.accounts import check_park
from tanlian.api.schemas.symbiosis import SymbiosisBody
from tanlian.lca.analysis.symbiosis import opportunities

router = APIRouter(prefix="/v1", tags=["symbiosis"])


@router.get("/parks/{park_id}/symbiosis", response_model=SymbiosisBody, responses=problem_responses(*AUTH_ERRORS, 404))
async def symbiosis(
    park_id: IdPath,
    read: ReadDep,
    gwp: Annotated[Literal["AR5", "AR6"], Query(description="GWP set")] = "AR6",
    detour: Annotated[float, Query(ge=1.0, le=3.0, description="road distance / great-circle distance")] = 1.3,
) -> Response:
    """Residual → need matches among the park's members, and the assignment that avoids the most CO2e."""

    def build() -> bytes:
        view = read.view()
        check_park(view, park_id)
        return model_bytes(SymbiosisBody, opportunities(view.graph, park_id, gwp, detour))

    return await read.respond(build)
