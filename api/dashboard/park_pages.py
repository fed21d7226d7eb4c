"""Park pages for the park's admin and auditor: overview, carbon-flow Sankey, symbiosis map, what-if.

Access is the API's: :func:`tanlian.api.routes.accounts.check_park` (404 unknown park, 403 another
park's or an enterprise user's), edges filtered by ``View.visible_edge``, what-if through the
``/v1/scenarios`` route function (park roles only, report cut to what the principal may see).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from tanlian.api.dashboard.render import PageRoute, PageViewDep, SignedInDep, figure_json, render
from tanlian.api.dashboard.session import check_csrf
from tanlian.api.deps import IdPath, ResultDep, View
from tanlian.api.routes.accounts import check_park
from tanlian.api.routes.reduction import scenarios as scenario_route
from tanlian.connectors.carbon_flow import carbon_flows
from tanlian.connectors.chart_text import indicator_directions, short_name
from tanlian.connectors.charts import (
    members_scope_figure,
    park_waterfall_figure,
    sankey_figure,
    scenario_figure,
    scenario_label,
    symbiosis_figure,
)
from tanlian.errors import AccessDenied, NotFound, TanlianError
from tanlian.lca.accounting.indicators import park_indicators
from tanlian.lca.accounting.park import park_inventory
from tanlian.lca.analysis.procurement import candidates
from tanlian.lca.analysis.scenarios import Scenario
from tanlian.lca.analysis.symbiosis import opportunities
from tanlian.lca.core.result import LcaResult

router = APIRouter(prefix="/dashboard/parks", route_class=PageRoute, include_in_schema=False)

#: detour factor (road km / great-circle km) of the symbiosis map, as the API's default
DETOUR = 1.3


def names(view: View, lang: str) -> dict[str, str]:
    """Short names of the enterprises the principal may see (others keep their id)."""
    return {
        e.id: short_name(e.name, lang, e.id) for e in view.graph.enterprises.values() if view.can_see_enterprise(e.id)
    }


@router.get("", response_class=HTMLResponse)
def parks_index(page: SignedInDep, view: PageViewDep):
    """The parks the principal may open (a platform admin: every park of the year), with their
    year and number of member enterprises."""
    members: dict[str, int] = {}
    for e in view.graph.enterprises.values():
        if e.park:
            members[e.park] = members.get(e.park, 0) + 1
    rows = []
    for park in sorted(view.graph.parks.values(), key=lambda p: p.id):
        try:
            check_park(view, park.id)
        except NotFound:
            continue
        rows.append({"id": park.id, "name": park.name, "year": park.year, "members": members.get(park.id, 0)})
    return render(page, "parks.html", parks=rows, section="parks")


@router.get("/{park_id}", response_class=HTMLResponse)
def overview(park_id: IdPath, page: SignedInDep, view: PageViewDep, result: ResultDep, request: Request):
    """Inventory (stacked bars, waterfall, net), the 1+5 indicators with badges, members by share."""
    check_park(view, park_id)
    inv = park_inventory(result, park_id)
    indicators = park_indicators(result, park_id, request.app.state.settings.electricity_kgce_per_kwh)
    ranked = sorted(inv["by_enterprise"], key=lambda r: -(r["share"] or 0))
    lang = page.lang
    charts = {
        "waterfall": figure_json(park_waterfall_figure(inv, lang)),
        "members": figure_json(members_scope_figure(inv, lang)),
    }
    return render(
        page,
        "park.html",
        park=inv,
        indicators=indicators,
        directions=indicator_directions(),
        ranked=ranked,
        names=names(view, lang),
        charts=charts,
        section="overview",
    )


@router.get("/{park_id}/flows", response_class=HTMLResponse)
def flows(park_id: IdPath, page: SignedInDep, view: PageViewDep, result: ResultDep):
    """Sankey of embodied carbon on the supply edges the principal may see, into the park."""
    check_park(view, park_id)
    visible = [fid for fid, f in view.graph.flows.items() if view.visible_edge(f)]
    cf = carbon_flows(result, park_id, sorted(visible), page.lang)
    return render(
        page,
        "flows.html",
        park=park_header(view, park_id),
        flows=cf,
        charts={"sankey": figure_json(sankey_figure(cf, page.lang))},
        section="flows",
    )


@router.get("/{park_id}/symbiosis", response_class=HTMLResponse)
def symbiosis(park_id: IdPath, page: SignedInDep, view: PageViewDep, result: ResultDep):
    """Members on their coordinates, candidate exchanges and the chosen assignment."""
    check_park(view, park_id)
    sym = opportunities(view.graph, park_id, result.system.gwp_set, DETOUR)
    places = {
        e.id: (e.name, e.lat, e.lon)
        for e in view.graph.enterprises.values()
        if e.park == park_id and e.lat is not None and e.lon is not None and view.can_see_enterprise(e.id)
    }
    return render(
        page,
        "symbiosis.html",
        park=park_header(view, park_id),
        sym=sym,
        names=names(view, page.lang),
        charts={"map": figure_json(symbiosis_figure(sym, places, page.lang))},
        section="symbiosis",
    )


def park_header(view: View, park_id: str) -> dict[str, Any]:
    """What a page's heading shows of the park: id, name and accounting year."""
    park = view.graph.parks[park_id]
    return {"park": park_id, "name": park.name, "year": park.year}


