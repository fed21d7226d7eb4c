"""The PACT host over HTTPS: auth, ListFootprints (filters, pagination), GetFootprint, errors, events."""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest
from fastapi.testclient import TestClient

from tanlian.api.auth import new_client
from tanlian.api.pact_clients import restrict_to_companies
from tanlian.connectors.pact.publish import published
from tanlian.graph.model import Client, PactPartner, PactRequest

from .conftest import JWT_SECRET, token_for

CE = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}
V3 = "org.wbcsd.pact.ProductFootprint."
V2 = "org.wbcsd.pathfinder.ProductFootprint"


def all_docs(host) -> list[dict]:
    return [r.document for r in published(host.store)]


def listed(host, **params) -> list[dict]:
    r = host.api.get("/3/footprints", params=params, headers=host.auth())
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_token_is_pact_shaped(host):
    cid = host.store.list(Client)[0].id
    r = host.api.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, "wrong"))
    assert r.status_code in (400, 401) and r.json()["error"] == "invalid_client"
    conf = host.api.get("/.well-known/openid-configuration").json()
    assert conf["token_endpoint"] == "https://testserver/auth/token"


def test_list_everything_and_get_each(host):
    docs = listed(host)
    assert [d["id"] for d in docs] == [d["id"] for d in all_docs(host)]
    first = docs[0]
    r = host.api.get(f"/3/footprints/{first['id']}", headers=host.auth())
    assert r.status_code == 200 and r.json() == {"data": first}


def test_get_unknown_is_not_found(host):
    r = host.api.get("/3/footprints/00000000-0000-0000-0000-000000000000", headers=host.auth())
    assert r.status_code == 404 and r.json()["code"] == "NotFound" and set(r.json()) == {"code", "message"}
    r = host.api.get("/2/footprints/00000000-0000-0000-0000-000000000000", headers=host.auth())
    assert r.status_code == 404 and r.json()["code"] == "NoSuchFootprint"


@pytest.mark.parametrize("path", ["/3/footprints", "/2/footprints", "/3/footprints/x"])
def test_invalid_and_missing_tokens_are_bad_requests(host, path):
    for headers in ({"Authorization": "Bearer very-invalid-access-token"}, {}):
        r = host.api.get(path, headers=headers)
        assert r.status_code == 400 and r.json()["code"] == "BadRequest", r.text


def test_expired_token_and_wrong_role(host):
    client = host.store.list(Client)[0]
    now = int(time.time())
    claims = {"sub": client.id, "role": "partner", "kv": client.key_version, "iat": now - 100, "exp": now - 10}
    expired = jwt.encode(claims, JWT_SECRET)
    r = host.api.get("/3/footprints", headers=host.auth(expired))
    assert r.status_code == 401 and r.json()["code"] == "TokenExpired"
    admin, secret = new_client(host.store, "admin", "park_admin", park="P1")
    r = host.api.get("/3/footprints", headers=host.auth(token_for(host.api, admin.id, secret)))
    assert r.status_code == 403 and r.json()["code"] == "AccessDenied"


def test_plain_http_gets_no_data_and_no_redirect(host):
    http = TestClient(host.api.app, base_url="http://testserver", follow_redirects=False)
    first = all_docs(host)[0]["id"]
    for method, path in [("GET", "/3/footprints"), ("GET", f"/3/footprints/{first}"), ("GET", "/2/footprints")]:
        r = http.request(method, path, headers=host.auth())
        assert r.status_code == 403 and r.json()["code"] == "AccessDenied"
        assert "location" not in r.headers and "data" not in r.json()
    r = http.post("/3/events", headers={**host.auth(), **CE}, content=b"{}")
    assert r.status_code == 403


