"""``tanlian audit``: read the audit log of writes (imports through the API, client changes)."""

from __future__ import annotations

from typing import Annotated

import typer

from tanlian.cli.app import JsonOpt, StoreOpt, app, open_store
from tanlian.cli.console import console, handle_errors, print_json


@app.command("audit")
@handle_errors
def audit_cmd(
    park: Annotated[str | None, typer.Option("--park", help="only writes touching this park")] = None,
    last: Annotated[int, typer.Option("--last", min=0, help="show the last N entries (0: all)")] = 50,
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Who wrote what and when: client, role, bundle SHA-256, store revision before → after."""
    from rich.table import Table

    from tanlian.api.audit import readable
    from tanlian.api.auth import Principal
    from tanlian.graph.model import AuditEntry

    operator = Principal("cli", "platform_admin")
    entries = readable(open_store(store).list(AuditEntry), operator, park)
    entries = entries[-last:] if last else entries
    if json_out:
        print_json([e.record() for e in entries])
        return
    t = Table(title=f"audit log ({len(entries)} entries)")
    for col in ("at", "client", "role", "park", "action", "bundle sha256", "revision"):
        t.add_column(col)
    for e in entries:
        sha = (e.bundle_sha256 or "")[:16]
        t.add_row(e.at, e.client, e.role, e.park or "", e.action, sha, f"{e.revision_before} → {e.revision_after}")
    console.print(t)
