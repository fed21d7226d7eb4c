"""``GET /v1/audit``: the audit log of writes (park admins: their park; platform admins: all)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from tanlian.api.audit import readable
from tanlian.api.deps import PageDep, ParkAdminDep, StoreDep
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.api.schemas.audit import AuditPage
from tanlian.errors import NotFound
from tanlian.graph.model import AuditEntry

router = APIRouter(prefix="/v1", tags=["audit"])


@router.get("/audit", response_model=AuditPage, responses=problem_responses(*AUTH_ERRORS, 404))
async def audit_log(
    who: ParkAdminDep,
    store: StoreDep,
    page: PageDep,
    park: Annotated[str | None, Query(max_length=200, description="only writes touching this park")] = None,
) -> dict[str, Any]:
    """Writes (imports, oldest first) with who, when, the bundle's SHA-256 and the revisions
    before and after. A park admin reads its own park's entries only."""
    if park is not None and who.role != "platform_admin" and park != who.park:
        raise NotFound("park", park)
    entries = readable(await run_in_threadpool(store.list, AuditEntry), who, park)
    items = [e.record() for e in entries[page.offset : page.offset + page.limit]]
    return {"items": items, "total": len(entries), "limit": page.limit, "offset": page.offset}
