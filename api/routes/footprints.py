"""Product footprints and embodied carbon on supply edges (same JSON as the CLI's ``--json``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from tanlian.api.deps import ResultDep, ViewDep, maker
from tanlian.api.problems import AUTH_ERRORS, problem_responses
from tanlian.errors import NotFound
from tanlian.lca.engine import LcaResult

router = APIRouter(prefix="/v1", tags=["footprints"])


class Footprint(BaseModel):
    """Cradle-to-gate footprint of one product, kgCO2e per declared unit."""

    model_config = ConfigDict(extra="allow")
    product: str
    name: str | None
    enterprise: str
    unit: str
    kgco2e_per_unit: float
    direct_kgco2e_per_unit: float
    upstream_kgco2e_per_unit: float
    by_gas: dict[str, float]
    gwp: str
    scope2_method: str
    allocation: str
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


class EdgeIndex:
    """Flow ids into or out of each enterprise, per solved result (avoids a scan of every flow per request).

    Records are built exactly as :meth:`LcaResult.edges` builds them (a test checks they agree);
    the index belongs in the engine once it offers one.
    """

    def __init__(self, maxsize: int = 8) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[int, tuple[LcaResult, dict[str, list[str]]]] = OrderedDict()
        self.maxsize = maxsize

    def flows_of(self, result: LcaResult, enterprise: str) -> list[str]:
        with self._lock:
            hit = self._data.get(id(result))
        if hit is None or hit[0] is not result:
            index: dict[str, set[str]] = {}
            for fid, f in result.graph.flows.items():
                index.setdefault(f.to, set()).add(fid)
                if (m := maker(result.graph, f.source)) is not None:
                    index.setdefault(m, set()).add(fid)
            hit = (result, {k: sorted(v) for k, v in index.items()})
            with self._lock:
                self._data[id(result)] = hit
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
        return hit[1].get(enterprise, [])

    def edges(self, result: LcaResult, enterprise: str) -> list[dict]:
        out = []
        for fid in self.flows_of(result, enterprise):
            f = result.graph.flows[fid]
            q, unit = result.edge_quantity(fid)
            out.append(
                {
                    "flow": fid,
                    "from": f.source,
                    "to": f.to,
                    "quantity": q,
                    "unit": unit,
                    "embodied_kgco2e": q * result.intensity_of(f.source),
                }
            )
        return out


edge_index = EdgeIndex()


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
    view.check_footprint(product_id)
    return result.footprint(product_id, mc=mc, seed=seed)


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
    rows = result.edges() if enterprise is None else edge_index.edges(result, enterprise)
    return [e for e in rows if view.visible_edge(flows[e["flow"]])]
