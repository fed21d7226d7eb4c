"""Dashboard fixtures: the demo park behind a real uvicorn on 127.0.0.1, one client per role, and
Debian's Chromium driven by playwright with every request to another host recorded and aborted.

Chromium: ``TANLIAN_CHROMIUM`` or ``chromium`` on PATH (``apt-get install chromium
fonts-noto-cjk``; ``.ci/run`` installs both). Missing Chromium fails the tests in CI and skips
them elsewhere. Screenshots of every page go to a session temp folder (printed at the end).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.connectors.bundle import import_bundle
from tanlian.graph.embedded import EmbeddedStore
from tanlian.seed_data.library import demo_park_path
from tanlian.settings import Settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
JWT_SECRET = "dashboard-test-secret-of-at-least-32-bytes"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: test name → (role, park, enterprise)
ROLES = {
    "admin": ("park_admin", "P1", None),
    "auditor": ("auditor", "P1", None),
    "e05": ("enterprise", None, "E05"),
    "e02": ("enterprise", None, "E02"),
    "e07": ("enterprise", None, "E07"),
    "partner": ("partner", None, None),
}


def chromium_path() -> str | None:
    return os.environ.get("TANLIAN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Site:
    base: str
    store: EmbeddedStore
    creds: dict[str, tuple[str, str]]
    shots: Path


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a thread."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def app_settings(store, **overrides) -> Settings:
    """Settings of the test apps: the suite signs in far more often than the per-minute sign-in
    budget allows one address (the limit itself is tested with its own address and budget)."""
    budget = {"token_rate_per_address": 100_000, "token_rate_per_client": 100_000}
    return Settings(store=store.url, jwt_secret=JWT_SECRET, **{**budget, **overrides})


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("dashboard")
    store = EmbeddedStore(folder / "dashboard.db")
    import_bundle(store, demo_park_path())
    creds = {}
    for name, (role, park, ent) in ROLES.items():
        client, secret = new_client(store, name, role, park=park, enterprise=ent)  # type: ignore[arg-type]
        creds[name] = (client.id, secret)
    app = create_app(app_settings(store), store)
    shots = tmp_path_factory.mktemp("screenshots")
    with LiveServer(app) as base:
        yield Site(base, store, creds, shots)
    print(f"\ndashboard screenshots: {shots}")
    store.close()


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path or not Path(path).exists():
        msg = "Chromium not found (apt-get install chromium fonts-noto-cjk, or set TANLIAN_CHROMIUM)"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@dataclass
class Watch:
    """What a page did wrong: console errors and uncaught exceptions, requests to other hosts."""

    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)


@pytest.fixture
def tab(browser):
    """A fresh browser context (no cookies) and page, with its :class:`Watch`."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    watch = Watch()

    def only_local(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            watch.external.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    yield page, watch
    context.close()


def sign_in(page, site: Site, who: str) -> None:
    """Sign in through the form as the test client ``who``."""
    cid, secret = site.creds[who]
    page.goto(site.base + "/dashboard/login")
    page.fill("input[name=client_id]", cid)
    page.fill("input[name=client_secret]", secret)
    with page.expect_navigation():
        page.click("button[type=submit]")
