"""The ``tanlian`` command line (typer + rich): data in and out, computations, the server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tanlian import __version__
from tanlian.console import console, err_console, handle_errors, kv_table, print_json, progress_bar
from tanlian.settings import get_settings

app = typer.Typer(
    help="Tanlian (碳链): supply-chain carbon tracing for zero-carbon industrial parks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store", help="sqlite:///file.db (default: TANLIAN_STORE or sqlite:///tanlian.db) or bolt://host:7687"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of tables")]


def _version(value: bool) -> None:
    if value:
        console.print(f"tanlian {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version")
    ] = False,
) -> None:
    """Tanlian (碳链)."""


def open_store(url: str | None):
    from tanlian.graph.factory import open_store as _open

    return _open(url)


def _import(store_url: str | None, bundle: Path, replace: bool, quiet: bool = False):
    from tanlian.connectors.bundle import import_bundle

    store = open_store(store_url)
    with progress_bar(f"importing {bundle.name}", enabled=not quiet) as update:
        summary, warnings = import_bundle(store, bundle, replace=replace, progress=update)
    for w in warnings:
        err_console.print(f"[yellow]warning:[/] {w}")
    return store, summary


@app.command("import")
@handle_errors
def import_cmd(
    bundle: Annotated[Path, typer.Argument(help="folder of CSV files or an .xlsx workbook")],
    store: StoreOpt = None,
    replace: Annotated[bool, typer.Option(help="make the store equal to the bundle")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Validate a bundle and write it to the store (all or nothing; re-import is idempotent)."""
    _, summary = _import(store, bundle, replace, quiet=json_out)
    if json_out:
        print_json(
            {
                "added": summary.added,
                "changed": summary.changed,
                "unchanged": summary.unchanged,
                "removed": summary.removed,
                "revision": summary.revision_after,
            }
        )
        return
    console.print(_summary_table(summary))


def _summary_table(summary):
    from rich.table import Table

    t = Table(title=f"import — store revision {summary.revision_before} → {summary.revision_after}")
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
) -> None:
    """Write the store's graph as a bundle that re-imports to the same graph."""
    from tanlian.connectors.bundle import export_bundle

    path = export_bundle(open_store(store).snapshot(), out)
    console.print(f"exported to {path}")


@app.command("demo")
@handle_errors
def demo_cmd(store: StoreOpt = None, json_out: JsonOpt = False) -> None:
    """Create or refresh the store from the demo park and print a summary."""
    from tanlian.cli_accounts import park_json, print_park
    from tanlian.connectors.library import demo_park_path, factor_library
    from tanlian.lca.engine import results

    s, _ = _import(store, demo_park_path(), replace=True, quiet=json_out)
    counts = s.snapshot().counts()
    result = results.get(s, get_settings().gwp, get_settings().scope2)
    parks = [park_json(result, p) for p in sorted(result.graph.parks)]
    if json_out:
        print_json(
            {
                "store": s.url,
                "revision": s.revision(),
                "counts": counts,
                "library_factors": len(factor_library()),
                "parks": parks,
            }
        )
        return
    rows = [(k, v) for k, v in counts.items()] + [("library factors", len(factor_library()))]
    console.print(kv_table(f"demo park loaded into {s.url}", rows))
    for inv in parks:
        print_park(inv)


def run() -> None:  # pragma: no cover - console entry point
    app()


# Command modules register themselves on ``app``; imported last so they can import from here.
from tanlian import (  # noqa: E402,F401
    cli_accounts,
    cli_api,
    cli_hotspots,
    cli_lca,
)
