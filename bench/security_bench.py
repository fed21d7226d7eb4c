"""Cost of the security checks of issue 13 (not a test; run by hand).

    .venv/bin/python bench/security_bench.py [--calls 20000]

In process, on an embedded store with one client: the per-request revocation check
(``current_client``: one read of the client record), the request guard middleware around a no-op
ASGI app (against the bare app), the token rate-limit check (``retry_after``: one read and one
write of a counter) next to the secret check it protects (scrypt), and the tenancy guard of an
import of the two-park test bundle. Prints µs (or ms) per call.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tanlian.api.auth import Principal, authenticate, current_client, new_client
from tanlian.api.deps import principal_of
from tanlian.api.middleware import RequestGuard
from tanlian.api.ratelimit import retry_after
from tanlian.api.tenancy import TenancyGuard
from tanlian.connectors.bundle import load_bundle
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import Park
from tanlian.graph.store import Changes
from tanlian.seed_data.library import factor_library

TWO_PARKS = Path(__file__).parents[1] / "tests" / "security" / "data" / "two_parks"


def per_call(fn, n: int) -> float:
    """Seconds per call of ``fn`` (best of 3 runs of ``n`` calls)."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t) / n)
    return best


async def _noop(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def asgi_per_call(app, n: int) -> float:
    """Seconds per GET /v1/products through ``app`` (an ASGI callable), best of 3."""
    scope = {"type": "http", "method": "GET", "path": "/v1/products", "query_string": b"limit=5", "headers": []}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        return None

    async def run() -> float:
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            for _ in range(n):
                await app(dict(scope), receive, send)
            best = min(best, (time.perf_counter() - t) / n)
        return best

    return asyncio.run(run())


def _hit(store) -> int:
    return retry_after(store, "bench", "key", 10**9, 60)


def _login(store, client, secret: str):
    return authenticate(store, client.id, secret)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20000)
    n = ap.parse_args().calls
    folder = Path(tempfile.mkdtemp(prefix="tanlian-secbench-"))
    store = EmbeddedStore(folder / "s.db")
    store.upsert([Park(id="P1", name="p", year=2022)])
    client, secret = new_client(store, "bench", "park_admin", park="P1")
    who = Principal(client.id, "park_admin", "P1", None, client.key_version)
    rows = [
        ("current_client (revocation check, per request)", per_call(lambda: current_client(store, who), n)),
        ("no-op ASGI app", asgi_per_call(_noop, n)),
        ("no-op ASGI app behind RequestGuard", asgi_per_call(RequestGuard(_noop, principal_of), n)),
        ("retry_after (rate-limit check, per token request)", per_call(lambda: _hit(store), n // 10)),
        ("authenticate (scrypt secret check, per token request)", per_call(lambda: _login(store, client, secret), 20)),
    ]
    graph = load_bundle(TWO_PARKS).graph
    current = {t: {} for t in ("park", "enterprise", "product", "flow")}
    tables = {"enterprise": graph.enterprises, "product": graph.products, "flow": graph.flows}
    changes = Changes({name: [e.record() for e in table.values()] for name, table in tables.items()}, {})
    guard = TenancyGuard(Principal("x", "platform_admin"), factor_library())
    writes = sum(len(v) for v in changes.upserts.values())
    guard_s = per_call(lambda: guard(current, changes), n // 10)
    rows.append((f"TenancyGuard over the two-park bundle ({writes} writes)", guard_s))
    t = Table(title="security checks, in process (best of 3)")
    t.add_column("what")
    t.add_column("per call", justify="right")
    for what, s in rows:
        t.add_row(what, f"{s * 1e6:,.1f} µs" if s < 1e-3 else f"{s * 1e3:,.1f} ms")
    Console().print(t)
    store.close()


if __name__ == "__main__":
    main()
