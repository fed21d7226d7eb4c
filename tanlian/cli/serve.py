"""CLI commands for the HTTP API: ``tanlian serve`` and ``tanlian clients add|list|revoke``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tanlian.cli.app import JsonOpt, StoreOpt, app, open_store
from tanlian.cli.console import console, handle_errors, kv_table, print_json
from tanlian.errors import TanlianError

clients_app = typer.Typer(help="API clients (OAuth2 client credentials) kept in the graph store.", no_args_is_help=True)
app.add_typer(clients_app, name="clients")


ROLE_HELP = "park_admin, enterprise, auditor, partner or platform_admin (every park; no --park)"


def _audit_cli(store, action: str, client) -> None:
    """Record a client change made with the CLI in the audit log."""
    from tanlian.api.audit import record

    rev = store.revision()
    record(
        store,
        {
            "client": "cli",
            "role": "operator",
            "park": client.park,
            "parks": [client.park] if client.park else [],
            "action": f"{action} {client.id} ({client.role})",
            "revision_before": rev,
            "revision_after": rev,
        },
    )


@clients_app.command("add")
@handle_errors
def clients_add(
    name: Annotated[str, typer.Argument(help="a label for the client")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    park: Annotated[str | None, typer.Option("--park", help="park id (park_admin, auditor)")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise", help="enterprise id (role enterprise)")] = None,
    store: StoreOpt = None,
    json_out: JsonOpt = False,
    companies: Annotated[
        str | None, typer.Option("--companies", help="partner: only these enterprises' PACT footprints (a;b)")
    ] = None,
) -> None:
    """Create a client and print its id and secret (the secret is shown only this once)."""
    from tanlian.api.auth import ROLES, new_client

    if role not in ROLES:
        raise TanlianError(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
    st = open_store(store)
    client, secret = new_client(st, name, role, park=park, enterprise=enterprise)  # type: ignore[arg-type]
    _audit_cli(st, "clients add", client)
    if companies is not None:
        from tanlian.api.pact_clients import restrict_to_companies

        client = restrict_to_companies(st, client, companies.split(";"))
    if json_out:
        print_json({"client_id": client.id, "client_secret": secret})
        return
    rows = [("client_id", client.id), ("client_secret", secret), ("role", client.role)]
    rows += [(k, v) for k, v in (("park", client.park), ("enterprise", client.enterprise)) if v]
    console.print(kv_table(f"client {name!r} created — store the secret now, it is not kept", rows))


@clients_app.command("list")
@handle_errors
def clients_list(store: StoreOpt = None, json_out: JsonOpt = False) -> None:
    """Every client: id, name, role, scope, key version, created and revoked times (never secrets)."""
    from rich.table import Table

    from tanlian.graph.model import Client

    keys = ("id", "name", "role", "park", "enterprise", "key_version", "created", "revoked")
    rows = [{k: getattr(c, k) for k in keys} for c in open_store(store).list(Client)]
    if json_out:
        print_json(rows)
        return
    t = Table(title=f"{len(rows)} API client(s)")
    for k in keys:
        t.add_column(k)
    for r in rows:
        t.add_row(*("" if r[k] is None else str(r[k]) for k in keys))
    console.print(t)


@clients_app.command("revoke")
@handle_errors
def clients_revoke(
    client_id: Annotated[str, typer.Argument(help="the client's id (cl_...)")],
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Revoke a client: it gets no new token and every token it holds is refused from now on."""
    from tanlian.api.auth import revoke_client

    st = open_store(store)
    client = revoke_client(st, client_id)
    _audit_cli(st, "clients revoke", client)
    if json_out:
        print_json({"client_id": client.id, "revoked": client.revoked, "key_version": client.key_version})
        return
    console.print(f"client {client.id} revoked at {client.revoked} (key version {client.key_version})")


@app.command("serve")
@handle_errors
def serve_cmd(
    store: StoreOpt = None,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port", min=1, max=65535)] = 8000,
    log_level: Annotated[str, typer.Option(help="log level (JSON lines on stderr; access lines at info)")] = "info",
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help="PEM certificate: serve HTTPS")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="PEM private key for --tls-cert")] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="worker processes (more than 1 needs TANLIAN_JWT_SECRET)")
    ] = 1,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs). Set TANLIAN_JWT_SECRET so tokens survive restarts.

    With ``--workers N`` uvicorn starts N processes, each building the app from the environment
    (``TANLIAN_*``; ``--store`` is passed as ``TANLIAN_STORE``). They share the signing key
    ``TANLIAN_JWT_SECRET`` (required), each keeps its own snapshot/result/body caches keyed by the
    store revision, and ``/metrics`` sums their figures (``PROMETHEUS_MULTIPROC_DIR``).
    """
    import os
    import shutil
    import tempfile

    import uvicorn

    from tanlian.api.observability import log_config
    from tanlian.settings import get_settings

    if (tls_cert is None) != (tls_key is None):
        raise TanlianError("--tls-cert and --tls-key go together")
    if store:
        os.environ["TANLIAN_STORE"] = store  # the workers read their settings from the environment
    get_settings.cache_clear()
    settings = get_settings()
    if workers > 1 and not settings.jwt_secret:
        raise TanlianError(
            "--workers > 1 needs TANLIAN_JWT_SECRET: every worker must sign and check tokens with the same key"
        )
    tls = {"ssl_certfile": str(tls_cert), "ssl_keyfile": str(tls_key)} if tls_cert else {}
    run = dict(host=host, port=port, log_config=log_config(log_level), access_log=False, **tls)
    run["timeout_worker_healthcheck"] = 120  # a worker imports the whole stack: slow on a busy machine
    if workers == 1:
        from tanlian.api.app import create_app

        uvicorn.run(create_app(settings), **run)
        return
    metrics_dir = tempfile.mkdtemp(prefix="tanlian-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir  # /metrics sums over the workers
    try:
        uvicorn.run("tanlian.api.app:create_app", factory=True, workers=workers, **run)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
