"""Security fixtures: the two-park store (P1, P2, outside suppliers, one client per role), served
in-process (TestClient) or by a real ``tanlian serve`` on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tanlian.api.app import create_app
from tanlian.api.auth import new_client
from tanlian.connectors.bundle import import_bundle
from tanlian.graph.embedded import EmbeddedStore
from tanlian.settings import Settings

TWO_PARKS = Path(__file__).parent / "data" / "two_parks"
SECRET = "security-tests-hmac-key-of-32-bytes-or-more"
#: client name → (role, park, enterprise)
CLIENTS: dict[str, tuple[str, str | None, str | None]] = {
    "p1_admin": ("park_admin", "P1", None),
    "p1_auditor": ("auditor", "P1", None),
    "p2_admin": ("park_admin", "P2", None),
    "ent_B": ("enterprise", None, "B"),
    "platform": ("platform_admin", None, None),
    "partner": ("partner", None, None),
}


def two_park_store(path: Path) -> tuple[EmbeddedStore, dict[str, tuple[str, str]]]:
    """A store holding the two-park bundle and one client per role; returns it and the credentials."""
    store = EmbeddedStore(path)
    import_bundle(store, TWO_PARKS)
    creds = {}
    for name, (role, park, ent) in CLIENTS.items():
        client, secret = new_client(store, name, role, park=park, enterprise=ent)  # type: ignore[arg-type]
        creds[name] = (client.id, secret)
    return store, creds


@dataclass
class Parks:
    """The two-park store behind an in-process TestClient, with a token per client."""

    store: EmbeddedStore
    api: TestClient
    creds: dict[str, tuple[str, str]]
    tokens: dict[str, str]

    def h(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


@pytest.fixture
def parks(tmp_path) -> Iterator[Parks]:
    store, creds = two_park_store(tmp_path / "parks.db")
    settings = Settings(store=store.url, jwt_secret=SECRET, token_ttl_s=600)
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as api:
        tokens = {n: token(api, *c) for n, c in creds.items()}
        yield Parks(store, api, creds, tokens)
    store.close()


def token(api, client_id: str, secret: str) -> str:
    r = api.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@dataclass
class Served:
    """A real ``tanlian serve`` process over a two-park store file."""

    url: str
    port: int
    store_path: Path
    log_path: Path
    creds: dict[str, tuple[str, str]]
    tokens: dict[str, str]

    def h(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(store_path: Path, log_path: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, int]:
    """Start ``tanlian serve`` on a free port of 127.0.0.1 (stdout and stderr to ``log_path``)."""
    port = free_port()
    cmd = [sys.executable, "-c", "from tanlian.cli import app; app()", "serve"]
    cmd += ["--store", f"sqlite:///{store_path}", "--port", str(port)]
    full_env = {**os.environ, "TANLIAN_JWT_SECRET": SECRET, **(env or {})}
    with log_path.open("ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=full_env, cwd=store_path.parent)
    return proc, port


def wait_ready(proc: subprocess.Popen, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tanlian serve exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("tanlian serve did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served")
    store, creds = two_park_store(folder / "served.db")
    store.close()
    proc, port = serve(folder / "served.db", folder / "server.log")
    try:
        wait_ready(proc, port)
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url) as c:
            tokens = {n: token(c, *cr) for n, cr in creds.items()}
        yield Served(url, port, folder / "served.db", folder / "server.log", creds, tokens)
    finally:
        stop(proc)
