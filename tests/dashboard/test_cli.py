"""``tanlian report`` writes the charts as PNG and SVG (Chinese text in them) and report.html;
``tanlian demo --serve`` loads the demo, prints working credentials and serves the dashboard."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
from typer.testing import CliRunner

from tanlian.cli import app

from .conftest import free_port

runner = CliRunner()


def test_report_writes_charts_and_html(tmp_path, browser):  # browser: Chromium must be there (CI)
    store = f"sqlite:///{tmp_path / 'r.db'}"
    assert runner.invoke(app, ["demo", "--store", store, "--json"]).exit_code == 0
    out = tmp_path / "report"
    r = runner.invoke(app, ["report", "P1", "--out", str(out), "--store", store])
    assert r.exit_code == 0, r.output
    for name in ("park_inventory", "members_by_scope", "members_share", "carbon_flow", "symbiosis_map"):
        png = (out / "charts" / f"{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
        svg = (out / "charts" / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<svg") and "<path" in svg
    assert "净排放" in (out / "charts" / "park_inventory.svg").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'src="charts/carbon_flow.svg"' in html and "苏南绿色制造产业园" in html
    assert (out / "report.md").is_file()  # the Markdown report is still there


def test_demo_serve_prints_credentials_that_sign_in(tmp_path):
    port = free_port()
    env = {**os.environ, "TANLIAN_STORE": f"sqlite:///{tmp_path / 'd.db'}", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tanlian.cli import app; app()", "demo", "--serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 120
        while not any("enterprise" in ln and "client_secret" in ln for ln in lines):
            assert time.monotonic() < deadline and proc.poll() is None, "".join(lines)
            lines.append(proc.stdout.readline())
        text = "".join(lines)
        assert f"http://127.0.0.1:{port}/dashboard" in text
        found = dict(re.findall(r"^\s*(park_admin client_\w+|enterprise \w+ client_\w+): (\S+)", text, re.M))
        cid = found["park_admin client_id"]
        secret = found["park_admin client_secret"]
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as http:
            for _ in range(200):
                try:
                    form = http.get("/dashboard/login")
                    break
                except httpx.ConnectError:
                    time.sleep(0.05)
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
            r = http.post("/dashboard/login", data={"client_id": cid, "client_secret": secret, "csrf_token": token})
            assert r.status_code == 200 and "苏南绿色制造产业园" in r.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_report_without_chromium_still_writes_the_rest(tmp_path, monkeypatch):
    store = f"sqlite:///{tmp_path / 'r.db'}"
    assert runner.invoke(app, ["demo", "--store", store, "--json"]).exit_code == 0
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    out = tmp_path / "report"
    r = runner.invoke(app, ["report", "P1", "--out", str(out), "--store", store, "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "without charts" in r.output and "BROWSER_PATH" in r.output
    assert (out / "report.md").is_file() and not (out / "charts").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<img" not in html and "Zero-carbon park" in html
