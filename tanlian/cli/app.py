"""The Typer app of the ``tanlian`` command, the options its commands share, and their shared helpers.

Command modules (one per group) register on :data:`app` and import only this module and
:mod:`tanlian.cli.console`; heavy layers are imported inside the functions that need them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tanlian import __version__
from tanlian.cli.console import console, err_console, progress_bar

app = typer.Typer(
    help="Tanlian (碳链): supply-chain carbon tracing for zero-carbon industrial parks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store", help="sqlite:///file.sqlite (default: TANLIAN_STORE or sqlite:///tanlian.sqlite) or bolt://host:7687"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of tables")]
YearOpt = Annotated[int | None, typer.Option("--year", help="accounting year (default: the latest year in the store)")]
#: ``tanlian --year Y <command>``: the year of every command that reads the store (see ``solved``).
state: dict[str, int | None] = {"year": None}


def _version(value: bool) -> None:
    if value:
        console.print(f"tanlian {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version")
    ] = False,
    year: YearOpt = None,
) -> None:
    """Tanlian (碳链)."""
    state["year"] = year


def get_settings():
    """The process settings; pydantic-settings is imported on first use, not at start-up."""
    from tanlian.settings import get_settings as settings

    return settings()


def open_store(url: str | None):
    from tanlian.graph.factory import open_store as _open

    return _open(url)


def snapshot(store: str | None, year: int | None = None):
    """The object snapshot of ``year`` (default: ``--year``, else the latest); StoreEmpty if none."""
    from tanlian.errors import StoreEmpty

    snap = open_store(store).snapshot_tables(year if year is not None else state["year"])
    if snap.empty:
        raise StoreEmpty()
    return snap.to_graph()


def import_with_progress(
    store_url: str | None,
    bundle: Path,
    replace: bool,
    quiet: bool = False,
    brightway: dict | None = None,
    strictness: dict | None = None,
    year: int | None = None,
):
    """Import a bundle with a progress bar. Returns (store, summary, notes and warnings to show).

    ``brightway``: project / method / iterations for bundles linking factors to Brightway;
    ``strictness``: allow_extra / allow_implausible / replace_tables of :func:`import_bundle`."""
    from tanlian.connectors.bundle import import_bundle

    store = open_store(store_url)
    year = year if year is not None else state["year"]
    with progress_bar(f"importing {bundle.name}", enabled=not quiet) as update:
        summary, warnings = import_bundle(
            store, bundle, replace=replace, progress=update, brightway=brightway, year=year, **(strictness or {})
        )
    if summary.wrote:  # every write is in the audit log (docs/security.md)
        from tanlian.api.audit import record_cli_import

        record_cli_import(store, bundle, replace, summary)
    return store, summary, warnings


GwpOpt = Annotated[str | None, typer.Option("--gwp", help="AR6 (default) or AR5")]
Scope2Opt = Annotated[
    str | None, typer.Option("--scope2", help="which Scope 2 enters product intensities: market (default) or location")
]


def solved(store: str | None, gwp: str | None, scope2: str | None, year: int | None = None):
    """The cached solved result of the store for the chosen options and year (default: ``--year``
    given before the command, else the latest); an empty or missing store is an error (exit 2)."""
    from tanlian.errors import TanlianError
    from tanlian.lca.core.cache import results

    s = get_settings()
    gwp, scope2 = (gwp or s.gwp).upper(), (scope2 or s.scope2).lower()
    if gwp not in ("AR5", "AR6"):
        raise TanlianError(f"--gwp must be AR5 or AR6, not {gwp!r}")
    if scope2 not in ("location", "market"):
        raise TanlianError(f"--scope2 must be location or market, not {scope2!r}")
    result = results.get(open_store(store), gwp, scope2, year if year is not None else state["year"])
    for w in result.warnings:
        err_console.print(f"[yellow]warning:[/] {w}")
    return result