def switch_options(view: View, result: LcaResult, park_id: str, lang: str, limit: int = 40) -> list[dict[str, str]]:
    """Purchases of the park's members that another supplier of the same class could serve,
    largest embodied carbon first: value 'flow|source' and a label."""
    table, g, nm = result.edges, view.graph, names(view, lang)
    flows = [f for f in g.flows.values() if view.can_see_enterprise(f.to) and g.enterprises[f.to].park == park_id]
    flows.sort(key=lambda f: -float(table.embodied_kgco2e[table.position[f.id]]))
    out = []
    for f in flows:
        for src in [c for c in candidates(result, f) if not _piped(g, c)][:6]:
            frm = nm.get(g.maker(f.source) or "", f.source)
            to = nm.get(g.maker(src) or "", src)
            out.append({"value": f"{f.id}|{src}", "label": f"{f.id} · {nm.get(f.to, f.to)}: {frm} → {to}"})
        if len(out) >= limit:
            break
    return out[:limit]


def _piped(graph, source: str) -> bool:
    """Energy delivered by wire or pipe: ``switch_supplier`` would add road freight from the new
    maker's coordinates, which needs a mass (green power is the other form's change)."""
    p = graph.products.get(source)
    return p is not None and p.kind == "energy"


def _whatif_page(page, view, result, park_id, report=None, error=None, status=200, chosen=None):
    members = sorted(
        (e for e in view.graph.enterprises.values() if e.park == park_id and view.can_see_enterprise(e.id)),
        key=lambda e: e.id,
    )
    nm = names(view, page.lang)
    charts = {"whatif": figure_json(scenario_figure(report, nm, page.lang))} if report else {}
    return render(
        page,
        "whatif.html",
        status=status,
        park=park_header(view, park_id),
        switches=switch_options(view, result, park_id, page.lang),
        members=[(e.id, nm.get(e.id, e.id)) for e in members],
        report=report,
        names=nm,
        error=error,
        charts=charts,
        chosen=chosen or {},
        label=scenario_label,
        section="whatif",
    )


@router.get("/{park_id}/whatif", response_class=HTMLResponse)
def whatif_form(park_id: IdPath, page: SignedInDep, view: PageViewDep, result: ResultDep):
    check_park(view, park_id)
    return _whatif_page(page, view, result, park_id)


@router.post("/{park_id}/whatif", response_class=HTMLResponse)
def whatif_run(
    park_id: IdPath,
    page: SignedInDep,
    view: PageViewDep,
    result: ResultDep,
    csrf_token: Annotated[str, Form(max_length=200)],
    op: Annotated[str, Form(pattern="^(switch_supplier|add_green_power)$")],
    switch: Annotated[str | None, Form(max_length=500)] = None,
    enterprise: Annotated[str | None, Form(max_length=200)] = None,
    green_mwh: Annotated[float | None, Form()] = None,
):
    """Run one change through ``POST /v1/scenarios``'s route function and show before/after."""
    check_csrf(page.csrf, csrf_token)
    check_park(view, park_id)
    change: dict[str, Any]
    chosen = {"switch": switch, "enterprise": enterprise, "green_mwh": green_mwh}
    if op == "switch_supplier":
        flow, _, source = (switch or "").partition("|")
        change = {"op": op, "flow": flow, "to": source}
        label = page.t("scenario_switch", flow=flow, to=source)
    else:
        change = {"op": op, "enterprise": enterprise or "", "green_mwh": green_mwh}
        label = page.t("scenario_green", mwh=f"{green_mwh or 0:g}", ent=enterprise)
    try:
        scenario = Scenario.model_validate({"name": label, "changes": [change]})
    except ValidationError as exc:
        msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return _whatif_page(page, view, result, park_id, error=msg, status=422, chosen=chosen)
    try:
        report = scenario_route(scenario, view, result)
    except TanlianError as exc:
        if isinstance(exc, AccessDenied | NotFound):
            raise
        return _whatif_page(page, view, result, park_id, error=str(exc), status=422, chosen=chosen)
    return _whatif_page(page, view, result, park_id, report=report, chosen=chosen)
