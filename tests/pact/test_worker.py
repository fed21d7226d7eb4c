"""RequestCreated → Fulfilled/Rejected POSTed to the requester by the worker, with retries and
backoff, from requests kept in the store (a restart loses nothing). The requester is a real
Tanlian host over HTTPS on 127.0.0.1 that imports the footprints it receives."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.api.pact_clients import restrict_to_companies
from tanlian.api.pact_worker import PactWorker, answer, run_due
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import PactPartner, PactRequest, SupplierFootprint
from tanlian.settings import Settings

from .conftest import token_for
from .https_server import HttpsServer, free_port, self_signed
from .test_roundtrip import A_BASE, B_BASE, SECRET, customer_store, supplier_store

CE = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}
CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"


class Pair:
    """A (data owner, answers) and B (requester, receives over HTTPS at ``b_url``)."""

    def __init__(self, tmp: Path, retry_max: int = 5):
        self.cert, self.key = self_signed(tmp)
        self.a_path = tmp / "a.db"
        self.a = supplier_store(self.a_path)
        self.b = customer_store(tmp / "b.db")
        self.port = free_port()
        self.b_url = f"https://127.0.0.1:{self.port}"
        alpha_at_b, alpha_secret = new_client(self.b, "alpha", "partner")  # A's client at B's host
        # B registered A's host: only registered partners may deliver footprints (Fulfilled events)
        self.b.upsert([PactPartner(id="alpha", base_url=A_BASE, client_id="b-at-a", client_secret="x",
                                   client=alpha_at_b.id)])  # fmt: skip
        self.beta_at_a, self.beta_secret = new_client(self.a, "beta", "partner")  # B's client at A's host
        self.a.upsert(
            [PactPartner(id="beta", base_url=self.b_url, client_id=alpha_at_b.id, client_secret=alpha_secret,
                         client=self.beta_at_a.id)]
        )  # fmt: skip
        self.settings = Settings(
            jwt_secret=SECRET, public_base_url=A_BASE, pact_worker_interval_s=0, pact_ca_bundle=str(self.cert),
            pact_retry_base_s=10.0, pact_retry_max=retry_max,
        )  # fmt: skip
        b_settings = Settings(jwt_secret=SECRET + "b", public_base_url=B_BASE, pact_worker_interval_s=0)
        self.b_app = create_app(b_settings, self.b)

    def request(self, product_ids: list[str]) -> None:
        """B asks A (through A's API over https) for footprints of ``product_ids``."""
        app = create_app(self.settings, self.a)
        with TestClient(app, base_url="https://testserver") as api:
            token = token_for(api, self.beta_at_a.id, self.beta_secret)
            event = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": self.b_url, "type": CREATED,
                     "time": "2026-12-05T00:00:00Z", "data": {"productId": product_ids}}  # fmt: skip
            r = api.post("/3/events", headers={"Authorization": f"Bearer {token}", **CE}, content=json.dumps(event))
            assert r.status_code == 200 and r.content == b""

    def b_server(self) -> HttpsServer:
        return HttpsServer(self.b_app, self.cert, self.key, port=self.port)


def test_fulfilled_after_a_failed_attempt_and_a_restart(tmp_path):
    pair = Pair(tmp_path)
    pair.request(["urn:pact:alpha.example:product-id:A1"])
    t0 = time.time()
    assert run_due(pair.a, pair.settings, now=t0) == 1  # B is down: connection refused
    (req,) = pair.a.list(PactRequest)
    assert (req.state, req.attempts, req.next_attempt) == ("pending", 1, pytest.approx(t0 + 10.0))
    assert "ConnectError" in req.last_error
    pair.a.close()
    pair.a = EmbeddedStore(pair.a_path)  # a restart: the pending request is still there
    assert run_due(pair.a, pair.settings, now=t0 + 5) == 0  # not due yet (backoff)
    with pair.b_server():
        assert run_due(pair.a, pair.settings, now=t0 + 11) == 1
    (req,) = pair.a.list(PactRequest)
    assert (req.state, req.attempts, req.last_error) == ("fulfilled", 2, None)
    (imported,) = pair.b.list(SupplierFootprint)  # B took the footprint from the Fulfilled event
    assert imported.product == "A1" and imported.document["productIds"] == ["urn:pact:alpha.example:product-id:A1"]
    assert run_due(pair.a, pair.settings, now=t0 + 1000) == 0  # answered exactly once