def test_filters_or_within_and_across_case_insensitive(host):
    docs = all_docs(host)
    a = docs[0]
    b = next(d for d in docs if d["companyIds"] != a["companyIds"])
    pid_a, pid_b = a["productIds"][0], b["productIds"][0]
    assert [d["id"] for d in listed(host, productId=pid_a.upper())] == [a["id"]]
    both = host.api.get("/3/footprints", params=[("productId", pid_a), ("productId", pid_b)], headers=host.auth())
    assert {d["id"] for d in both.json()["data"]} == {a["id"], b["id"]}
    company = a["companyIds"][0]
    same_company = [d["id"] for d in docs if company in d["companyIds"]]
    assert [d["id"] for d in listed(host, companyId=company.lower())] == same_company
    assert [d["id"] for d in listed(host, companyId=company, productId=pid_a)] == [a["id"]]
    assert listed(host, companyId=company, productId=pid_b) == []  # AND across criteria
    jiangsu = [d["id"] for d in docs if d["pcf"].get("geographyCountrySubdivision") == "CN-JS"]
    assert [d["id"] for d in listed(host, geography="cn-js")] == jiangsu and jiangsu
    cls = "urn:pact:productclassification:un-cpc:17100"
    power = [d["id"] for d in docs if cls in (d.get("productClassifications") or [])]
    assert [d["id"] for d in listed(host, classification=cls)] == power and len(power) == 2
    assert len(listed(host, status="active")) == len(docs)
    assert listed(host, status="Deprecated") == []


def test_validity_filters(host):
    docs = all_docs(host)  # valid 2023-01-01 .. 2026-01-01
    assert len(listed(host, validOn="2024-06-01T00:00:00Z")) == len(docs)
    assert listed(host, validOn="2027-01-01T00:00:00Z") == []
    assert len(listed(host, validAfter="2022-12-31T00:00:00Z")) == len(docs)
    assert listed(host, validAfter="2023-01-01T00:00:00Z") == []
    assert len(listed(host, validBefore="2026-01-02T00:00:00Z")) == len(docs)
    assert listed(host, validBefore="2025-12-31T00:00:00Z") == []
    r = host.api.get("/3/footprints", params={"validOn": "yesterday"}, headers=host.auth())
    assert r.status_code == 400 and r.json()["code"] == "BadRequest"


@pytest.mark.parametrize(
    "params",
    [{"productId": "urn:bogus:product:x"}, {"companyId": "urn:bogus:company:x"}, {"geography": "XX"},
     {"classification": "urn:bogus:classification:x"}, {"status": "BogusStatus"}, {"validOn": "1900-01-01T00:00:00Z"}],
)  # fmt: skip
def test_unknown_values_give_an_empty_list(host, params):
    r = host.api.get("/3/footprints", params=params, headers=host.auth())
    assert r.status_code == 200 and r.json() == {"data": []}


def test_unknown_query_parameters_are_ignored(host):
    r = host.api.get("/3/footprints", params={"x-acme-invoice": "1", "$filter": "created ge 'x'"}, headers=host.auth())
    assert r.status_code == 200 and len(r.json()["data"]) == len(all_docs(host))


def test_pagination_links_are_absolute_and_complete(host):
    ids, url = [], "/3/footprints?limit=4&status=Active"
    while url:
        r = host.api.get(url, headers=host.auth())
        assert r.status_code == 200 and len(r.json()["data"]) <= 4
        ids += [d["id"] for d in r.json()["data"]]
        link = r.headers.get("link")
        if not link:
            break
        target = link.split(">")[0].lstrip("<")
        assert link.endswith('; rel="next"') and target.startswith("https://testserver/3/footprints?")
        assert "status=Active" in target
        url = target.removeprefix("https://testserver")
    assert ids == [d["id"] for d in all_docs(host)]
    r = host.api.get("/3/footprints?limit=0", headers=host.auth())
    assert r.status_code == 400 and r.json()["code"] == "BadRequest"


def test_v2_lists_views_without_piece_footprints(host):
    r = host.api.get("/2/footprints", headers=host.auth())
    v2 = r.json()["data"]
    docs = all_docs(host)
    pieces = [d["id"] for d in docs if d["pcf"]["declaredUnitOfMeasurement"] == "piece"]
    assert pieces and {d["id"] for d in v2} == {d["id"] for d in docs} - set(pieces)
    assert all(d["specVersion"] == "2.3.0" and "productCategoryCpc" in d for d in v2)
    r = host.api.get(f"/2/footprints/{pieces[0]}", headers=host.auth())
    assert r.status_code == 404 and "v2.3" in r.json()["message"]


def test_partner_restricted_to_companies(fresh_host):
    client, secret = new_client(fresh_host.store, "e02-only", "partner")
    restrict_to_companies(fresh_host.store, client, ["E02"])
    token = token_for(fresh_host.api, client.id, secret)
    data = fresh_host.api.get("/3/footprints", headers=fresh_host.auth(token)).json()["data"]
    assert data and {d["companyIds"][0].rsplit(":", 1)[1] for d in data} == {"E02"}
    other = next(d for d in all_docs(fresh_host) if not d["companyIds"][0].endswith(":E02"))
    r = fresh_host.api.get(f"/3/footprints/{other['id']}", headers=fresh_host.auth(token))
    assert r.status_code == 404


