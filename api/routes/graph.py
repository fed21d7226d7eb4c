"""Read the graph: enterprises, products and flows, paginated and filtered to the caller's view."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from tanlian.api.deps import IdPath, PageDep, PageParams, ViewDep
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.errors import NotFound
from tanlian.graph.model import Entity

router = APIRouter(prefix="/v1", tags=["graph"])

Record = dict[str, Any]
_LIST = problem_responses(*AUTH_ERRORS)
_ONE = problem_responses(*AUTH_ERRORS, 404)


class Page(BaseModel):
    """One page of records (bundle-format field names)."""

    items: list[Record]
    total: int
    limit: int
    offset: int


def paginate(entities: Iterable[Entity], keep: Callable[[Any], bool], page: PageParams) -> dict[str, Any]:
    """The visible entities (sorted by id) sliced by ``page``."""
    visible = [e for e in entities if keep(e)]
    items = [e.record() for e in visible[page.offset : page.offset + page.limit]]
    return {"items": items, "total": len(visible), "limit": page.limit, "offset": page.offset}


def one(entity: Entity | None, kind: str, id: str, keep: Callable[[Any], bool]) -> Record:
    """The record of a visible entity; 404 when absent or outside the caller's view."""
    if entity is None or not keep(entity):
        raise NotFound(kind, id)
    return entity.record()


def _sorted(table: dict[str, Entity]) -> list[Entity]:
    return [table[k] for k in sorted(table)]


@router.get("/enterprises", response_model=Page, responses=_LIST)
def list_enterprises(view: ViewDep, page: PageDep) -> dict[str, Any]:
    """Enterprises the caller may see (its park's, or its own)."""
    return paginate(_sorted(view.graph.enterprises), lambda e: view.can_see_enterprise(e.id), page)


@router.get("/enterprises/{enterprise_id}", response_model=Record, responses=_ONE)
def get_enterprise(enterprise_id: IdPath, view: ViewDep) -> Record:
    ent = view.graph.enterprises.get(enterprise_id)
    return one(ent, "enterprise", enterprise_id, lambda e: view.can_see_enterprise(e.id))


@router.get("/products", response_model=Page, responses=_LIST)
def list_products(view: ViewDep, page: PageDep) -> dict[str, Any]:
    """Products of the enterprises the caller may see."""
    return paginate(_sorted(view.graph.products), view.visible_product, page)


@router.get("/products/{product_id}", response_model=Record, responses=_ONE)
def get_product(product_id: IdPath, view: ViewDep) -> Record:
    return one(view.graph.products.get(product_id), "product", product_id, view.visible_product)


@router.get("/flows", response_model=Page, responses=_LIST)
def list_flows(view: ViewDep, page: PageDep) -> dict[str, Any]:
    """Flows into or out of the enterprises the caller may see (never other enterprises' raw flows)."""
    return paginate(_sorted(view.graph.flows), view.visible_flow, page)


@router.get("/flows/{flow_id}", response_model=Record, responses=_ONE)
def get_flow(flow_id: IdPath, view: ViewDep) -> Record:
    return one(view.graph.flows.get(flow_id), "flow", flow_id, view.visible_flow)
