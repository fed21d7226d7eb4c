"""PACT Action Events (CloudEvents 1.0, structured mode) for v3 and v2.3.

Received: PublishedEvent (pfIds must be UUIDs), RequestCreatedEvent (kept as a pending
:class:`PactRequest`, answered later by :mod:`pact_worker`), RequestFulfilledEvent (the
footprints are validated and imported as supplier footprints), RequestRejectedEvent (logged).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from tanlian.api.auth import Principal
from tanlian.api.pact_errors import PactError
from tanlian.connectors.pact.filters import BadCriterion, Criteria
from tanlian.connectors.pact.importer import import_footprints
from tanlian.errors import ValidationFailed
from tanlian.graph.model import PactPartner, PactRequest
from tanlian.graph.store import GraphStore

log = logging.getLogger("tanlian.api.pact")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class EventTypes:
    """The four event types of one PACT version."""

    version: str
    published: str
    created: str
    fulfilled: str
    rejected: str


V3 = EventTypes(
    "3",
    "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
    "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
    "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
    "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
)
V2 = EventTypes(
    "2",
    "org.wbcsd.pathfinder.ProductFootprint.Published.v1",
    "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
    "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1",
    "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1",
)


def bad(message: str) -> PactError:
    return PactError("BadRequest", message)


def parse_event(body: bytes) -> dict[str, Any]:
    """A structured-mode CloudEvent with the attributes PACT requires."""
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad("the body is not JSON (CloudEvents structured mode)") from None
    if not isinstance(event, dict):
        raise bad("the event must be a JSON object")
    if event.get("specversion") != "1.0":
        raise bad('specversion must be "1.0"')
    for name in ("id", "source", "type"):
        if not isinstance(event.get(name), str) or not event[name].strip():
            raise bad(f"the event attribute {name!r} must be a non-empty string")
    if not isinstance(event.get("data"), dict):
        raise bad("the event needs a 'data' object")
    return event


def callback_url(source: str, version: str) -> str:
    """Where the answer to a request goes: the requester's events endpoint named by ``source``."""
    parsed = urlparse(source)
    if parsed.scheme != "https" or not parsed.netloc:
        raise bad(f"source {source!r} must be the requester's https URL (answers are sent there)")
    path = parsed.path.rstrip("/")
    return source if path.endswith("/events") else f"{source.rstrip('/')}/{version}/events"


def request_criteria(event: dict[str, Any], types: EventTypes) -> Criteria:
    """The criteria of a RequestCreated event (v2.3: the fields of its ``pf`` fragment)."""
    data = event["data"]
    try:
        if types.version == "3":
            return Criteria.from_event_data(data)
        pf = data.get("pf")
        if not isinstance(pf, dict):
            raise bad("a v2 request needs data.pf (a ProductFootprint fragment)")
        items = [("productId", pf.get("productIds")), ("companyId", pf.get("companyIds"))]
        items += [("status", pf.get("status"))] if pf.get("status") else []
        return Criteria.from_items([(k, v) for k, v in items if v is not None])
    except BadCriterion as exc:
        raise bad(str(exc)) from None


def _check_partner_source(store: GraphStore, principal: Principal, source: str) -> None:
    """A partner with stored host credentials may only ask for answers on its own host."""
    linked = [p for p in store.list(PactPartner) if p.client == principal.sub]
    if linked and not any(source.startswith(p.base_url.rstrip("/")) for p in linked):
        raise bad(f"source {source!r} is not on the host registered for this partner")


def handle_event(store: GraphStore, principal: Principal, body: bytes, types: EventTypes, base_url: str) -> bool:
    """Validate and act on one event; raise :class:`PactError` (400) when it is not acceptable.
    Returns True when a request was stored for the worker to answer."""
    event = parse_event(body)
    kind, data = event["type"], event["data"]
    if kind == types.published:
        ids = data.get("pfIds")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and UUID.match(i) for i in ids):
            raise bad("data.pfIds must be a non-empty list of footprint ids (UUIDs)")
        log.info("partner %s published footprints %s", principal.sub, ids)
    elif kind == types.created:
        request_criteria(event, types)  # readable criteria, else 400 now rather than in the worker
        url = callback_url(event["source"], types.version)
        _check_partner_source(store, principal, event["source"])
        now = datetime.now(UTC)
        store.upsert(
            [
                PactRequest(
                    id=str(uuid.uuid4()),
                    version=types.version,  # type: ignore[arg-type]
                    client=principal.sub,
                    callback=url,
                    event=event,
                    next_attempt=now.timestamp(),
                    received=now.isoformat(timespec="seconds"),
                )
            ]
        )
        return True
    elif kind == types.fulfilled:
        if not any(p.client == principal.sub for p in store.list(PactPartner)):
            raise PactError("AccessDenied", "footprints are accepted only from partners registered with their host")
        pfs = data.get("pfs")
        if not isinstance(data.get("requestEventId"), str) or not isinstance(pfs, list) or not pfs:
            raise bad("data.requestEventId (string) and data.pfs (non-empty list) are required")
        try:
            outcome = import_footprints(store, pfs, f"event {event['id']}", base_url)
        except ValidationFailed as exc:
            raise bad(str(exc)) from None
        log.info("request %s fulfilled: %s", data["requestEventId"], [(o.pf_id, o.outcome) for o in outcome])
    elif kind == types.rejected:
        error = data.get("error")
        if not isinstance(data.get("requestEventId"), str) or not isinstance(error, dict):
            raise bad("data.requestEventId (string) and data.error (object) are required")
        log.info("request %s rejected: %s", data["requestEventId"], error)
    else:
        raise PactError("NotImplemented", f"event type {kind!r} is not supported on /{types.version}/events")
    return False
