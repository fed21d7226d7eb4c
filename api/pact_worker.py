"""The one background worker that answers RequestCreated events (PACT Action Events, case 2).

Pending requests are :class:`PactRequest` records in the store, so they survive restarts: the
worker (one thread per app, started with it) looks for due ones every
``TANLIAN_PACT_WORKER_INTERVAL_S``, finds the footprints the request asks for (same criteria as
ListFootprints, Active only, within what the requesting partner may see) and POSTs a
RequestFulfilled event with them, or a RequestRejected event when none match, to the requester's
events endpoint, with a token from the partner's stored credentials when there are some. A
failed delivery is retried with exponential backoff (``TANLIAN_PACT_RETRY_BASE_S`` × 2^attempt)
up to ``TANLIAN_PACT_RETRY_MAX`` attempts, then marked ``failed``.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx

from tanlian.api.auth import Principal
from tanlian.api.pact_deps import visible_footprints
from tanlian.api.pact_errors import PactError
from tanlian.api.pact_events import V2, V3, request_criteria
from tanlian.connectors.pact.client import PartnerHostError, get_token, http_client, post_event
from tanlian.connectors.pact.filters import Criteria, matches
from tanlian.connectors.pact.importer import partner_for, partner_secret
from tanlian.connectors.pact.v2 import v2_view
from tanlian.errors import TanlianError
from tanlian.graph.model import PactRequest
from tanlian.graph.store import GraphStore
from tanlian.settings import Settings

log = logging.getLogger("tanlian.api.pact.worker")


def answer(store: GraphStore, req: PactRequest, public_base_url: str) -> dict[str, Any]:
    """The Fulfilled or Rejected event answering ``req``."""
    types = V3 if req.version == "3" else V2
    try:
        criteria = request_criteria(req.event, types)
    except PactError as exc:
        criteria, problem = Criteria(), exc.message
    else:
        problem = None
    principal = Principal(req.client or "", "partner")
    try:
        records = visible_footprints(store, principal) if req.client else []
    except PactError:
        records = []
    found = [r.document for r in records if r.status == "Active" and matches(r.document, criteria)]
    if types.version == "2":
        found = [v for d in found if (v := v2_view(d)) is not None]
    base = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": f"{public_base_url.rstrip('/')}/{types.version}/events",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if found and problem is None and criteria:
        return {**base, "type": types.fulfilled, "data": {"requestEventId": req.event["id"], "pfs": found}}
    code = "NotFound" if types.version == "3" else "NoSuchFootprint"
    message = problem or ("no footprint matches the request" if criteria else "the request names no criteria")
    return {
        **base,
        "type": types.rejected,
        "data": {"requestEventId": req.event["id"], "error": {"code": code, "message": message}},
    }


def deliver(store: GraphStore, req: PactRequest, settings: Settings, now: float | None = None) -> PactRequest:
    """Send the answer once; return the request with its new state (stored by the caller)."""
    now = time.time() if now is None else now
    event = answer(store, req, settings.public_base_url)
    verify: bool | str = settings.pact_ca_bundle or True
    try:
        with http_client(verify) as client:
            partner = partner_for(store, req.callback)
            secret = partner_secret(store, partner) if partner else None  # TanlianError: a key that does not open it
            token = get_token(client, partner.base_url, partner.client_id, secret) if partner and secret else None
            resp = post_event(client, req.callback, event, token)
        ok, error = 200 <= resp.status_code < 300, f"HTTP {resp.status_code}: {resp.text[:200]}"
    except (httpx.HTTPError, PartnerHostError, TanlianError) as exc:
        ok, error = False, f"{type(exc).__name__}: {exc}"
    attempts = req.attempts + 1
    if ok:
        state = "fulfilled" if event["type"] in (V3.fulfilled, V2.fulfilled) else "rejected"
        return req.model_copy(update={"state": state, "attempts": attempts, "last_error": None})
    failed = attempts >= settings.pact_retry_max
    delay = settings.pact_retry_base_s * 2 ** (attempts - 1)
    log.warning("PACT callback %s to %s failed (attempt %d): %s", req.id, req.callback, attempts, error)
    return req.model_copy(
        update={
            "state": "failed" if failed else "pending",
            "attempts": attempts,
            "next_attempt": now + delay,
            "last_error": error,
        }
    )


def run_due(store: GraphStore, settings: Settings, now: float | None = None) -> int:
    """Deliver every pending request that is due; return how many were tried."""
    now = time.time() if now is None else now
    due = [r for r in store.list(PactRequest) if r.state == "pending" and r.next_attempt <= now]
    for req in sorted(due, key=lambda r: (r.next_attempt, r.id)):
        store.upsert([deliver(store, req, settings, now)])
    return len(due)


class PactWorker:
    """A daemon thread calling :func:`run_due` every interval until stopped.

    Started on demand (:meth:`ensure_started`): at app start-up when the store holds pending
    requests, and when a RequestCreated event is accepted; an idle host runs no thread.
    """

    def __init__(self, store: GraphStore, settings: Settings):
        self.store, self.settings = store, settings
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def ensure_started(self) -> None:
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._loop, name="tanlian-pact-worker", daemon=True)
                self._thread.start()

    start = ensure_started

    def start_if_pending(self) -> None:
        """Start when the store holds requests still to answer (e.g. after a restart); when the
        store cannot be read now, start anyway (the worker looks again every interval)."""
        try:
            pending = any(r.state == "pending" for r in self.store.list(PactRequest))
        except Exception as exc:  # never block start-up: the store may be down (the worker retries)
            log.warning("PACT worker: cannot read pending requests yet (%s)", exc)
            pending = True
        if pending:
            self.ensure_started()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout=10)
        lockfile = getattr(self, "_lockfile", None)
        if lockfile is not None:  # another process's worker takes over the requests
            lockfile.close()
            self._lockfile = None

    def _leader(self) -> bool:
        """Whether this process is the one that answers requests: with ``serve --workers N`` every
        worker process has a PactWorker, and an exclusive lock on a file named after the store
        makes one of them (on this machine) do the rounds; the others take over if it exits."""
        if getattr(self, "_lockfile", None) is not None:
            return True
        name = hashlib.sha256(f"{self.store.url}|{getattr(self.store, 'database', '')}".encode()).hexdigest()[:16]
        handle = (Path(tempfile.gettempdir()) / f"tanlian-pact-worker-{name}.lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lockfile: IO[str] | None = handle  # held (and the lock with it) while the process lives
        return True

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.pact_worker_interval_s):
            try:
                if not self._leader():
                    continue
                run_due(self.store, self.settings)
            except Exception:  # the worker must outlive one bad round (it is retried next tick)
                if sys.is_finalizing() or self._stop.is_set():
                    return
                log.exception("PACT worker round failed")
