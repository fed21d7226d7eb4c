"""Read the graph: enterprises, products and flows, paginated and filtered to the caller's view.

Bodies are cached per store revision, query and caller's visibility (:mod:`tanlian.api.cache`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi import APIRouter, Response

from tanlian.api.cache import ReadDep, dumps, model_bytes
from tanlian.api.deps import IdPath, PageDep, PageParams
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.api.schemas.graph import EnterprisePage, FlowPage, ProductPage
from tanlian.errors import NotFound
from tanlian.graph.model import Enterprise, Entity, Flow, Product

router = APIRouter(prefix="/v1", tags=["graph"])
T = TypeVar("T", bound=Entity)

_LIST = problem_responses(*AUTH_ERRORS)
_ONE = dict(responses=problem_responses(*AUTH_ERRORS, 404), response_model_exclude_none=True)


def paginate(entities: Iterable[Entity], keep: Callable[[Any], bool], page: PageParams) -> bytes:
    """The visible entities (sorted by id) sliced by ``page``, serialised once from their records
    (the entities were validated on import: no second model per row)."""
    visible = [e for e in entities if keep(e)]
    items = [e.record() for e in visible[page.offset : page.offset + page.limit]]
    return dumps({"items": items, "total": len(visible), "limit": page.limit, "offset": page.offset})


def one(entity: T | None, kind: str, id: str, keep: Callable[[Any], bool]) -> T:
    """A visible entity; 404 when absent or outside the caller's view."""
    if entity is None or not keep(entity):
        raise NotFound(kind, id)
    return entity


def _sorted(table: dict[str, Entity]) -> list[Entity]:
    return [table[k] for k in sorted(table)]


@router.get("/enterprises", response_model=EnterprisePage, responses=_LIST)
async def list_enterprises(read: ReadDep, page: PageDep) -> Response:
    """Enterprises the caller may see (its park's, or its own)."""

    def build() -> bytes:
        view = read.view()
        return paginate(_sorted(view.graph.enterprises), lambda e: view.can_see_enterprise(e.id), page)

    return await read.respond(build)


@router.get("/enterprises/{enterprise_id}", response_model=Enterprise, **_ONE)
async def get_enterprise(enterprise_id: IdPath, read: ReadDep) -> Response:
    def build() -> bytes:
        view = read.view()
        ent = view.graph.enterprises.get(enterprise_id)
        ent = one(ent, "enterprise", enterprise_id, lambda e: view.can_see_enterprise(e.id))
        return model_bytes(Enterprise, ent, exclude_none=True)

    return await read.respond(build)


@router.get("/products", response_model=ProductPage, responses=_LIST)
async def list_products(read: ReadDep, page: PageDep) -> Response:
    """Products of the enterprises the caller may see."""

    def build() -> bytes:
        view = read.view()
        return paginate(_sorted(view.graph.products), view.visible_product, page)

    return await read.respond(build)


@router.get("/products/{product_id}", response_model=Product, **_ONE)
async def get_product(product_id: IdPath, read: ReadDep) -> Response:
    def build() -> bytes:
        view = read.view()
        product = one(view.graph.products.get(product_id), "product", product_id, view.visible_product)
        return model_bytes(Product, product, exclude_none=True)

    return await read.respond(build)


@router.get("/flows", response_model=FlowPage, responses=_LIST)
async def list_flows(read: ReadDep, page: PageDep) -> Response:
    """Flows into or out of the enterprises the caller may see (never other enterprises' raw flows)."""

    def build() -> bytes:
        view = read.view()
        return paginate(_sorted(view.graph.flows), view.visible_flow, page)

    return await read.respond(build)


@router.get("/flows/{flow_id}", response_model=Flow, **_ONE)
async def get_flow(flow_id: IdPath, read: ReadDep) -> Response:
    def build() -> bytes:
        view = read.view()
        flow = one(view.graph.flows.get(flow_id), "flow", flow_id, view.visible_flow)
        return model_bytes(Flow, flow, exclude_none=True)

    return await read.respond(build)