def _event(kind: str, data: dict, source: str = "https://127.0.0.1:9/requester") -> bytes:
    body = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": source, "time": "2026-12-05T00:00:00Z"}
    return json.dumps({**body, "type": kind, "data": data}).encode()


def test_events_v3(fresh_host):
    h = {**fresh_host.auth(), **CE}
    api = fresh_host.api
    ok = api.post("/3/events", headers=h, content=_event(
        V3 + "PublishedEvent.3", {"pfIds": [str(uuid.uuid4())]}))  # fmt: skip
    assert ok.status_code == 200 and ok.content == b""
    bad = api.post("/3/events", headers=h, content=_event(
        V3 + "PublishedEvent.3", {"pfIds": ["urn:gtin:4712345060507"]}))  # fmt: skip
    assert bad.status_code == 400 and bad.json()["code"] == "BadRequest"
    pid = all_docs(fresh_host)[0]["productIds"]
    r = api.post("/3/events", headers=h, content=_event(
        V3 + "RequestCreatedEvent.3", {"productId": pid}))  # fmt: skip
    assert r.status_code == 200
    pending = fresh_host.store.list(PactRequest)
    assert len(pending) == 1 and pending[0].state == "pending"
    assert pending[0].callback == "https://127.0.0.1:9/requester/3/events"
    r = api.post("/3/events", headers=h, content=_event(
        V3 + "RequestRejectedEvent.3",
        {"requestEventId": "x", "error": {"code": "NotFound", "message": "none"}}))  # fmt: skip
    assert r.status_code == 200
    fulfilled = _event(V3 + "RequestFulfilledEvent.3", {"requestEventId": "x", "pfs": [{"id": "1"}]})
    r = api.post("/3/events", headers=h, content=fulfilled)
    assert r.status_code == 403 and r.json()["code"] == "AccessDenied"  # not a registered partner host
    (me,) = [c for c in fresh_host.store.list(Client) if c.role == "partner"]
    fresh_host.store.upsert(
        [PactPartner(id="p", base_url="https://p.example", client_id="c", client_secret="s", client=me.id)]
    )
    r = api.post("/3/events", headers=h, content=fulfilled)
    assert r.status_code == 400 and "specVersion" in r.json()["message"]
    for body in (
        b"not json",
        b"[]",
        json.dumps({"specversion": "0.3", "id": "1", "source": "s", "type": "t"}).encode(),
    ):
        r = api.post("/3/events", headers=h, content=body)
        assert r.status_code == 400 and r.json()["code"] == "BadRequest"
    r = api.post("/3/events", headers=h, content=_event("org.example.Unknown", {}))
    assert r.status_code == 400 and r.json()["code"] == "NotImplemented"
    r = api.post("/3/events", headers=h, content=_event(
        V3 + "RequestCreatedEvent.3", {"productId": pid}, source="http://plain.example"))  # fmt: skip
    assert r.status_code == 400
    r = api.post("/3/events", headers={**CE, "Authorization": "Bearer nope"}, content=_event(
        V3 + "PublishedEvent.3", {"pfIds": [str(uuid.uuid4())]}))  # fmt: skip
    assert r.status_code == 400 and r.json()["code"] == "BadRequest"


def test_events_v2(fresh_host):
    h = {**fresh_host.auth(), **CE}
    api = fresh_host.api
    r = api.post("/2/events", headers=h, content=_event(
        V2 + ".Published.v1", {"pfIds": [str(uuid.uuid4())]}))  # fmt: skip
    assert r.status_code == 200
    r = api.post("/2/events", headers=h, content=_event(
        V2 + ".Published.v1", {"pfIds": ["urn:gtin:1"]}))  # fmt: skip
    assert r.status_code == 400 and r.json()["code"] == "BadRequest"
    pid = all_docs(fresh_host)[0]["productIds"]
    r = api.post("/2/events", headers=h, content=_event(
        V2 + "Request.Created.v1", {"pf": {"productIds": pid}, "comment": "c"}))  # fmt: skip
    assert r.status_code == 200
    (req,) = fresh_host.store.list(PactRequest)
    assert req.version == "2" and req.callback.endswith("/2/events")
