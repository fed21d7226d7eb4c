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
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help="PEM certificate: serve HTTPS")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="PEM private key for --tls-cert")] = None,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs). Set TANLIAN_JWT_SECRET so tokens survive restarts."""
    import uvicorn

    from tanlian.api.app import create_app
    from tanlian.settings import get_settings

    settings = get_settings()
    if store:
        settings = settings.model_copy(update={"store": store})
    if (tls_cert is None) != (tls_key is None):
        raise TanlianError("--tls-cert and --tls-key go together")
    tls = {"ssl_certfile": str(tls_cert), "ssl_keyfile": str(tls_key)} if tls_cert else {}
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, **tls)
