"""``Annotated`` dependencies shared by routes: the store, the principal, the solved result, the view.

Visibility rules (DECISIONS 21): a park admin or auditor sees its park's enterprises, their
products and every flow touching them; an enterprise sees its own data and the flows into or out
of it, plus footprints of its direct suppliers' products when they share them; a partner sees
nothing under ``/v1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2
from fastapi.security.utils import get_authorization_scheme_param

from tanlian.api.auth import Principal, current_client, decode_token
from tanlian.api.problems import Unauthorized
from tanlian.errors import AccessDenied, NotFound
from tanlian.graph.model import Flow, Graph, Product
from tanlian.graph.store import GraphStore
from tanlian.lca.core.cache import results, snapshots
from tanlian.lca.core.result import LcaResult
from tanlian.lca.core.sharing import shares_footprints
from tanlian.settings import GwpSet, Scope2Method

#: An entity id in a route path.
IdPath = Annotated[str, Path(min_length=1, max_length=200)]

#: The security scheme in the OpenAPI document: OAuth2 client credentials at /auth/token (HTTP
#: Basic or form credentials), so ``/docs`` can fetch a token; routes take the bearer token.
oauth2 = OAuth2(
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl="/auth/token", scopes={})),
    scheme_name="OAuth2ClientCredentials",
    description="client credentials grant at POST /auth/token; send the access token as a bearer token",
    auto_error=False,
)


def _query_names(dependant: Dependant) -> set[str]:
    names = {f.alias for f in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def reject_unknown_query(request: Request) -> None:
    """Unknown query parameters are a 422 (a typo like ``?enterprize=`` must not silently widen a query)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if getattr(route, "accepts_any_query", False):
        return  # PACT routes ignore unknown parameters, as the PACT specification's hosts do
    if dependant is None or not request.query_params:
        return
    unknown = sorted(set(request.query_params) - _query_names(dependant))
    if unknown:
        raise RequestValidationError(
            [
                {"loc": ("query", k), "msg": "unknown query parameter", "type": "extra_forbidden", "input": None}
                for k in unknown
            ]
        )


async def get_store(request: Request) -> GraphStore:
    """The app's graph store."""
    return request.app.state.store


StoreDep = Annotated[GraphStore, Depends(get_store)]


def principal_of(authorization: str | None, key: str) -> Principal:
    """The principal a bearer ``Authorization`` header claims (signature and expiry checked);
    Unauthorized when missing, malformed, forged or expired."""
    scheme, token = get_authorization_scheme_param(authorization)
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("a bearer token is required (POST /auth/token)")
    try:
        return decode_token(token, key)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired") from None
    except (jwt.InvalidTokenError, ValueError):
        raise Unauthorized("the token is invalid") from None


async def get_principal(request: Request, authorization: Annotated[str | None, Depends(oauth2)]) -> Principal:
    """The caller from its bearer token; 401 when missing, malformed, forged, expired, or when its
    client was revoked or deleted since the token was issued."""
    principal = principal_of(authorization, request.app.state.jwt_key)
    if await run_in_threadpool(current_client, request.app.state.store, principal) is None:
        raise Unauthorized("the token was revoked")
    return principal


async def get_reader(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """A principal allowed on ``/v1`` (partners use the PACT routes only)."""
    if principal.role == "partner":
        raise AccessDenied("partner clients may only use the PACT exchange routes")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_reader)]


async def get_park_admin(principal: PrincipalDep) -> Principal:
    """A park admin or a platform admin (the roles that write)."""
    if principal.role not in ("park_admin", "platform_admin"):
        raise AccessDenied("only a park admin or a platform admin may do this")
    return principal


ParkAdminDep = Annotated[Principal, Depends(get_park_admin)]


YearQuery = Annotated[
    int | None, Query(ge=0, le=2100, description="accounting year (default: the latest year in the store)")
]


async def get_store_key(request: Request, store: StoreDep) -> tuple[str, str | None, int]:
    """The store's identity and revision (``store_key``) without a store call on the event loop:
    the revision comes from the app's :class:`~tanlian.api.cache.RevisionClock`."""
    revision = await request.app.state.revisions.current()
    return store.url, getattr(store, "database", None), revision


StoreKeyDep = Annotated[tuple[str, str | None, int], Depends(get_store_key)]


async def get_graph(store: StoreDep, key: StoreKeyDep, year: YearQuery = None) -> Graph:
    """The graph of ``?year=`` (default latest; cached per revision; a miss is read in the thread pool)."""
    return snapshots.peek(key, year) or await run_in_threadpool(snapshots.get, store, year, key)


GraphDep = Annotated[Graph, Depends(get_graph)]

