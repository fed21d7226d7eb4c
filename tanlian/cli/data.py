"""CLI commands that move data: ``import``, ``export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tanlian.cli.app import JsonOpt, StoreOpt, YearOpt, app, import_with_progress, open_store, state
from tanlian.cli.console import console, handle_errors, print_json


@app.command("import")
@handle_errors
def import_cmd(
    bundle: Annotated[Path, typer.Argument(help="folder of CSV files or an .xlsx workbook")],
    store: StoreOpt = None,
    replace: Annotated[bool, typer.Option(help="make the store equal to the bundle")] = False,
    json_out: JsonOpt = False,
    bw_project: Annotated[
        str | None,
        typer.Option(
            "--brightway-project",
            help="Brightway project for factor:bw: flows and brightway_links.csv (default TANLIAN_BRIGHTWAY_PROJECT)",
        ),
    ] = None,
    bw_method: Annotated[
        str | None,
        typer.Option("--brightway-method", help="LCIA method 'a|b|c' (default: the project's IPCC GWP100)"),
    ] = None,
    bw_mc: Annotated[
        int, typer.Option("--brightway-mc", help="Monte Carlo draws of the background to derive uncertainty")
    ] = 0,
    allow_extra: Annotated[
        bool, typer.Option("--allow-extra", help="unknown tables and columns are warnings (columns kept as extras)")
    ] = False,
    allow_implausible: Annotated[
        bool,
        typer.Option("--allow-implausible", help="keep values beyond their plausibility bound (listed in the summary)"),
    ] = False,
    replace_tables: Annotated[
        str,
        typer.Option("--replace-tables", help="with --replace: tables absent from the bundle to delete (flows,sales)"),
    ] = "",
    year: YearOpt = None,
) -> None:
    """Validate a bundle and write it to the store (all or nothing; re-import is idempotent).

    The bundle's year is its parks' year (``--year`` for a bundle without parks); ``--replace``
    replaces that year only."""
    brightway = {"project": bw_project, "method": bw_method, "iterations": bw_mc}
    strictness = {
        "allow_extra": allow_extra,
        "allow_implausible": allow_implausible,
        "replace_tables": replace_tables.split(","),
    }
    _, summary, notes = import_with_progress(
        store, bundle, replace, quiet=json_out, brightway=brightway, strictness=strictness, year=year
    )
    if json_out:
        print_json(
            {
                "added": summary.added,
                "changed": summary.changed,
                "unchanged": summary.unchanged,
                "removed": summary.removed,
                "revision": summary.revision_after,
                "notes": notes,
                "year": summary.year,
            }
        )
        return
    console.print(_summary_table(summary))
    for n in notes:
        console.print(f"[yellow]note:[/] {n}", highlight=False)


def _summary_table(summary):
    from rich.table import Table

    t = Table(
        title=f"import of year {summary.year} — store revision {summary.revision_before} → {summary.revision_after}"
    )
    for col in ("table", "added", "changed", "unchanged", "removed"):
        t.add_column(col, justify="right" if col != "table" else "left")
    for name in summary.added:
        t.add_row(name, *(str(getattr(summary, k)[name]) for k in ("added", "changed", "unchanged", "removed")))
    return t


@app.command("export")
@handle_errors
def export_cmd(
    out: Annotated[Path, typer.Argument(help="folder for CSV files, or a path ending in .xlsx")],
    store: StoreOpt = None,
    year: YearOpt = None,
) -> None:
    """Write the store's graph of one year as a bundle that re-imports to the same graph (an empty
    store exports empty tables)."""
    from tanlian.connectors.bundle import export_bundle

    path = export_bundle(open_store(store).snapshot(year if year is not None else state["year"]), out)
    console.print(f"exported to {path}")
