"""CLI commands of the PACT exchange and the product carbon labels.

``tanlian pact publish PRODUCT… | --all``, ``tanlian pact import FILE.json|URL``,
``tanlian pact partner add``, ``tanlian pact list`` and ``tanlian label PRODUCT``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tanlian.cli.app import GwpOpt, JsonOpt, Scope2Opt, StoreOpt, app, get_settings, open_store, solved
from tanlian.cli.console import console, err_console, handle_errors, print_json
from tanlian.errors import TanlianError

pact_app = typer.Typer(help="PACT v3 exchange: publish footprints, import suppliers' footprints.", no_args_is_help=True)
partner_app = typer.Typer(help="Partners' PACT hosts and the credentials Tanlian uses there.", no_args_is_help=True)
app.add_typer(pact_app, name="pact")
pact_app.add_typer(partner_app, name="partner")


@pact_app.command("publish")
@handle_errors
def publish_cmd(
    products: Annotated[list[str] | None, typer.Argument(help="product ids to publish")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="every product of park enterprises that share footprints")
    ] = False,
    mc: Annotated[int, typer.Option("--mc", min=0, max=5000, help="Monte Carlo samples for the label's range")] = 0,
    store: StoreOpt = None,
    gwp: GwpOpt = None,
    scope2: Scope2Opt = None,
    json_out: JsonOpt = False,
) -> None:
    """Publish products' footprints as PACT v3 ProductFootprints (unchanged data keeps its id)."""
    from tanlian.connectors.pact.publish import all_publishable, publish

    if bool(products) == all_:
        raise TanlianError("name products to publish, or --all (not both)")
    result = solved(store, gwp, scope2)
    ids = all_publishable(result) if all_ else list(products or [])
    out = publish(open_store(store), result, ids, get_settings().public_base_url, mc=mc, skip_unmappable=all_)
    if json_out:
        print_json([o.__dict__ for o in out])
        return
    for o in out:
        extra = f" (deprecates {', '.join(o.deprecated)})" if o.deprecated else (f": {o.reason}" if o.reason else "")
        console.print(f"{o.product}: {o.outcome} {o.pf_id or ''}{extra}")


@pact_app.command("import")
@handle_errors
def import_cmd(
    source: Annotated[str, typer.Argument(help="a JSON file, or a partner host URL (…/3/footprints)")],
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import supplier footprints (v3 or v2.3); each replaces the intensity of the product it names."""
    from tanlian.connectors.pact.importer import import_footprints, read_file, read_url

    st, settings = open_store(store), get_settings()
    if source.startswith(("https://", "http://")):
        items = read_url(st, source, settings.pact_ca_bundle or True)
    else:
        items = read_file(Path(source))
    out = import_footprints(st, items, source, settings.public_base_url)
    if json_out:
        print_json([o.__dict__ for o in out])
    else:
        for o in out:
            what = f"{o.product} = {o.kgco2e_per_unit:.6g} kgCO2e/{o.unit}" if o.outcome == "attached" else o.reason
            console.print(f"{o.pf_id}: {o.outcome} {what}")
    if not any(o.outcome == "attached" for o in out):
        err_console.print("[yellow]warning:[/] no footprint was attached to a product")


@pact_app.command("list")
@handle_errors
def list_cmd(store: StoreOpt = None, json_out: JsonOpt = False) -> None:
    """The published footprints (id, product, status, created, value per declared unit)."""
    from tanlian.connectors.pact.publish import published

    recs = published(open_store(store))
    if json_out:
        print_json([r.document for r in recs])
        return
    for r in recs:
        pcf = r.document["pcf"]
        console.print(
            f"{r.id}  {r.product:<14} {r.status:<10} {r.created}  "
            f"{pcf['pcfExcludingBiogenicUptake']} kgCO2e/{pcf['declaredUnitOfMeasurement']}"
        )


@partner_app.command("add")
@handle_errors
def partner_add(
    name: Annotated[str, typer.Argument(help="the partner's id in Tanlian")],
    url: Annotated[str, typer.Option("--url", help="the partner's PACT base URL (https://…)")],
    client_id: Annotated[str, typer.Option("--client-id", help="our client id at the partner's host")],
    client_secret: Annotated[str, typer.Option("--client-secret", help="our secret there")],
    client: Annotated[str | None, typer.Option("--client", help="the partner's client id here (callbacks)")] = None,
    store: StoreOpt = None,
) -> None:
    """Store a partner's host and credentials (used by ``pact import URL`` and event callbacks)."""
    from tanlian.graph.model import PactPartner
    from tanlian.sealing import key_for, seal

    if not url.startswith("https://"):
        raise TanlianError("--url must be an https:// URL (PACT hosts are HTTPS only)")
    target = open_store(store)
    sealed = seal(client_secret, key_for(target.url))
    partner = PactPartner(id=name, base_url=url.rstrip("/"), client_id=client_id, client_secret=sealed, client=client)
    target.upsert([partner])
    console.print(f"partner {name!r} stored: {partner.base_url}")


@app.command("label")
@handle_errors
def label_cmd(
    product: Annotated[str, typer.Argument(help="product id (its published footprint is labelled)")],
    fmt: Annotated[str, typer.Option("--format", help="json, svg or pdf")] = "svg",
    out: Annotated[Path | None, typer.Option("--out", help="file to write (default: stdout for json/svg)")] = None,
    store: StoreOpt = None,
) -> None:
    """A product carbon label from the product's published (Active) PACT footprint."""
    from tanlian.connectors.labels.render import render_label
    from tanlian.connectors.pact.publish import active_for

    if fmt not in ("json", "svg", "pdf"):
        raise TanlianError(f"--format must be json, svg or pdf, not {fmt!r}")
    record = active_for(open_store(store), product)
    data = render_label(record, fmt, get_settings().public_base_url)
    if out is None:
        if fmt == "pdf":
            raise TanlianError("--format pdf needs --out FILE")
        typer.echo(data.decode("utf-8"))
        return
    out.write_bytes(data)
    console.print(f"label of {product} ({record.id}) written to {out}")
