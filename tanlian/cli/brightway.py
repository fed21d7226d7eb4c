"""CLI commands for LCA practitioners' Brightway 2.5 projects: ``brightway link``, ``brightway export``.

Needs the ``[brightway]`` extra; ``bw2data`` is imported only when one of these commands runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tanlian.cli.app import GwpOpt, JsonOpt, Scope2Opt, StoreOpt, app, get_settings, open_store, snapshot
from tanlian.cli.console import console, err_console, handle_errors, print_json
from tanlian.errors import TanlianError

brightway_app = typer.Typer(help="Brightway 2.5 projects: link factors to activities, export the product system.")
app.add_typer(brightway_app, name="brightway")

ProjectOpt = Annotated[str, typer.Option("--project", help="Brightway project name (BRIGHTWAY2_DIR picks the folder)")]


@brightway_app.command("link")
@handle_errors
def link_cmd(
    project: ProjectOpt,
    out: Annotated[Path, typer.Option("--out", help="mapping CSV to write")] = Path("brightway_links.csv"),
    method: Annotated[
        str | None, typer.Option("--method", help="LCIA method 'a|b|c' (default: the project's IPCC GWP100)")
    ] = None,
    database: Annotated[
        list[str] | None, typer.Option("--database", help="search only these databases (repeatable)")
    ] = None,
    candidates: Annotated[int, typer.Option("--candidates", min=1, help="candidates per factor")] = 1,
    gwp: GwpOpt = None,
    store: StoreOpt = None,
) -> None:
    """Propose an activity for each factor the store's flows buy; write the mapping for review.

    Put the reviewed file in a bundle as brightway_links.csv (one row per factor) and import it
    with --brightway-project.
    """
    from tanlian.connectors.brightway_link import propose_links

    gwp_set = (gwp or get_settings().gwp).upper()
    if gwp_set not in ("AR5", "AR6"):
        raise TanlianError(f"--gwp must be AR5 or AR6, not {gwp_set!r}")
    table, warnings = propose_links(open_store(store).snapshot(), project, method, gwp_set, database, candidates)
    for w in warnings:
        err_console.print(f"[yellow]warning:[/] {w}")
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, encoding="utf-8-sig")  # BOM: Excel reads it as UTF-8
    console.print(f"{table['factor'].nunique()} factor(s), {len(table)} candidate(s) written to {out}")


@brightway_app.command("export")
@handle_errors
def export_cmd(
    project: ProjectOpt,
    database: Annotated[
        str | None, typer.Option("--database", help="database to write (default tanlian_<park>)")
    ] = None,
    scope2: Scope2Opt = None,
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write the store's product system into a Brightway project (created when missing)."""
    from tanlian.connectors.brightway_export import export_to_brightway

    graph = snapshot(store)
    method = (scope2 or get_settings().scope2).lower()
    if method not in ("location", "market"):
        raise TanlianError(f"--scope2 must be location or market, not {method!r}")
    name = database or "tanlian_" + ("_".join(sorted(graph.parks)) or "graph")
    s = export_to_brightway(graph, project, name, method)
    if json_out:
        print_json({**s.__dict__, "methods": [list(m) for m in s.methods]})
        return
    console.print(
        f"wrote {s.products} product and {s.factor_activities} factor activities to database {s.database!r} "
        f"of project {s.project!r} (biosphere {s.biosphere!r}; methods "
        + ", ".join("|".join(m) for m in s.methods)
        + f"; Scope 2 {s.scope2}-based)"
    )
