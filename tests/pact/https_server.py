"""A real uvicorn HTTPS server on 127.0.0.1 in a thread, with a self-signed certificate (openssl)."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import uvicorn


def self_signed(folder: Path) -> tuple[Path, Path]:
    """(cert, key) for 127.0.0.1 and localhost, valid one day; the cert is its own CA."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpsServer:
    """``with HttpsServer(app, cert, key) as url:`` serves ``app`` at ``https://127.0.0.1:<port>``."""

    def __init__(self, app, cert: Path, key: Path, port: int | None = None):
        self.port = port or free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, ssl_certfile=str(cert), ssl_keyfile=str(key), log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self.url

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
