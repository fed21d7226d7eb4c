"""Secrets Tanlian must use again — a partner host's client secret — sealed at rest (Fernet:
AES-128-CBC with an HMAC-SHA256, from ``cryptography``).

The key is ``TANLIAN_SECRET_KEY`` (a Fernet key: 32 url-safe base64 bytes) when set — required for
a Neo4j store and for several machines sharing one store — else a key file next to an embedded
store (``<file>.key``, created on first use with mode 0600). A backup of the store file does not
carry the key, so a leaked backup does not leak partner secrets; restore to another path needs the
key file copied alongside (or the variable). Values written before sealing existed (no prefix) are
read as they are and sealed again when the partner is stored again.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from tanlian.errors import TanlianError

PREFIX = "sealed:v1:"
ENV = "TANLIAN_SECRET_KEY"
_HINT = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


def key_for(store_url: str) -> bytes:
    """The sealing key of the store at ``store_url`` (see the module docstring)."""
    env = os.environ.get(ENV)
    if env:
        try:
            Fernet(env.encode())
        except ValueError as exc:
            raise TanlianError(f"{ENV} is not a Fernet key (32 url-safe base64 bytes; make one: {_HINT})") from exc
        return env.encode()
    path = store_url.removeprefix("sqlite:///") if store_url.startswith("sqlite:///") else None
    if path is None or path == ":memory:":
        raise TanlianError(f"set {ENV} to seal partner secrets of {store_url} (make a key: {_HINT})")
    key_file = Path(path + ".key")
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return key_file.read_bytes().strip()
        with os.fdopen(fd, "wb") as out:
            out.write(Fernet.generate_key())
    return key_file.read_bytes().strip()


def seal(secret: str, key: bytes) -> str:
    """``secret`` encrypted and authenticated, as text to store."""
    return PREFIX + Fernet(key).encrypt(secret.encode()).decode()


def unseal(value: str, key: bytes) -> str:
    """The secret of a sealed ``value`` (an unsealed legacy value is returned as it is)."""
    if not value.startswith(PREFIX):
        return value
    try:
        return Fernet(key).decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise TanlianError(
            f"a stored partner secret does not open with this key: use the key it was sealed with ({ENV}, or the "
            "store's .key file), or store the partner again (tanlian pact partner add)"
        ) from exc
