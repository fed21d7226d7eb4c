"""CLI commands for the HTTP API: ``tanlian serve`` and ``tanlian clients add``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tanlian.cli.app import JsonOpt, StoreOpt, app, open_store
from tanlian.cli.console import console, handle_errors, kv_table, print_json
from tanlian.errors import TanlianError

clients_app = typer.Typer(help="API clients (OAuth2 client credentials) kept in the graph store.", no_args_is_help=True)
app.add_typer(clients_app, name="clients")


@clients_app.command("add")
@handle_errors
def clients_add(
    name: Annotated[str, typer.Argument(help="a label for the client")],
    role: Annotated[str, typer.Option("--role", help="park_admin, enterprise, auditor or partner")],
    park: Annotated[str | None, typer.Option("--park", help="park id (park_admin, auditor)")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise", help="enterprise id (role enterprise)")] = None,
    store: StoreOpt = None,
    json_out: JsonOpt = False,
    companies: Annotated[
        str | None, typer.Option("--companies", help="partner: only these enterprises' PACT footprints (a;b)")
    ] = None,
) -> None:
    """Create a client and print its id and secret (the secret is shown only this once)."""
    from tanlian.api.auth import new_client
    from tanlian.errors import TanlianError

    if role not in ("park_admin", "enterprise", "auditor", "partner"):
        raise TanlianError(f"--role must be park_admin, enterprise, auditor or partner, not {role!r}")
    client, secret = new_client(open_store(store), name, role, park=park, enterprise=enterprise)  # type: ignore[arg-type]
    if companies is not None:
        from tanlian.api.pact_clients import restrict_to_companies

        client = restrict_to_companies(open_store(store), client, companies.split(";"))
    if json_out:
        print_json({"client_id": client.id, "client_secret": secret})
        return
    rows = [("client_id", client.id), ("client_secret", secret), ("role", client.role)]
    rows += [(k, v) for k, v in (("park", client.park), ("enterprise", client.enterprise)) if v]
    console.print(kv_table(f"client {name!r} created — store the secret now, it is not kept", rows))


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
