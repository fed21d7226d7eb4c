"""Regenerate the README's dashboard screenshot: ``python docs/screenshots.py`` (writes docs/img/).

Loads the demo park into a throw-away store, serves the app with uvicorn on 127.0.0.1, signs in
as a park admin in Debian's Chromium (playwright) and saves the park overview. Needs
``apt-get install chromium fonts-noto-cjk``; nothing is fetched from the network.
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.connectors.bundle import import_bundle
from tanlian.graph.factory import open_store
from tanlian.seed_data.library import demo_park_path
from tanlian.settings import Settings

OUT = Path(__file__).parent / "img"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SHOTS = {"park-overview.png": "/dashboard/parks/P1", "park-overview-en.png": "/dashboard/parks/P1?lang=en"}


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("needs Chromium: apt-get install chromium fonts-noto-cjk", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/demo.db")
        import_bundle(store, demo_park_path())
        admin, secret = new_client(store, "screenshots", "park_admin", park="P1")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        app = create_app(Settings(store=store.url), store)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
                page.goto(base + "/dashboard/login")
                page.fill("input[name=client_id]", admin.id)
                page.fill("input[name=client_secret]", secret)
                with page.expect_navigation():
                    page.click("button[type=submit]")
                OUT.mkdir(parents=True, exist_ok=True)
                for name, path in SHOTS.items():
                    page.goto(base + path)
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('.chart')].every(e => e.dataset.rendered === 'true')"
                    )
                    page.screenshot(path=str(OUT / name), full_page=True)
                    print(OUT / name)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
