"""API clients and tokens: salted secret hashes, OAuth2 client credentials, HS256 JWTs.

Clients are :class:`~tanlian.graph.model.Client` entities in the graph store (DECISIONS 20).
A secret is shown once at creation and kept only as ``scrypt$<salt-hex>$<hash-hex>``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from tanlian.errors import NotFound, TanlianError
from tanlian.graph.model import Client, Enterprise, Park, Role
from tanlian.graph.store import GraphStore

JWT_ALGORITHM = "HS256"
#: scrypt cost (RFC 7914): n=2**14, r=8, p=1 ≈ 16 MiB and a few tens of ms per check.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_secret(secret: str) -> str:
    """Salted scrypt hash of ``secret`` (random 16-byte salt)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, salt_hex, hash_hex = stored.split("$")
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return hmac.compare_digest(digest, expected)


def new_client(
    store: GraphStore, name: str, role: Role, park: str | None = None, enterprise: str | None = None
) -> tuple[Client, str]:
    """Create a client in ``store``; return it and its secret (shown once, never stored)."""
    if role == "enterprise":
        if not enterprise:
            raise TanlianError("role enterprise needs --enterprise")
        ent = store.get(Enterprise, enterprise)
        if ent is None:
            raise NotFound("enterprise", enterprise)
        park = park or ent.park
    if role in ("park_admin", "auditor"):
        if not park:
            raise TanlianError(f"role {role} needs --park")
        if store.get(Park, park) is None:
            raise NotFound("park", park)
    secret = secrets.token_urlsafe(32)
    client = Client(
        id=f"cl_{uuid.uuid4().hex[:16]}",
        name=name,
        role=role,
        park=park,
        enterprise=enterprise if role == "enterprise" else None,
        secret_hash=hash_secret(secret),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    store.upsert([client])
    return client, secret


def authenticate(store: GraphStore, client_id: str, secret: str) -> Client | None:
    """The client whose id and secret match, else None (same work whether the id exists or not)."""
    client = store.get(Client, client_id) if client_id else None
    stored = client.secret_hash if client else _DUMMY_HASH
    ok = verify_secret(secret, stored)
    return client if ok and client else None


_DUMMY_HASH = hash_secret(secrets.token_urlsafe(32))


@dataclass(frozen=True)
class Principal:
    """Who is asking: a client id and the scope its role grants."""

    sub: str
    role: Role
    park: str | None = None
    enterprise: str | None = None


def issue_token(client: Client, key: str, ttl_s: int, now: float | None = None) -> str:
    """A signed HS256 JWT for ``client`` valid ``ttl_s`` seconds."""
    iat = int(now if now is not None else time.time())
    claims = {
        "sub": client.id,
        "role": client.role,
        "park": client.park,
        "enterprise": client.enterprise,
        "iat": iat,
        "exp": iat + ttl_s,
    }
    return jwt.encode(claims, key, algorithm=JWT_ALGORITHM)


def decode_token(token: str, key: str) -> Principal:
    """Verify signature and expiry; raise ``jwt.InvalidTokenError`` (or ValueError) when bad."""
    claims = jwt.decode(token, key, algorithms=[JWT_ALGORITHM], options={"require": ["sub", "role", "exp", "iat"]})
    role = claims["role"]
    if role not in ("park_admin", "enterprise", "auditor", "partner"):
        raise ValueError(f"unknown role {role!r}")
    return Principal(claims["sub"], role, claims.get("park"), claims.get("enterprise"))
