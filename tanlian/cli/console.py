"""Terminal output shared by CLI commands: tables, progress bars, and errors as exit code 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tanlian import fmt
from tanlian.errors import TanlianError, ValidationFailed

console = Console()
err_console = Console(stderr=True)


_ORJSON = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_APPEND_NEWLINE


def print_json(data: Any) -> None:
    """Machine-readable output: plain JSON on stdout (no colour, no wrapping), two-space indent.

    Encoded by orjson (C speed; the stdlib's indenting encoder is pure Python: 2 s of ``tanlian
    edges --json`` at 10k); values orjson does not encode (e.g. integers beyond 64 bits) fall back
    to :func:`json.dumps`. NaN and infinities come out as ``null`` (valid JSON)."""
    try:
        out = orjson.dumps(data, option=_ORJSON)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        out = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    sys.stdout.write(out.decode())


def print_json_array(chunks: Iterable[list[Any]]) -> None:
    """A JSON array written chunk by chunk (the same bytes as :func:`print_json` of the whole
    list), so a million-row output never holds every row's dict at once."""
    first = True
    out = sys.stdout
    for chunk in chunks:
        if not chunk:
            continue
        body = orjson.dumps(chunk, option=_ORJSON & ~orjson.OPT_APPEND_NEWLINE)  # "[\n  {...},\n  {...}\n]"
        out.write(("[\n" if first else ",\n") + body[2:-2].decode())
        first = False
    out.write("[]\n" if first else "\n]\n")


def error_table(exc: ValidationFailed) -> Table:
    t = Table(title=f"{len(exc.errors)} problem(s) — nothing was written", title_style="bold red")
    for col in ("file", "row", "column", "value", "reason"):
        t.add_column(col, overflow="fold")
    for e in exc.errors:
        t.add_row(e.file, "" if e.row is None else str(e.row), e.column or "", e.value or "", e.reason)
    return t


def handle_errors(fn: Callable) -> Callable:
    """Turn Tanlian errors into a readable message and exit code 2 (never a traceback)."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationFailed as exc:
            err_console.print(error_table(exc))
            raise typer.Exit(2) from None
        except TanlianError as exc:
            err_console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(2) from None

    return wrapper


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar; yields a ``(done, total)`` callback."""
    if not enabled:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def show(v: Any) -> str:
    """A value as people read it (:mod:`tanlian.fmt`): numbers without exponents or ``-0``,
    booleans as words, ``None`` as a dash."""
    if v is None or isinstance(v, bool):
        return fmt.yes_no(v)
    if isinstance(v, int | float):
        return fmt.number(v)
    return str(v)


def kv_table(title: str, rows: list[tuple[str, Any]]) -> Table:
    """A two-column table of labels and values (values through :func:`show`)."""
    t = Table(title=title, show_header=False)
    t.add_column(style="bold")
    t.add_column(justify="right")
    for k, v in rows:
        t.add_row(k, show(v))
    return t