def test_rejected_when_nothing_matches_and_backoff_doubles_until_failed(tmp_path):
    pair = Pair(tmp_path, retry_max=3)
    pair.request(["urn:pact:null"])
    with pair.b_server():
        run_due(pair.a, pair.settings)
    (req,) = pair.a.list(PactRequest)
    assert req.state == "rejected"
    assert pair.b.list(SupplierFootprint) == []
    pair.request(["urn:pact:alpha.example:product-id:A1"])  # B down from now on
    t = time.time()
    delays = []
    for _ in range(3):
        run_due(pair.a, pair.settings, now=t)
        pending = [r for r in pair.a.list(PactRequest) if r.state in ("pending", "failed") and r.attempts]
        (r,) = pending
        delays.append(r.next_attempt - t)
        t = r.next_attempt
    assert delays == pytest.approx([10.0, 20.0, 40.0])
    assert r.state == "failed" and r.attempts == 3


def test_the_worker_thread_delivers(tmp_path):
    pair = Pair(tmp_path)
    pair.request(["urn:pact:alpha.example:product-id:A1"])
    worker = PactWorker(pair.a, pair.settings.model_copy(update={"pact_worker_interval_s": 0.05}))
    with pair.b_server():
        worker.start()
        deadline = time.monotonic() + 20
        while pair.a.list(PactRequest)[0].state == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.stop()
    assert pair.a.list(PactRequest)[0].state == "fulfilled"


def test_app_runs_the_worker_only_when_needed(tmp_path):
    pair = Pair(tmp_path)
    settings = pair.settings.model_copy(update={"pact_worker_interval_s": 0.05})
    with TestClient(create_app(settings, pair.a), base_url="https://testserver") as api:
        worker = api.app.state.pact_worker
        assert worker._thread is None  # idle host: no thread
    pair.request(["urn:pact:alpha.example:product-id:A1"])  # stored while no worker ran
    with pair.b_server(), TestClient(create_app(settings, pair.a), base_url="https://testserver") as api:
        assert api.app.state.pact_worker._thread is not None  # started for the pending request
        deadline = time.monotonic() + 20
        while pair.a.list(PactRequest)[0].state == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)
    assert pair.a.list(PactRequest)[0].state == "fulfilled"


def test_answers_follow_version_and_visibility(tmp_path):
    pair = Pair(tmp_path)
    urn = "urn:pact:alpha.example:product-id:A1"
    v2 = PactRequest(id="r2", version="2", client=pair.beta_at_a.id, callback=pair.b_url + "/2/events",
                     event={"id": "e2", "data": {"pf": {"productIds": [urn]}}})  # fmt: skip
    event = answer(pair.a, v2, A_BASE)
    assert event["type"] == "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1"
    assert event["data"]["requestEventId"] == "e2" and event["data"]["pfs"][0]["specVersion"] == "2.3.0"
    assert event["source"] == f"{A_BASE}/2/events" and event["specversion"] == "1.0"
    restrict_to_companies(pair.a, pair.a.get(type(pair.beta_at_a), pair.beta_at_a.id), ["B"])  # A1 is A's
    v3 = v2.model_copy(update={"version": "3", "event": {"id": "e3", "data": {"productId": [urn]}}})
    event = answer(pair.a, v3, A_BASE)
    assert event["type"] == "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
    assert event["data"]["error"]["code"] == "NotFound"


def test_one_worker_process_answers_requests(tmp_path):
    """With ``serve --workers N`` each worker process has a PactWorker; one holds the store's lock
    and answers, the others wait and take over once it stops."""
    from tanlian.api.pact_worker import PactWorker
    from tanlian.graph.embedded import EmbeddedStore
    from tanlian.settings import Settings

    store = EmbeddedStore(tmp_path / "w.sqlite")
    first, second = PactWorker(store, Settings()), PactWorker(store, Settings())
    assert first._leader() and not second._leader()
    first.stop()
    assert second._leader()
    second.stop()
    store.close()