GwpQuery = Annotated[Literal["AR5", "AR6"], Query(description="GWP set of IPCC AR5 or AR6")]
Scope2Query = Annotated[Literal["location", "market"], Query(description="Scope 2 method in intensities")]


@dataclass(frozen=True)
class Options:
    """Solve options of a request."""

    gwp: GwpSet = "AR6"
    scope2: Scope2Method = "market"
    year: int | None = None  # None: the latest year in the store


async def get_options(gwp: GwpQuery = "AR6", scope2: Scope2Query = "market", year: YearQuery = None) -> Options:
    return Options(gwp, scope2, year)


OptionsDep = Annotated[Options, Depends(get_options)]


async def get_result(store: StoreDep, key: StoreKeyDep, options: OptionsDep) -> LcaResult:
    """The solved result for the chosen options and year, cached per store revision by the engine;
    a miss (a solve, one however many requests miss at once) runs in the thread pool, never on the
    event loop. An empty store is a 409."""
    gwp, scope2, year = options.gwp, options.scope2, options.year
    return results.peek(store, gwp, scope2, year, key=key) or await run_in_threadpool(
        lambda: results.get(store, gwp, scope2, year, key=key)
    )


ResultDep = Annotated[LcaResult, Depends(get_result)]


@dataclass(frozen=True)
class View:
    """What one principal may see of one graph."""

    principal: Principal
    graph: Graph

    def can_see_enterprise(self, enterprise_id: str | None) -> bool:
        """Raw data of this enterprise is visible (own enterprise, or in the principal's park)."""
        p, ent = self.principal, self.graph.enterprises.get(enterprise_id or "")
        if ent is None:
            return False
        if p.role == "enterprise":
            return ent.id == p.enterprise
        if p.role == "platform_admin":
            return True
        return p.role in ("park_admin", "auditor") and ent.park is not None and ent.park == p.park

    def visible_product(self, product: Product) -> bool:
        return self.can_see_enterprise(product.enterprise)

    def visible_flow(self, flow: Flow) -> bool:
        """A flow touches a visible enterprise (as consumer or as maker of what flows)."""
        return self.can_see_enterprise(flow.to) or self.can_see_enterprise(self.graph.maker(flow.source))

    def visible_edge(self, flow: Flow) -> bool:
        """Edges: an enterprise sees flows into or out of it; park roles those consumed in the park."""
        if self.principal.role == "enterprise":
            return self.visible_flow(flow)
        return self.can_see_enterprise(flow.to)

    def direct_suppliers(self) -> set[str]:
        """Enterprises whose products flow to the principal's enterprise."""
        me = self.principal.enterprise
        return {m for f in self.graph.flows.values() if f.to == me and (m := self.graph.maker(f.source))} - {me}

    def check_footprint(self, product_id: str) -> bool:
        """Whether the real footprint may be shown (True) or only the class average (False, "not
        shared"); NotFound when the principal may see neither (hidden and missing look the same)."""
        product = self.graph.products.get(product_id)
        if product is None:
            raise NotFound("product", product_id)
        if self.visible_product(product):
            return True
        if self.principal.role != "enterprise" or product.enterprise not in self.direct_suppliers():
            raise NotFound("product", product_id)
        return product.enterprise in self.graph.enterprises and shares_footprints(self.graph, product_id)

    def exact_footprint(self, product_id: str, buyer: str | None = None) -> bool:
        """Whether the exact footprint of ``product_id`` may be used in what this principal reads:
        a product it sees in full, or — when its maker shares — one of a direct supplier of
        ``buyer`` (default: the principal's enterprise). Otherwise only aggregates may be shown."""
        return self.exact_for(buyer or self.principal.enterprise)(product_id)

    def exact_for(self, buyer: str | None) -> Callable[[str], bool]:
        """:meth:`exact_footprint` for one buyer, its suppliers found once (for many products)."""
        suppliers = {self.graph.maker(f.source) for f in self.graph.flows.values() if f.to == buyer} - {None}

        def exact(product_id: str) -> bool:
            product = self.graph.products.get(product_id)
            if product is None or self.visible_product(product):
                return True  # a market factor (public data), or a product seen in full
            return product.enterprise in suppliers and shares_footprints(self.graph, product_id)

        return exact


async def get_view(principal: PrincipalDep, graph: GraphDep) -> View:
    """The principal's view of the current graph."""
    return View(principal, graph)


ViewDep = Annotated[View, Depends(get_view)]


@dataclass(frozen=True)
class PageParams:
    """Pagination of list routes."""

    limit: int
    offset: int


async def get_page(
    limit: Annotated[int, Query(ge=1, le=500, description="items per page")] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9, description="items to skip")] = 0,
) -> PageParams:
    return PageParams(limit, offset)


PageDep = Annotated[PageParams, Depends(get_page)]
