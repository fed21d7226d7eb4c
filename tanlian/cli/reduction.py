"""CLI commands for reduction work: hotspots, green-procurement alternatives, what-if scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tanlian import fmt
from tanlian.cli.app import GwpOpt, JsonOpt, Scope2Opt, StoreOpt, app, solved
from tanlian.cli.console import console, handle_errors, print_json
from tanlian.errors import TanlianError

TopOpt = Annotated[int, typer.Option("--top", min=0, help="number of supply paths to list")]


def _table(title: str, head: str, rows: list[tuple[str, float, float | None]]) -> Table:
    t = Table(title=title)
    t.add_column(head)
    t.add_column("kgCO2e", justify="right")
    t.add_column("share", justify="right")
    for k, v, share in rows:
        t.add_row(k, fmt.number(v, 4), "" if share is None else fmt.percent(share))
    return t


@app.command("hotspots")
@handle_errors
def hotspots_cmd(
    enterprise: Annotated[str | None, typer.Option("--enterprise", help="Scope 3 upstream of this enterprise")] = None,
    product: Annotated[str | None, typer.Option("--product", help="footprint of one unit of this product")] = None,
    top: TopOpt = 10,
    max_tier: Annotated[int, typer.Option("--max-tier", min=1, help="tiers listed before '≥K'")] = 6,
    tier1_only: Annotated[
        bool, typer.Option("--tier1-only", help="stop at tier-1 suppliers (enterprise view)")
    ] = False,
    store: StoreOpt = None,
    gwp: GwpOpt = None,
    scope2: Scope2Opt = None,
    json_out: JsonOpt = False,
) -> None:
    """Where a footprint comes from: by supplier, product, edge, category, gas, tier, and top paths."""
    from tanlian.lca.analysis.hotspots import enterprise_hotspots, product_hotspots

    if (enterprise is None) == (product is None):
        raise TanlianError("give exactly one of --enterprise E or --product P")
    result = solved(store, gwp, scope2)
    if product is not None:
        h = product_hotspots(result, product, top=top, max_tier=max_tier, tier1_only=tier1_only)
    else:
        if enterprise not in result.graph.enterprises:
            from tanlian.errors import NotFound

            raise NotFound("enterprise", enterprise)
        h = enterprise_hotspots(result, enterprise, top=top, max_tier=max_tier, tier1_only=tier1_only)
    rec = h.record()
    if json_out:
        print_json(rec)
        return
    per = "per unit" if product else "per year"
    console.print(f"[bold]{product or enterprise}[/]: {fmt.number(h.total_kgco2e, 6)} kgCO2e {per}")
    for key, head in (("by_supplier", "supplier"), ("by_product", "product"), ("by_edge", "edge")):
        console.print(_table(key.replace("_", " "), head, [(r[head], r["kgco2e"], r["share"]) for r in rec[key]]))
    for key in ("by_category", "by_gas", "by_tier"):
        if rec[key]:
            console.print(_table(key.replace("_", " "), key[3:], [(k, v, h.share(v)) for k, v in rec[key].items()]))
    console.print(
        _table(
            f"top {top} supply paths", "path", [(" → ".join(p["nodes"]), p["kgco2e"], p["share"]) for p in rec["paths"]]
        )
    )


@app.command("alternatives")
@handle_errors
def alternatives_cmd(
    flow: Annotated[str, typer.Argument(help="flow id of the purchase")],
    detour: Annotated[float, typer.Option(help="road km per great-circle km", min=1.0)] = 1.0,
    store: StoreOpt = None,
    gwp: GwpOpt = None,
    scope2: Scope2Opt = None,
    json_out: JsonOpt = False,
) -> None:
    """Other suppliers of the same class for a purchase, ranked by the change in the buyer's Scope 3."""
    from tanlian.lca.analysis.procurement import alternatives

    out = alternatives(solved(store, gwp, scope2), flow, detour)
    if json_out:
        print_json(out)
        return
    cur = out["current"]
    t = Table(
        title=f"alternatives for {flow} → {out['buyer']} (class {out['class']}, now {cur['source']}: "
        f"{fmt.number(cur['total_kgco2e'], 4)} kgCO2e)"
    )
    for c in ("source", "supplier", "kg/unit", "transport km", "Δ kgCO2e", "Δ CNY", "note"):
        t.add_column(c, justify="left" if c in ("source", "supplier", "note") else "right")
    for a in out["alternatives"]:
        note = a["transport_note"] if a["shared"] else f"{a['method']} (supplier does not share)"
        t.add_row(
            a["source"],
            a["supplier"] or "",
            fmt.number(a["kgco2e_per_unit"], 4),
            "" if a["distance_km"] is None else fmt.number(a["distance_km"]),
            fmt.signed(a["delta_kgco2e"], 4),
            "" if a["delta_cost_cny"] is None else fmt.signed(a["delta_cost_cny"], 4),
            note,
        )
    console.print(t)
    for s in out["skipped"]:
        console.print(f"[yellow]skipped[/] {s['source']}: {s['reason']}")


@app.command("scenario")
@handle_errors
def scenario_cmd(
    file: Annotated[Path, typer.Argument(help="scenario JSON: {name, changes: [{op, …}]}")],
    no_parks: Annotated[bool, typer.Option("--no-parks", help="skip the park inventories")] = False,
    store: StoreOpt = None,
    gwp: GwpOpt = None,
    scope2: Scope2Opt = None,
    json_out: JsonOpt = False,
) -> None:
    """What-if: apply changes to a copy of the graph (the store is not written) and show what moves."""
    from pydantic import ValidationError

    from tanlian.lca.analysis.scenarios import Scenario, run_scenario

    try:
        sc = Scenario.model_validate(json.loads(file.read_text(encoding="utf-8")))
    except OSError as exc:
        raise TanlianError(f"cannot read {file}: {exc}") from None
    except (json.JSONDecodeError, ValidationError) as exc:
        raise TanlianError(f"{file}: not a valid scenario: {exc}") from None
    out = run_scenario(solved(store, gwp, scope2), sc, parks=not no_parks)
    if json_out:
        print_json(out)
        return
    t = Table(title=f"scenario {out['scenario']!r} (solve: {out['solve']['method']})")
    for c in ("subject", "number", "before", "after", "delta"):
        t.add_column(c, justify="left" if c in ("subject", "number") else "right")
    rows = [(p, "kgCO2e/unit", v) for p, v in out["products"].items()]
    for group in ("enterprises", "parks"):
        rows += [(k, n, v) for k, d in out.get(group, {}).items() for n, v in d.items()]
    for subject, number, v in rows:
        t.add_row(subject, number, fmt.number(v["before"], 4), fmt.number(v["after"], 4), fmt.signed(v["delta"], 4))
    console.print(t)
