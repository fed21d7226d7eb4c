"""Item 8: response headers, offline /docs, formula-safe xlsx export, the archive limit message,
and bearer tokens in URLs (refused, never logged)."""

from __future__ import annotations

import io
import time
import zipfile

import httpx
import openpyxl

from tanlian.connectors.bundle import export_bundle, load_bundle

from .conftest import TWO_PARKS


def test_security_headers(parks):
    data = parks.api.get("/v1/products", headers=parks.h("p1_admin"))
    assert data.headers["x-content-type-options"] == "nosniff"
    assert data.headers["cache-control"] == "private, no-cache"
    assert "authorization" in data.headers["vary"].lower()
    assert parks.api.get("/healthz").headers["x-content-type-options"] == "nosniff"
    cid, secret = parks.creds["ent_B"]
    tok = parks.api.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret))
    assert tok.headers["cache-control"] == "no-store"
    assert parks.api.get("/v1/products").headers["x-content-type-options"] == "nosniff"  # 401s too


def test_docs_load_without_a_cdn(parks):
    page = parks.api.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page
    assert "/docs/assets/swagger-ui-bundle.js" in page and "/docs/assets/swagger-ui.css" in page
    js = parks.api.get("/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert parks.api.get("/docs/assets/swagger-ui.css").status_code == 200


def test_xlsx_export_writes_formula_like_text_as_text(tmp_path):
    graph = load_bundle(TWO_PARKS).graph
    names = {"A": '=HYPERLINK("http://evil.example","x")', "B": "+1+1", "Z1": "-2", "Z2": "@SUM(A1)"}
    for ent, name in names.items():
        graph.enterprises[ent] = graph.enterprises[ent].model_copy(update={"name": name})
    path = export_bundle(graph, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(path)["enterprises"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    for ent, name in names.items():
        assert cells[ent].value == name and cells[ent].data_type == "s" and cells[ent].quotePrefix
    again = load_bundle(path).graph
    assert {e: again.enterprises[e].name for e in names} == names


def test_archive_limit_message_states_the_limit(parks):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("enterprises.csv", "id,name\n" + "a" * (51 * 2**20))
    files = {"file": ("big.zip", buf.getvalue(), "application/zip")}
    r = parks.api.post("/v1/imports", files=files, headers=parks.h("p1_admin"))
    assert r.status_code == 413 and "50 MiB" in r.json()["detail"], r.text


def test_token_in_query_is_refused_and_not_logged(served):
    secret = served.tokens["p1_admin"]
    r = httpx.get(f"{served.url}/v1/products", params={"access_token": secret})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    ok = httpx.get(f"{served.url}/v1/products", params={"limit": 7}, headers=served.h("p1_admin"))
    assert ok.status_code == 200
    deadline = time.monotonic() + 10  # the access line is written after the response is sent
    while "limit=7" not in (log := served.log()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "limit=7" in log  # the access log is on
    assert secret not in log and secret[-20:] not in log
