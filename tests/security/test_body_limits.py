"""Item 5: body limits hold while the body streams, before authentication, against a real server."""

from __future__ import annotations

import socket
import time

from tanlian.api.middleware import DEFAULT_LIMIT, UPLOAD_LIMIT

CHUNK = 2**20


def _connect(served) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", served.port), timeout=30)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 2**16)
    return s


def _status(s: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head:
        part = s.recv(4096)
        if not part:
            break
        head += part
    return int(head.split(b" ", 2)[1])


def _headers(path: str, extra: str = "", length: int | None = None) -> bytes:
    body = f"Content-Length: {length}\r\n" if length is not None else "Transfer-Encoding: chunked\r\n"
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary=xyz\r\n{body}{extra}\r\n"
    ).encode()


def test_declared_gibibyte_without_token_is_refused_before_any_byte(served):
    with _connect(served) as s:
        s.sendall(_headers("/v1/imports", length=2**30))
        assert _status(s) == 413


def test_streamed_upload_without_token_is_refused_before_its_body(served):
    """Chunked (no length): the missing token is answered at once, before a body byte is read,
    and the connection is closed (the server does not even read the rest to discard it)."""
    with _connect(served) as s:
        s.sendall(_headers("/v1/imports"))
        assert _status(s) == 401
    sent, status = _stream_until_refused(served, "/v1/imports", "", 2**30)
    assert status == 401 and sent < 32 * CHUNK, sent


def _stream_until_refused(served, path: str, auth: str, budget: int) -> tuple[int, int]:
    """Stream a chunked body of up to ``budget`` bytes; return (bytes sent, status answered)."""
    sent = 0
    with _connect(served) as s:
        s.sendall(_headers(path, extra=auth))
        part = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.zip"\r\n\r\n'
        s.sendall(b"%x\r\n" % len(part) + part + b"\r\n")  # a well-formed start: the parser reads on
        chunk = b"%x\r\n" % CHUNK + b"a" * CHUNK + b"\r\n"
        s.settimeout(5)
        try:
            while sent < budget:
                s.sendall(chunk)
                sent += CHUNK
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the server stopped reading: the send buffer filled, or it closed the connection
        s.settimeout(30)
        return sent, _status(s)


def test_streamed_upload_with_token_stops_being_read_at_the_limit(served):
    """A writer streams up to 1 GiB: the server answers 413 and closes after about the 51 MiB
    limit; the client could push at most the limit plus the socket buffers."""
    t0 = time.monotonic()
    sent, status = _stream_until_refused(
        served, "/v1/imports", f"Authorization: Bearer {served.tokens['p1_admin']}\r\n", 2**30
    )
    assert status == 413
    assert sent < UPLOAD_LIMIT + 32 * CHUNK, sent
    assert time.monotonic() - t0 < 60


def test_large_json_without_token_is_refused_at_one_mebibyte(served):
    """The 100 MB JSON probe: refused after about 1 MiB, never parsed (no token needed to see it)."""
    sent, status = _stream_until_refused(served, "/v1/scenarios", "", 100 * 2**20)
    assert status == 413
    assert sent < DEFAULT_LIMIT + 32 * CHUNK, sent
