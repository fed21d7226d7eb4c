"""CLI commands on a whole store: ``tanlian store migrate | backup | restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tanlian.cli.app import JsonOpt, StoreOpt, app, open_store
from tanlian.cli.console import console, handle_errors, kv_table, print_json

store_app = typer.Typer(help="Whole-store operations: migrate the old layout, back up, restore.", no_args_is_help=True)
app.add_typer(store_app, name="store")

SQLITE = "sqlite:///"


def _report(title: str, counts: dict[str, int], revision: int, json_out: bool) -> None:
    if json_out:
        print_json({"rows": counts, "revision": revision})
        return
    console.print(
        kv_table(title, [*((f"rows of {k}", str(v)) for k, v in counts.items()), ("revision", str(revision))])
    )


def _require_empty(store, url: str) -> None:
    from tanlian.errors import TanlianError

    if store.years() or store.aux_revision() or store.revision():
        raise TanlianError(f"{url} is not empty: give a new file (or restore into it with `tanlian store restore`)")


@store_app.command("migrate")
@handle_errors
def migrate_cmd(
    old: Annotated[str, typer.Argument(help="store of the old JSON-blob layout, sqlite:///tanlian.db")],
    new: Annotated[str, typer.Argument(help="new, empty store: sqlite:///tanlian.sqlite or bolt://…")],
    year: Annotated[int | None, typer.Option("--year", help="year of a store without parks")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Copy a store of the old layout (one table of JSON blobs) into a new store, in one transaction."""
    from tanlian.errors import TanlianError
    from tanlian.graph.transfer import read_json_blob

    if not old.startswith(SQLITE):
        raise TanlianError(f"OLD must be a sqlite:/// URL of the old layout, not {old!r}")
    content = read_json_blob(old[len(SQLITE) :], year)
    target = open_store(new)
    _require_empty(target, new)
    rev = target.replace_all(content.years, content.aux)
    _report(f"migrated {old} → {new}", content.counts(), rev, json_out)


@store_app.command("backup")
@handle_errors
def backup_cmd(
    file: Annotated[Path, typer.Argument(help="new SQLite file to write (every year and the API clients)")],
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write the whole store (every year, factors, auxiliary records) to a new SQLite store file."""
    from tanlian.errors import TanlianError
    from tanlian.graph.transfer import read_store

    if file.exists():
        raise TanlianError(f"{file} exists: back up to a new file")
    content = read_store(open_store(store))
    target = open_store(f"{SQLITE}{file}")
    rev = target.replace_all(content.years, content.aux)
    target.close()
    _report(f"backup written to {file}", content.counts(), rev, json_out)


@store_app.command("restore")
@handle_errors
def restore_cmd(
    file: Annotated[Path, typer.Argument(help="a backup file written by `tanlian store backup`")],
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Make the store equal to a backup (every year and auxiliary record), in one transaction."""
    from tanlian.errors import TanlianError
    from tanlian.graph.transfer import read_store

    if not file.is_file():
        raise TanlianError(f"{file}: no such backup file")
    source = open_store(f"{SQLITE}{file}")
    content = read_store(source)
    source.close()
    rev = open_store(store).replace_all(content.years, content.aux)
    _report(f"store restored from {file}", content.counts(), rev, json_out)
