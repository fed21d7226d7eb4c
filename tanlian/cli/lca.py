"""CLI commands over the solved graph: product footprints and embodied carbon on edges."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tanlian import fmt
from tanlian.cli.app import GwpOpt, JsonOpt, Scope2Opt, StoreOpt, app, solved
from tanlian.cli.console import console, handle_errors, print_json, print_json_array


@app.command("footprint")
@handle_errors
def footprint_cmd(
    product: Annotated[str, typer.Argument(help="product id")],
    store: StoreOpt = None,
    gwp: GwpOpt = None,
    scope2: Scope2Opt = None,
    mc: Annotated[int, typer.Option("--mc", help="Monte Carlo samples for p5/p50/p95", min=0)] = 0,
    seed: Annotated[int, typer.Option(help="random seed for --mc")] = 42,
    json_out: JsonOpt = False,
) -> None:
    """Cradle-to-gate footprint of one product (kgCO2e per declared unit)."""
    from tanlian.api.schemas.footprints import footprint_body

    fp = footprint_body(solved(store, gwp, scope2), product, mc=mc, seed=seed)
    if json_out:
        print_json(fp)
        return
    title = f"{fp['product']} {fp['name'] or ''} — kgCO2e per {fmt.unit(fp['unit'])}"
    t = Table(title=f"{title} ({fp['gwp']}, Scope 2 {fp['scope2_method']})")
    t.add_column("part")
    t.add_column("kgCO2e / unit", justify="right")
    for k in ("kgco2e_per_unit", "direct_kgco2e_per_unit", "upstream_kgco2e_per_unit", "p5", "p50", "p95"):
        if k in fp:
            t.add_row(k.replace("_kgco2e_per_unit", "").replace("kgco2e_per_unit", "total"), fmt.number(fp[k], 4))
    for gas, v in fp["by_gas"].items():
        t.add_row(f"  {gas}", fmt.number(v, 4))
    console.print(t)


@app.command("edges")
@handle_errors
def edges_cmd(
    store: StoreOpt = None,
    enterprise: Annotated[str | None, typer.Option(help="only flows into or out of this enterprise")] = None,
    gwp: GwpOpt = None,
    scope2: Scope2Opt = None,
    json_out: JsonOpt = False,
) -> None:
    """Embodied carbon (kgCO2e) on every supply edge = quantity × intensity of what flows."""
    from tanlian.api.schemas.footprints import edge_chunks, edges_of

    result = solved(store, gwp, scope2)
    if json_out:
        print_json_array(edge_chunks(result, enterprise))
        return
    edges = edges_of(result, enterprise)
    t = Table(title="embodied carbon per edge")
    for c in ("flow", "from", "to", "quantity", "unit", "embodied_kgco2e"):
        t.add_column(c, justify="right" if c in ("quantity", "embodied_kgco2e") else "left")
    for e in edges:
        t.add_row(
            e["flow"],
            e["from"],
            e["to"],
            fmt.number(e["quantity"], 4),
            fmt.unit(e["unit"]),
            fmt.number(e["embodied_kgco2e"], 4),
        )
    console.print(t)
