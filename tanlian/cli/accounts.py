"""CLI commands for accounts: an enterprise's Scope 1/2/3, a park's inventory and indicators, the report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tanlian import fmt
from tanlian.cli.app import (
    GwpOpt,
    JsonOpt,
    Scope2Opt,
    StoreOpt,
    app,
    get_settings,
    import_with_progress,
    open_store,
    snapshot,
    solved,
)
from tanlian.cli.console import console, err_console, handle_errors, kv_table, print_json
from tanlian.errors import TanlianError


def refuse_other_data(store, demo) -> None:
    """Raise unless ``store`` is empty or holds exactly ``demo`` (GraphStore protocol only)."""
    held = store.snapshot()
    counts = {k: v for k, v in held.counts().items() if v}
    if counts and held.records() != demo.records():
        what = ", ".join(f"{v} {k}" for k, v in counts.items())
        raise TanlianError(
            f"the store {store.url} holds other data ({what}); `tanlian demo` would replace it. "
            "Use another store (--store sqlite:///demo.sqlite) or pass --force to overwrite it."
        )


def park_json(result, park: str) -> dict:
    """Inventory + indicators of one park (the JSON of ``tanlian park``)."""
    from tanlian.lca.accounting.indicators import park_indicators
    from tanlian.lca.accounting.park import park_inventory

    inv = park_inventory(result, park)
    inv["indicators"] = park_indicators(result, park, get_settings().electricity_kgce_per_kwh)
    return inv


def indicator_table(indicators: list[dict]) -> Table:
    t = Table(title="zero-carbon park indicators (1+5)")
    for c in ("indicator", "value", "threshold", "passed", "reason"):
        t.add_column(c, overflow="fold")
    for i in indicators:
        v = fmt.quantity(i["value"], i["unit"])
        ok = {True: "[green]yes[/]", False: "[red]no[/]", None: fmt.DASH}[i["passed"]]
        t.add_row(i["name"], v, fmt.number(i["threshold"]), ok, i["reason"] or "")
    return t


def members_table(inv: dict) -> Table:
    """One row per member with every term of its net: Scope 1 + Scope 2 (the net's method) +
    Scope 3 upstream + downstream − removals = net, and its share of the park net."""
    from tanlian.connectors.report import NET_PARTS

    method = inv["scope2_method"]
    parts = [p.format(method=method) for p in NET_PARTS]
    rows = inv["by_enterprise"]
    div, unit = fmt.co2e_scale(r[k] for r in rows for k in (*parts, "removals_kgco2e", "net_kgco2e"))
    t = Table(
        title=f"members' contributions to the park net ({unit}): "
        f"net = scope 1 + scope 2 {method} + scope 3 up + scope 3 down − removals"
    )
    heads = ("enterprise", "scope 1", f"scope 2 {method}", "scope 3 up", "scope 3 down", "removals", "net", "share")
    for c in heads:
        t.add_column(c, justify="left" if c == "enterprise" else "right")
    for r in rows:
        t.add_row(
            fmt.cut(f"{r['enterprise']} {r['name']}", 40),
            *(fmt.number(r[k] / div) for k in (*parts, "removals_kgco2e", "net_kgco2e")),
            fmt.percent(r["share"]),
        )
    return t


def print_park(inv: dict) -> None:
    from tanlian.lca.accounting.park import PARK_TOTALS

    div, unit = fmt.co2e_scale(inv[k] for k in PARK_TOTALS)
    rows = [(k.removesuffix("_kgco2e").replace("_", " ") + f" ({unit})", inv[k] / div) for k in PARK_TOTALS]
    console.print(
        kv_table(f"park {inv['park']} {inv['name']} — {inv['year']} (Scope 2 in net: {inv['scope2_method']})", rows)
    )
    console.print(members_table(inv))
    console.print(indicator_table(inv["indicators"]))


def scope_table(acc: dict) -> Table:
    """An enterprise's account in tCO2e (kgCO2e when every figure is below 1 t)."""
    rows = [
        ("Scope 1", acc["scope1_kgco2e"]),
        ("Scope 2 location", acc["scope2_location_kgco2e"]),
        ("Scope 2 market", acc["scope2_market_kgco2e"]),
        ("Scope 3", acc["scope3_kgco2e"]),
        *((f"  category {k}", v) for k, v in acc["scope3_by_category"].items()),
        ("removals", acc["removals_kgco2e"]),
    ]
    div, unit = fmt.co2e_scale(v for _, v in rows)
    return kv_table(
        f"{acc['enterprise']} {acc['name']} — {acc['year']} ({unit})",
        [(k, v / div) for k, v in rows] + [("primary data share", fmt.percent(acc["primary_data_share"], 0))],
    )


@app.command("scope")
@handle_errors
def scope_cmd(
    enterprise: Annotated[str, typer.Argument(help="enterprise id")],
    store: StoreOpt = None,
    gwp: GwpOpt = None,
    scope2: Scope2Opt = None,
    json_out: JsonOpt = False,
) -> None:
    """Scope 1, 2 (location and market) and 3 by category of one enterprise (kgCO2e)."""
    from tanlian.lca.accounting.scope import enterprise_account

    acc = enterprise_account(solved(store, gwp, scope2), enterprise)
    if json_out:
        print_json(acc)
        return
    console.print(scope_table(acc))


@app.command("park")
@handle_errors
def park_cmd(
    park: Annotated[str, typer.Argument(help="park id")],
    store: StoreOpt = None,
    gwp: GwpOpt = None,
    scope2: Scope2Opt = None,
    json_out: JsonOpt = False,
) -> None:
    """Park inventory without double counting, and the zero-carbon park indicators."""
    inv = park_json(solved(store, gwp, scope2), park)
    if json_out:
        print_json(inv)
    else:
        print_park(inv)


@app.command("report")
@handle_errors
def report_cmd(
    park: Annotated[str, typer.Argument(help="park id")],
    out: Annotated[Path, typer.Option("--out", help="folder for the report")] = Path("report"),
    store: StoreOpt = None,
    gwp: GwpOpt = None,
    scope2: Scope2Opt = None,
    lang: Annotated[str, typer.Option("--lang", help="language of the charts and report.html: zh or en")] = "zh",
) -> None:
    """Write the park report: Markdown summary, CSV tables, charts (PNG + SVG) and report.html."""
    from tanlian.connectors.report import write_report
    from tanlian.connectors.report_html import write_chart_report

    result = solved(store, gwp, scope2)
    inv = park_json(result, park)
    path = write_report(result, inv, out)
    for note in write_chart_report(result, inv, out, lang=lang):
        err_console.print(f"[yellow]warning:[/] {note}")
    console.print(f"report written to {path}")


@app.command("symbiosis")
@handle_errors
def symbiosis_cmd(
    park: Annotated[str, typer.Argument(help="park id")],
    detour: Annotated[float, typer.Option(help="road distance / great-circle distance", min=1.0)] = 1.3,
    store: StoreOpt = None,
    gwp: GwpOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Industrial symbiosis: residual → need matches and the assignment that avoids the most CO2e."""
    from tanlian.lca.analysis.symbiosis import opportunities

    out = opportunities(snapshot(store), park, (gwp or get_settings().gwp).upper(), detour)
    if json_out:
        print_json(out)
        return
    t = Table(
        title=f"symbiosis in park {park}: {fmt.tonnes(out['assigned_kgco2e'])} tCO2e/yr avoided by the best "
        f"assignment (potential of all pairs {fmt.tonnes(out['potential_kgco2e'])})"
    )
    for c in ("residual → need", "material", "quantity", "km", "kgCO2e/unit", "assigned", "tCO2e/yr"):
        t.add_column(c, justify="left" if c in ("residual → need", "material") else "right")
    for m in out["matches"]:
        t.add_row(
            f"{m['residual']} ({m['supplier']}) → {m['need']} ({m['taker']})",
            m["material"],
            f"{fmt.number(m['max_quantity'])} {fmt.unit(m['unit'])}",
            fmt.number(m["distance_km"]),
            fmt.number(m["benefit_kgco2e_per_unit"]),
            fmt.number(m["assigned_quantity"]),
            fmt.tonnes(m["assigned_kgco2e"]),
        )
    console.print(t)
    if out["unmatched_residuals"] or out["unmatched_needs"]:
        console.print(f"unmatched residuals: {out['unmatched_residuals']}; needs: {out['unmatched_needs']}")


@app.command("demo")
@handle_errors
def demo_cmd(
    store: StoreOpt = None,
    json_out: JsonOpt = False,
    force: Annotated[bool, typer.Option("--force", help="replace a store that holds other data")] = False,
    serve: Annotated[bool, typer.Option("--serve", help="then serve the dashboard with demo clients")] = False,
    port: Annotated[int, typer.Option("--port", help="port for --serve", min=1, max=65535)] = 8000,
) -> None:
    """Load the demo park into an empty store (or one holding only the demo) and print a summary."""
    from tanlian.connectors.bundle import load_bundle
    from tanlian.graph.model import BUNDLE_TYPES
    from tanlian.lca.core.cache import results
    from tanlian.seed_data.library import demo_park_path, factor_library

    if not force:
        target = open_store(store)
        try:
            refuse_other_data(target, load_bundle(demo_park_path()).graph)
        finally:
            target.close()
    every = {"replace_tables": [t.file for t in BUNDLE_TYPES]}  # the store becomes the demo, whole
    s, _, warnings = import_with_progress(store, demo_park_path(), replace=True, quiet=json_out, strictness=every)
    for w in warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
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
    else:
        rows = [(k, v) for k, v in counts.items()] + [("library factors", len(factor_library()))]
        console.print(kv_table(f"demo park loaded into {s.url}", rows))
        for inv in parks:
            print_park(inv)
    if serve:
        serve_demo(s, port)


def serve_demo(store, port: int) -> None:
    """Make a demo park admin and an enterprise client, print the URL and credentials, and serve
    the API and dashboard on 127.0.0.1 (until interrupted)."""
    import uvicorn

    from tanlian.api.app import create_app
    from tanlian.api.auth import new_client

    graph = store.snapshot()
    park = sorted(graph.parks)[0]
    members = [e for e in sorted(graph.enterprises) if graph.enterprises[e].park == park]
    busiest = max(members, key=lambda e: sum(f.to == e for f in graph.flows.values()))
    admin, admin_secret = new_client(store, "demo park admin", "park_admin", park=park)
    ent, ent_secret = new_client(store, f"demo enterprise {busiest}", "enterprise", enterprise=busiest)
    url = f"http://127.0.0.1:{port}/dashboard"
    rows = [
        ("dashboard", url),
        ("park_admin client_id", admin.id),
        ("park_admin client_secret", admin_secret),
        (f"enterprise {busiest} client_id", ent.id),
        (f"enterprise {busiest} client_secret", ent_secret),
    ]
    console.print("[bold]demo dashboard[/] — sign in with either client (Ctrl+C stops)")
    for k, v in rows:
        console.print(f"  {k}: {v}", soft_wrap=True, highlight=False)
    settings = get_settings().model_copy(update={"store": store.url})
    uvicorn.run(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning")
