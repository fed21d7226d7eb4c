"""Sign-in, the session cookie and CSRF, checked over HTTP (no browser needed)."""

from __future__ import annotations

import io
import re
import shutil
import time
import zipfile

import jwt
import pytest
from fastapi.testclient import TestClient

from tanlian import fmt
from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.api.dashboard.enterprise_pages import MC_SAMPLES, MC_SEED
from tanlian.api.dashboard.session import SESSION_COOKIE, issue_session
from tanlian.connectors.bundle import import_bundle
from tanlian.connectors.pact.publish import publish
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import Client
from tanlian.lca.core.cache import results
from tanlian.seed_data.library import demo_park_path

from .conftest import JWT_SECRET, app_settings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def http(site):
    with TestClient(create_app(app_settings(site.store), site.store)) as c:
        yield c


def login(http: TestClient, site, who: str, follow: bool = False):
    form = http.get("/dashboard/login")
    token = CSRF.search(form.text).group(1)
    cid, secret = site.creds[who]
    return http.post(
        "/dashboard/login",
        data={"client_id": cid, "client_secret": secret, "csrf_token": token},
        follow_redirects=follow,
    )


def test_session_cookie_attributes(http, site):
    r = login(http, site, "admin")
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/parks/P1"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "="))
    attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "path", "samesite", "max-age"} <= attrs and "secure" not in attrs
    assert "samesite=lax" in cookie.lower() and "path=/dashboard" in cookie.lower()


def test_cookie_is_secure_over_tls(site):
    app = create_app(app_settings(site.store), site.store)
    with TestClient(app, base_url="https://testserver") as https:
        r = login(https, site, "admin")
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "="))
    assert "secure" in cookie.lower()


def test_wrong_secret_and_partner_are_refused(http, site):
    form = http.get("/dashboard/login")
    token = CSRF.search(form.text).group(1)
    cid, _ = site.creds["admin"]
    r = http.post("/dashboard/login", data={"client_id": cid, "client_secret": "wrong", "csrf_token": token})
    assert r.status_code == 401 and SESSION_COOKIE not in r.cookies
    r = login(http, site, "partner")
    assert r.status_code == 403 and SESSION_COOKIE not in r.cookies


def test_login_needs_its_csrf_cookie(http, site):
    http.get("/dashboard/login")
    cid, secret = site.creds["admin"]
    r = http.post("/dashboard/login", data={"client_id": cid, "client_secret": secret, "csrf_token": "forged"})
    assert r.status_code == 403 and SESSION_COOKIE not in r.cookies


def test_forms_need_the_session_csrf_token(http, site):
    login(http, site, "admin")
    page = http.get("/dashboard/parks/P1/whatif")
    good = CSRF.search(page.text).group(1)
    data = {"op": "add_green_power", "enterprise": "E02", "green_mwh": "1000"}
    assert http.post("/dashboard/parks/P1/whatif", data={**data, "csrf_token": "nope"}).status_code == 403
    assert http.post("/dashboard/parks/P1/whatif", data={**data, "csrf_token": good}).status_code == 200
    files = {"file": ("b.zip", b"PK", "application/zip")}
    assert http.post("/dashboard/import", data={"csrf_token": "nope"}, files=files).status_code == 403
    assert http.post("/dashboard/logout", data={"csrf_token": "nope"}).status_code == 403


def test_session_and_api_tokens_do_not_mix(http, site):
    r = login(http, site, "admin")
    session = r.cookies[SESSION_COOKIE]
    # the session is not a bearer token for /v1 …
    assert http.get("/v1/parks/P1/inventory", headers={"Authorization": f"Bearer {session}"}).status_code == 401
    # … and an API token is not a session
    cid, secret = site.creds["admin"]
    api = http.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret)).json()
    http.cookies.clear()
    http.cookies.set(SESSION_COOKIE, api["access_token"], path="/dashboard")
    r = http.get("/dashboard/parks/P1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login")


