"""Fixed-window rate limits whose counters live in the graph store (so every worker process
shares them): token issue per client id and per client address.

A counter is a :class:`~tanlian.graph.model.RateCounter` ``ratecounter:<scope>:<key>``. The read
and the write are two store calls, so concurrent workers may each let one extra request through:
a limit of N per window admits at most about N + workers − 1 (within one process a lock makes
the count exact).
"""

from __future__ import annotations

import hashlib
import threading
import time

from tanlian.graph.model import RateCounter
from tanlian.graph.store import GraphStore

_LOCK = threading.Lock()


def counter_id(scope: str, key: str) -> str:
    """The counter's id: the scope and a hash of the key (keys are untrusted input)."""
    return f"{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def retry_after(store: GraphStore, scope: str, key: str, limit: int, window_s: float, now: float | None = None) -> int:
    """Count one request of ``key``; 0 when it is allowed, else the seconds until the window ends
    (then nothing is written: refused requests do not extend the window)."""
    with _LOCK:
        return _count(store, counter_id(scope, key), limit, window_s, time.time() if now is None else now)


def sign_in_wait(store: GraphStore, settings, address: str, client_id: str) -> int:
    """Count one sign-in attempt (a token request or a dashboard sign-in: one budget for both) per
    client address and per client id; 0 when allowed, else the seconds to wait."""
    window = settings.token_rate_window_s
    return retry_after(store, "token-addr", address, settings.token_rate_per_address, window) or retry_after(
        store, "token-client", client_id, settings.token_rate_per_client, window
    )


def _count(store: GraphStore, cid: str, limit: int, window_s: float, now: float) -> int:
    c = store.get(RateCounter, cid)
    if c is None or now - c.window_start >= window_s:
        store.upsert([RateCounter(id=cid, window_start=now, count=1)])
        return 0
    if c.count >= limit:
        return max(1, int(c.window_start + window_s - now + 0.999))
    store.upsert([c.model_copy(update={"count": c.count + 1})])
    return 0
