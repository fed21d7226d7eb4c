"""API clients and tokens: salted secret hashes, OAuth2 client credentials, HS256 JWTs.

Clients are :class:`~tanlian.graph.model.Client` entities in the graph store (DECISIONS 20).
A secret is shown once at creation and kept only as ``scrypt$<salt-hex>$<hash-hex>``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from tanlian.errors import NotFound, TanlianError
from tanlian.graph.model import Client, Enterprise, Park, Role
from tanlian.graph.store import GraphStore

log = logging.getLogger("tanlian.api")

JWT_ALGORITHM = "HS256"
#: Every role a token may carry.
ROLES: tuple[str, ...] = ("park_admin", "enterprise", "auditor", "partner", "platform_admin")
#: Shortest HMAC key accepted (RFC 7518 §3.2: at least the hash output size, 256 bits).
MIN_KEY_BYTES = 32
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
    if role not in ROLES:
        raise TanlianError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "platform_admin" and (park or enterprise):
        raise TanlianError("role platform_admin reads and writes every park: give no --park or --enterprise")
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
    """The client whose id and secret match and that is not revoked, else None (same work whether
    the id exists or not)."""
    client = store.get(Client, client_id) if client_id else None
    stored = client.secret_hash if client else _DUMMY_HASH
    with _SCRYPT_SLOTS:  # each check takes ~16 MiB and tens of ms of CPU: a few at a time
        ok = verify_secret(secret, stored)
    return client if ok and client and not client.revoked else None


def revoke_client(store: GraphStore, client_id: str) -> Client:
    """Revoke a client: no new token, and every token it holds is refused (its key version moves on)."""
    client = store.get(Client, client_id)
    if client is None:
        raise NotFound("client", client_id)
    revoked = client.model_copy(
        update={
            "revoked": client.revoked or datetime.now(UTC).isoformat(timespec="seconds"),
            "key_version": client.key_version + 1,
        }
    )
    store.upsert([revoked])
    return revoked


def jwt_key(secret: str | None) -> str:
    """The HMAC key for tokens: ``secret`` when long enough (TanlianError below 32 bytes, so the
    server refuses to start), else a random key made here with a warning."""
    if secret is None or secret == "":
        log.warning(
            "TANLIAN_JWT_SECRET is not set: using a random key, so tokens die with this process and are "
            "not valid across worker processes"
        )
        return secrets.token_hex(32)
    if len(secret.encode()) < MIN_KEY_BYTES:
        raise TanlianError(
            f"TANLIAN_JWT_SECRET is {len(secret.encode())} bytes; it must be at least {MIN_KEY_BYTES} "
            "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return secret


_DUMMY_HASH = hash_secret(secrets.token_urlsafe(32))
#: Concurrent secret checks per process (a burst of token requests must not starve other routes).
_SCRYPT_SLOTS = threading.BoundedSemaphore(2)


@dataclass(frozen=True)
class Principal:
    """Who is asking: a client id and the scope its role grants."""

    sub: str
    role: Role
    park: str | None = None
    enterprise: str | None = None
    key_version: int = 1


def client_claims(client: Client, ttl_s: int, now: float | None = None) -> dict[str, object]:
    """The JWT claims naming ``client`` (its scope and key version), valid ``ttl_s`` seconds."""
    iat = int(now if now is not None else time.time())
    return {
        "sub": client.id,
        "role": client.role,
        "park": client.park,
        "enterprise": client.enterprise,
        "kv": client.key_version,  # a revoked or re-keyed client's tokens are refused
        "iat": iat,
        "exp": iat + ttl_s,
    }


def issue_token(client: Client, key: str, ttl_s: int, now: float | None = None) -> str:
    """A signed HS256 JWT for ``client`` valid ``ttl_s`` seconds."""
    return jwt.encode(client_claims(client, ttl_s, now), key, algorithm=JWT_ALGORITHM)


def decode_token(token: str, key: str) -> Principal:
    """Verify signature and expiry; raise ``jwt.InvalidTokenError`` (or ValueError) when bad."""
    claims = jwt.decode(
        token, key, algorithms=[JWT_ALGORITHM], options={"require": ["sub", "role", "exp", "iat", "kv"]}
    )
    role = claims["role"]
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    kv = claims["kv"]
    if not isinstance(kv, int):
        raise ValueError("bad key version")
    return Principal(claims["sub"], role, claims.get("park"), claims.get("enterprise"), kv)


def current_client(store: GraphStore, principal: Principal) -> Client | None:
    """The stored client behind a token, or None when it was deleted, revoked, or re-keyed since
    the token was issued (the token must then be refused)."""
    client = store.get(Client, principal.sub)
    if client is None or client.revoked or client.key_version != principal.key_version:
        return None
    if (client.role, client.park, client.enterprise) != (principal.role, principal.park, principal.enterprise):
        return None
    return client
