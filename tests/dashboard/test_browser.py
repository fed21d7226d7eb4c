"""The dashboard in real Chromium against a real uvicorn: pages load with no console error and no
request leaving 127.0.0.1, every chart draws marks, the language switch sticks, an enterprise
user is refused another enterprise's page, and a broken bundle upload lists its errors."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tanlian.lca.accounting.indicators import park_indicators
from tanlian.lca.accounting.park import park_inventory
from tanlian.lca.core.cache import results
from tanlian.seed_data.library import demo_park_path

from .conftest import sign_in

#: JavaScript: per chart, the SVG roots plotly drew and the data marks inside them.
CHART_MARKS = """() => Array.from(document.querySelectorAll('.chart')).map(el => ({
  id: el.id,
  rendered: el.getAttribute('data-rendered') === 'true',
  traces: (el._fullData || []).length,
  svg: el.querySelectorAll('svg.main-svg').length,
  marks: el.querySelectorAll('.cartesianlayer .point, .scatterlayer .js-line, .scatterlayer .point, '
    + '.sankey-link, .pielayer .slice, .waterfalllayer .point').length,
}))"""
ALL_DRAWN = (
    "() => Array.from(document.querySelectorAll('.chart')).every(el => el.getAttribute('data-rendered') === 'true')"
)

PAGES = {
    # path → chart ids the page must draw
    "/dashboard/parks/P1": {"chart-waterfall", "chart-members"},
    "/dashboard/parks/P1/flows": {"chart-sankey"},
    "/dashboard/parks/P1/symbiosis": {"chart-map"},
    "/dashboard/parks/P1/whatif": set(),
    "/dashboard/enterprises/E02": {"chart-scopes", "chart-primary", "chart-suppliers"},
    "/dashboard/products/E02_REBAR": {"chart-footprint", "chart-contributors"},
    "/dashboard/import": set(),
}


def _shot(page, site, name: str) -> None:
    page.screenshot(path=str(site.shots / f"{name}.png"), full_page=True)


def _charts_drawn(page) -> list[dict]:
    page.wait_for_function(ALL_DRAWN, timeout=20000)
    return page.evaluate(CHART_MARKS)


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_and_draws(tab, site, path):
    page, watch = tab
    sign_in(page, site, "admin")
    response = page.goto(site.base + path)
    assert response is not None and response.status == 200
    charts = _charts_drawn(page)
    assert {c["id"] for c in charts} == PAGES[path]
    for c in charts:
        assert c["rendered"] and c["traces"] > 0 and c["svg"] > 0, c
        assert c["marks"] > 0, f"{c['id']} drew no data marks: {c}"
    _shot(page, site, path.strip("/").replace("/", "_"))
    assert watch.errors == []
    assert watch.external == []


def test_overview_numbers_match_the_inventory(tab, site):
    """The net KPI and every member row show the inventory the API computes (tCO2e, rounded)."""
    page, watch = tab
    sign_in(page, site, "admin")
    page.goto(site.base + "/dashboard/parks/P1?lang=en")
    inv = park_inventory(results.get(site.store, "AR6", "market"), "P1")
    net = page.locator(".kpi.net .kpi-value").inner_text()
    assert net.startswith(f"{inv['net_kgco2e'] / 1000:,.0f}")
    rows = page.locator("table.ranked tbody tr")
    assert rows.count() == len(inv["by_enterprise"])
    first = max(inv["by_enterprise"], key=lambda r: r["share"])
    assert first["enterprise"] in rows.nth(0).inner_text()
    assert f"{first['net_kgco2e'] / 1000:,.0f}" in rows.nth(0).inner_text()
    badges = page.locator("table.indicators .badge")
    assert badges.count() == 6
    indicators = park_indicators(results.get(site.store, "AR6", "market"), "P1")
    for ind in indicators:
        row = page.locator(f"tr[data-indicator={ind['id']}]")
        state = "no_data" if ind["passed"] is None else ("pass" if ind["passed"] else "fail")
        assert row.locator(f".badge.{state}").count() == 1, ind["id"]
    assert "≤ 0.2" in page.locator("tr[data-indicator=carbon_per_energy]").inner_text()
    assert "≥ 90" in page.locator("tr[data-indicator=clean_energy_share]").inner_text()
    assert watch.errors == [] and watch.external == []


def test_login_page_and_enterprise_pages(tab, site):
    """The sign-in page, and the enterprise user's own page and product, load clean."""
    page, watch = tab
    page.goto(site.base + "/dashboard/login")
    _shot(page, site, "login")
    sign_in(page, site, "e05")
    assert page.url.endswith("/dashboard/enterprises/E05")
    _charts_drawn(page)
    _shot(page, site, "enterprise_E05_own_view")
    assert "E05" in page.locator(".who").inner_text()
    assert watch.errors == [] and watch.external == []