def test_expired_or_forged_session_redirects_to_sign_in(http, site):
    cid = site.creds["admin"][0]
    client = Client(id=cid, name="admin", role="park_admin", park="P1", secret_hash="-")
    expired = issue_session(client, JWT_SECRET, ttl_s=10, now=time.time() - 60)
    forged = issue_session(client, "another-key-of-at-least-32-bytes-long!!")
    for token in (expired, forged):
        http.cookies.clear()
        http.cookies.set(SESSION_COOKIE, token, path="/dashboard")
        r = http.get("/dashboard/parks/P1?lang=en", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/dashboard/login?next=/dashboard/parks/P1%3Flang%3Den"
    claims = jwt.decode(
        expired, JWT_SECRET, algorithms=["HS256"], audience="tanlian-dashboard", options={"verify_exp": False}
    )
    assert claims["sub"] == cid and claims["exp"] - claims["iat"] == 10


def test_next_never_leaves_the_dashboard(http, site):
    form = http.get("/dashboard/login?next=//evil.example/x")
    token = CSRF.search(form.text).group(1)
    cid, secret = site.creds["admin"]
    r = http.post(
        "/dashboard/login",
        data={"client_id": cid, "client_secret": secret, "csrf_token": token, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/dashboard/parks/P1"


def test_unknown_park_is_404_and_html(http, site):
    login(http, site, "admin")
    r = http.get("/dashboard/parks/NOPE")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert http.get("/dashboard/products/NOPE").status_code == 404


def test_plotly_is_served_locally(http):
    r = http.get("/dashboard/static/plotly.min.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert b"plotly" in r.content[:2000].lower() and len(r.content) > 1_000_000


def test_label_panel_appears_once_the_product_is_published(site):
    """The label routes exist (PACT helper): an unpublished product has no label panel and no
    label; once published, the page links each format and the dashboard fetches it for the session."""
    app = create_app(app_settings(site.store), site.store)
    with TestClient(app) as http:
        login(http, site, "admin")
        assert 'id="label-panel"' not in http.get("/dashboard/products/E03_CEMENT").text
        assert http.get("/dashboard/products/E03_CEMENT/label.svg").status_code == 404
        publish(site.store, results.get(site.store), ["E03_CEMENT"], "https://dashboard.example")
        page = http.get("/dashboard/products/E03_CEMENT").text
        assert 'id="label-panel"' in page and "/v1/products/E03_CEMENT/label.svg" in page
        assert "label.pdf" in page and "label.json" in page
        svg = http.get("/dashboard/products/E03_CEMENT/label.svg")
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert "P.O 42.5" in svg.text and svg.text.startswith("<svg")
        http.cookies.clear()
        assert http.get("/dashboard/products/E03_CEMENT/label.svg", follow_redirects=False).status_code == 303


def test_supplier_that_does_not_share_shows_the_class_average(http, site):
    """E07 buys HDPE from X06, which does not share footprints (DECISIONS 21). Its class has fewer
    than three products of other makers in the demo park, so no average may stand in (it would be
    a peer's exact footprint, issue 13): the page refuses with "not shared" and shows no value."""
    login(http, site, "e07")
    r = http.get("/dashboard/products/X06_HDPE?lang=en")
    assert r.status_code == 403
    assert "not shared" in r.text and "Direct" not in r.text and "kgCO2e" not in r.text
    assert http.get("/dashboard/products/E02_REBAR").status_code == 404  # not a supplier of E07: as missing


def test_error_page_keeps_the_navigation(http, site):
    login(http, site, "e05")
    r = http.get("/dashboard/enterprises/E02?lang=en")
    assert r.status_code == 403 and "My enterprise" in r.text and "Sign out" in r.text


def test_valid_upload_reports_what_it_wrote(http, site):
    """Re-uploading the demo park (what the store holds) changes nothing and says so."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in sorted(demo_park_path().glob("*.csv")):
            zf.write(f, f"demo/{f.name}")
    login(http, site, "admin")
    token = CSRF.search(http.get("/dashboard/import").text).group(1)
    revision = site.store.revision()
    r = http.post(
        "/dashboard/import?lang=en",
        data={"csrf_token": token},
        files={"file": ("demo.zip", buf.getvalue(), "application/zip")},
    )
    assert r.status_code == 200, r.text[-2000:]
    assert re.search(r"Imported: 0 added, 0 changed, \d+ unchanged, 0 removed", r.text)
    assert site.store.revision() == revision


def test_uncertainty_band_is_the_apis(http, site):
    """The product page's P5–P95 are those of /v1/products/{id}/footprint with the same samples and seed."""
    cid, secret = site.creds["admin"]
    token = http.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret)).json()
    api = http.get(
        f"/v1/products/E02_REBAR/footprint?mc={MC_SAMPLES}&seed={MC_SEED}",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    ).json()
    login(http, site, "admin")
    page = http.get("/dashboard/products/E02_REBAR").text
    assert f"{fmt.number(api['p5'])} – {fmt.number(api['p95'])}" in page


def test_a_revoked_clients_session_is_refused(http, site):
    """A session outlives nothing its client lost: after revocation the next page is the sign-in form."""
    from tanlian.api.auth import new_client, revoke_client

    client, secret = new_client(site.store, "revoked-later", "park_admin", park="P1")
    form = http.get("/dashboard/login")
    r = http.post(
        "/dashboard/login",
        data={"client_id": client.id, "client_secret": secret, "csrf_token": CSRF.search(form.text).group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert http.get("/dashboard/parks/P1", follow_redirects=False).status_code == 200
    revoke_client(site.store, client.id)
    after = http.get("/dashboard/parks/P1", follow_redirects=False)
    assert after.status_code in (302, 303, 307) and "/dashboard/login" in after.headers["location"]


def test_a_session_without_key_version_is_refused(http, site):
    """Sessions signed before key versions existed (no ``kv`` claim) do not sign anyone in."""
    cid = site.creds["admin"][0]
    now = int(time.time())
    claims = {
        "sub": cid,
        "role": "park_admin",
        "park": "P1",
        "enterprise": None,
        "aud": "tanlian-dashboard",
        "csrf": "x",
        "iat": now,
        "exp": now + 600,
    }
    http.cookies.set(SESSION_COOKIE, jwt.encode(claims, JWT_SECRET, algorithm="HS256"), path="/dashboard")
    r = http.get("/dashboard/parks/P1", follow_redirects=False)
    assert r.status_code in (302, 303, 307) and "/dashboard/login" in r.headers["location"]


def test_sign_in_shares_the_token_rate_limit(site):
    """The sign-in form spends the same budget as /auth/token: no way around the limit."""
    settings = app_settings(site.store, token_rate_per_address=3)
    with TestClient(create_app(settings, site.store), client=("192.0.2.7", 50000)) as c:  # its own address budget
        codes = []
        for _ in range(5):
            form = c.get("/dashboard/login")
            token = CSRF.search(form.text).group(1)
            data = {"client_id": "nobody-rl", "client_secret": "wrong", "csrf_token": token}
            codes.append(c.post("/dashboard/login", data=data).status_code)
        assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]
        r = c.post("/auth/token", data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_platform_admin_lands_on_the_list_of_parks(http, site):
    """A platform admin belongs to no park: it lands on /dashboard/parks (before: /parks/None, a 404)
    and sees every park; a park admin's list holds only its own park."""
    client, secret = new_client(site.store, "root", "platform_admin")
    site.creds["root"] = (client.id, secret)
    assert login(http, site, "root").headers["location"] == "/dashboard/parks"
    listing = http.get("/dashboard/parks?lang=en")
    assert listing.status_code == 200 and 'href="/dashboard/parks/P1"' in listing.text
    assert "Member enterprises" in listing.text
    assert http.get("/dashboard/parks/P1").status_code == 200  # a park's overview, as its admin sees it
    with TestClient(create_app(app_settings(site.store), site.store)) as other:
        assert login(other, site, "admin").headers["location"] == "/dashboard/parks/P1"
        assert other.get("/dashboard/parks").text.count('<td><a href="/dashboard/parks/P1">') == 1
    with TestClient(create_app(app_settings(site.store), site.store)) as anonymous:
        assert anonymous.get("/dashboard/parks", follow_redirects=False).status_code == 303


def test_year_switch_is_remembered_and_reset(tmp_path):
    """Two accounting years: the latest by default, ?year=Y shows Y and is remembered for the next
    pages (cookie), ?year= goes back to the latest; a remembered year the store lost is dropped."""
    older = tmp_path / "older"
    shutil.copytree(demo_park_path(), older)
    parks = older / "parks.csv"
    parks.write_text(parks.read_text().replace("2022", "2021"))
    store = EmbeddedStore(tmp_path / "years.sqlite")
    import_bundle(store, demo_park_path())
    import_bundle(store, older)
    assert store.years() == [2021, 2022]
    admin, secret = new_client(store, "y-admin", "park_admin", park="P1")
    with TestClient(create_app(app_settings(store), store)) as http:
        form = http.get("/dashboard/login")
        token = CSRF.search(form.text).group(1)
        http.post("/dashboard/login", data={"client_id": admin.id, "client_secret": secret, "csrf_token": token})
        shown = re.compile(r'<option value="(\d+)" selected>')
        first = http.get("/dashboard/parks/P1?lang=en")
        assert shown.search(first.text).group(1) == "2022" and "Accounting year 2022" in first.text
        picked = http.get("/dashboard/parks/P1?year=2021")
        assert "2021" in picked.text and shown.search(picked.text).group(1) == "2021"
        assert http.cookies.get("tanlian_year") == "2021"
        later = http.get("/dashboard/parks/P1/flows")  # no parameter: the remembered year
        assert shown.search(later.text).group(1) == "2021"
        back = http.get("/dashboard/parks/P1?year=")
        assert shown.search(back.text).group(1) == "2022" and "tanlian_year" not in http.cookies
        http.cookies.set("tanlian_year", "1999", domain="testserver.local", path="/dashboard")
        gone = http.get("/dashboard/parks/P1")
        assert shown.search(gone.text).group(1) == "2022" and "tanlian_year" not in http.cookies
