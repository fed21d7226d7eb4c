"""``tanlian serve --workers N``: refused without a shared signing key; with one, N real uvicorn
worker processes answer with the same tokens and ``/metrics`` sums their figures."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from tanlian.cli import app

runner = CliRunner()


def test_workers_need_a_shared_jwt_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("TANLIAN_JWT_SECRET", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    r = runner.invoke(app, ["serve", "--workers", "2", "--store", f"sqlite:///{tmp_path / 'x.db'}"])
    assert r.exit_code != 0 and "TANLIAN_JWT_SECRET" in r.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], env: dict[str, str]) -> str:
    cmd = [sys.executable, "-c", _MAIN, *args]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


_MAIN = "import sys; from tanlian.cli import app; sys.argv[0] = 'tanlian'; app()"


@pytest.mark.slow
def test_two_workers_serve_cached_reads_and_sum_metrics(tmp_path):
    env = {**os.environ, "TANLIAN_JWT_SECRET": "shared-" + "k" * 32, "TANLIAN_STORE": f"sqlite:///{tmp_path / 'd.db'}"}
    park = json.loads(_run(["demo", "--json"], env))["parks"][0]["park"]
    creds = json.loads(_run(["clients", "add", "ops", "--role", "park_admin", "--park", park, "--json"], env))
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", _MAIN, "serve", "--workers", "2", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "workers did not start"
            time.sleep(0.5)
        auth = (creds["client_id"], creds["client_secret"])
        with httpx.Client(base_url=base, timeout=60) as http:
            token = http.post("/auth/token", data={"grant_type": "client_credentials"}, auth=auth).json()[
                "access_token"
            ]
            h = {"Authorization": f"Bearer {token}"}
            products = http.get("/v1/products?limit=3", headers=h).json()["items"]
            bodies = set()
            for _ in range(20):  # new connections: spread over both workers, each checks the same token
                with httpx.Client(base_url=base, timeout=60) as one:
                    r = one.get(f"/v1/products/{products[0]['id']}/footprint", headers=h)
                    assert r.status_code == 200
                    bodies.add((r.content, r.headers["etag"]))
            assert len(bodies) == 1  # same body and ETag from every worker
            metrics = http.get("/metrics", headers=h).text
        route = 'route="/v1/products/{product_id}/footprint",status="200"'
        line = next(ln for ln in metrics.splitlines() if ln.startswith("tanlian_http_requests_total") and route in ln)
        assert float(line.rsplit(" ", 1)[1]) == 20  # summed over the workers
    finally:
        proc.terminate()
        proc.wait(timeout=60)
