"""One real round trip through uvicorn on a local socket: token, then an authorised request."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import uvicorn

from tanlian.api.app import create_app
from tanlian.settings import Settings

from .helpers import JWT_SECRET


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_socket(world):
    app = create_app(Settings(store=world.store.url, jwt_secret=JWT_SECRET), world.store)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        cid, secret = world.credentials["ent_B"]
        with httpx.Client(base_url=base, timeout=10) as http:
            r = http.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret))
            assert r.status_code == 200
            token = r.json()["access_token"]
            r = http.get("/v1/products/A1/footprint", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200 and r.json()["product"] == "A1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert not thread.is_alive()
