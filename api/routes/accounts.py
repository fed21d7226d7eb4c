"""Accounts: an enterprise's Scope 1/2/3, a park's inventory and its zero-carbon indicators.

Bodies are cached per store revision, query and caller's visibility (:mod:`tanlian.api.cache`).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from tanlian.api.cache import ReadDep, model_bytes
from tanlian.api.deps import IdPath, OptionsDep, View
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.api.schemas.accounts import Indicator, ParkInventory, ScopeAccount
from tanlian.errors import NotFound
from tanlian.lca.accounting.indicators import park_indicators
from tanlian.lca.accounting.park import park_inventory
from tanlian.lca.accounting.scope import enterprise_account

router = APIRouter(prefix="/v1", tags=["accounts"])

_ONE = problem_responses(*AUTH_ERRORS, 404)


def check_park(view: View, park_id: str) -> None:
    """Park figures are for the park's own admin and auditor and for platform admins; to anyone
    else another park is not found, as a missing one (no existence oracle)."""
    p = view.principal
    mine = p.role == "platform_admin" or (p.role in ("park_admin", "auditor") and p.park == park_id)
    if park_id not in view.graph.parks or not mine:
        raise NotFound("park", park_id)


@router.get("/enterprises/{enterprise_id}/scope", response_model=ScopeAccount, responses=_ONE)
async def scope(enterprise_id: IdPath, read: ReadDep, options: OptionsDep) -> Response:
    """Scope 1, Scope 2 (location and market) and Scope 3 by category, one line per source (kgCO2e)."""

    def build() -> bytes:
        view, result = read.solved(options)
        if not view.can_see_enterprise(enterprise_id):
            raise NotFound("enterprise", enterprise_id)  # existence of other tenants is private
        account = enterprise_account(result, enterprise_id, shared_only=view.principal.role == "enterprise")
        return model_bytes(ScopeAccount, account)

    return await read.respond(build)


@router.get("/parks/{park_id}/inventory", response_model=ParkInventory, responses=_ONE)
async def inventory(park_id: IdPath, read: ReadDep, options: OptionsDep) -> Response:
    """Park inventory without double counting (kgCO2e per year)."""

    def build() -> bytes:
        view, result = read.solved(options)
        check_park(view, park_id)
        return model_bytes(ParkInventory, park_inventory(result, park_id))

    return await read.respond(build)


@router.get("/parks/{park_id}/indicators", response_model=list[Indicator], responses=_ONE)
async def indicators(park_id: IdPath, read: ReadDep, options: OptionsDep) -> Response:
    """The zero-carbon park "1+5" indicators with thresholds and verdicts."""
    kgce = read.request.app.state.settings.electricity_kgce_per_kwh

    def build() -> bytes:
        view, result = read.solved(options)
        check_park(view, park_id)
        return model_bytes(list[Indicator], park_indicators(result, park_id, kgce))

    return await read.respond(build)