def test_language_switch(tab, site):
    page, watch = tab
    page.goto(site.base + "/dashboard/login")  # default: Chinese
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "登录" in page.locator("h1").inner_text()
    page.goto(site.base + "/dashboard/login?lang=en")
    assert "Sign in" in page.locator("h1").inner_text()
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["tanlian_lang"] == "en"
    sign_in(page, site, "admin")  # no ?lang: the cookie keeps English
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Park overview" in page.locator("nav").inner_text()
    page.click("a.lang")  # the switch link: back to Chinese, remembered
    assert "园区总览" in page.locator("nav").inner_text()
    page.goto(site.base + "/dashboard/parks/P1/flows")
    assert "碳流桑基图" in page.locator("nav").inner_text()
    assert {c["name"]: c["value"] for c in page.context.cookies()}["tanlian_lang"] == "zh"
    assert watch.errors == [] and watch.external == []


def test_enterprise_user_is_refused_other_pages(tab, site):
    page, _ = tab
    sign_in(page, site, "e05")
    for path, status in (
        ("/dashboard/enterprises/E02", 403),  # another enterprise of the same park
        ("/dashboard/enterprises/NOPE", 403),  # unknown: same answer, existence stays private
        ("/dashboard/parks/P1", 404),  # park pages are for park roles: another's park looks missing
        ("/dashboard/parks/P1/whatif", 404),
        ("/dashboard/import", 403),
    ):
        response = page.goto(site.base + path)
        assert response is not None and response.status == status, path
        assert str(status) in page.locator("h1").inner_text()
    _shot(page, site, "enterprise_403")
    assert page.goto(site.base + "/dashboard/enterprises/E05").status == 200


def test_auditor_reads_but_cannot_import(tab, site):
    page, _ = tab
    sign_in(page, site, "auditor")
    assert page.goto(site.base + "/dashboard/parks/P1").status == 200
    assert page.goto(site.base + "/dashboard/import").status == 403


def _broken_bundle() -> bytes:
    """The demo bundle with two bad flow rows (a negative quantity, an unknown product)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in sorted(demo_park_path().glob("*.csv")):
            body = f.read_text(encoding="utf-8")
            if f.name == "flows.csv":
                body = body.replace("F010,X03_SCRAP,E02,450000,", "F010,X03_SCRAP,E02,-5,")
                body = body.replace("F012,E05_SCRAP,E02,", "F012,NO_SUCH_PRODUCT,E02,")
            zf.writestr(f"demo/{f.name}", body)
    return buf.getvalue()


def test_broken_bundle_upload_shows_its_errors(tab, site, tmp_path):
    page, watch = tab
    revision = site.store.revision()
    bundle = tmp_path / "broken.zip"
    bundle.write_bytes(_broken_bundle())
    sign_in(page, site, "admin")
    page.goto(site.base + "/dashboard/import")
    page.set_input_files("input[name=file]", str(bundle))
    with page.expect_navigation() as nav:
        page.click("#form-import button[type=submit]")
    assert nav.value.status == 422
    rows = page.locator("#import-errors table.errors tbody tr")
    assert rows.count() >= 2
    text = page.locator("#import-errors").inner_text()
    assert "flows.csv" in text and "NO_SUCH_PRODUCT" in text and "-5" in text
    cells = rows.nth(0).locator("td")
    assert cells.count() == 5  # file, row, column, value, reason
    _shot(page, site, "import_errors")
    assert site.store.revision() == revision  # nothing written
    # Chromium logs the page's own 422 as a failed resource; nothing else may fail
    assert [e for e in watch.errors if "status of 422" not in e] == []
    assert watch.external == []


def test_whatif_green_power_shows_before_and_after(tab, site):
    page, watch = tab
    sign_in(page, site, "admin")
    page.goto(site.base + "/dashboard/parks/P1/whatif?lang=en")
    page.select_option("#form-green select[name=enterprise]", "E02")
    page.fill("#form-green input[name=green_mwh]", "20000")
    with page.expect_navigation():
        page.click("#form-green button[type=submit]")
    charts = _charts_drawn(page)
    assert [c["id"] for c in charts] == ["chart-whatif"] and charts[0]["marks"] > 0
    result = page.locator("#whatif-result").inner_text()
    assert "Park total" in page.locator("#chart-whatif").inner_text() or "P1" in result
    deltas = page.locator("#whatif-result td.num.good")
    assert deltas.count() >= 1  # something went down: green power lowers Scope 2 (market)
    _shot(page, site, "whatif_result")
    page.select_option("#form-switch select[name=switch]", index=0)
    with page.expect_navigation():
        page.click("#form-switch button[type=submit]")
    assert page.locator("#whatif-result").count() == 1 and page.locator(".alert").count() == 0
    assert watch.errors == [] and watch.external == []


def test_sign_out(tab, site):
    page, _ = tab
    sign_in(page, site, "admin")
    with page.expect_navigation():
        page.click("form[action='/dashboard/logout'] button")
    assert re.search(r"/dashboard/login$", page.url)
    response = page.goto(site.base + "/dashboard/parks/P1")
    assert "/dashboard/login" in page.url and response.status == 200
