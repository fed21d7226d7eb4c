"""Response bodies per store revision: serialised once, served with a strong ETag, 304 on a match.

A read route's body depends on the store's content (its identity and ``revision()``), the route
and its query, and what the caller may see (role, park, enterprise). :class:`BodyCache` keeps the
serialised bytes per such key (LRU, bounded in bytes); a write changes the revision, so the next
request builds a new body. Concurrent misses of one key build it once (single flight).

The revision itself is read in the thread pool, at most once per :attr:`RevisionClock.ttl`
seconds (a write through this process forgets it at once; a write by another process or
worker is seen within ``ttl``), so a cached request makes no store call on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

import orjson
from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter
from starlette.types import ASGIApp, Receive, Scope, Send

from tanlian.api.auth import Principal
from tanlian.api.deps import (
    Options,
    PrincipalDep,
    StoreDep,
    StoreKeyDep,
    View,
    YearQuery,
    get_principal,
    get_reader,
)
from tanlian.api.observability import CACHE
from tanlian.graph.store import GraphStore
from tanlian.lca.core.cache import SingleFlight, results, snapshots
from tanlian.lca.core.result import LcaResult

JSON = "application/json"
#: Seconds a revision read stays current (see the module docstring).
REVISION_TTL_S = 0.5


def dumps(body: Any) -> bytes:
    """JSON bytes of a plain body (orjson: UTF-8, no spaces, NaN/inf as null, numpy arrays as lists)."""
    return orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)


_ADAPTERS: dict[Any, TypeAdapter] = {}


def model_bytes(model: Any, body: Any, *, exclude_none: bool = False) -> bytes:
    """``body`` validated and dumped by the route's response model as FastAPI does (aliases,
    defaults, ``exclude_none``), then serialised by orjson: the JSON FastAPI would send (same
    keys and values; numbers spelled by orjson, e.g. ``1e-5`` for ``1e-05``)."""
    adapter = _ADAPTERS.get(model)
    if adapter is None:
        adapter = _ADAPTERS[model] = TypeAdapter(model)
    value = adapter.validate_python(body, from_attributes=True)
    return dumps(adapter.dump_python(value, mode="json", by_alias=True, exclude_none=exclude_none))


class RevisionClock:
    """The store's revision, read in the thread pool at most once per ``ttl`` seconds."""

    def __init__(self, store: GraphStore, ttl: float = REVISION_TTL_S):
        self.store, self.ttl = store, ttl
        self._value: int | None = None
        self._at = 0.0
        self._pending: asyncio.Future[int] | None = None
        self.reads = 0

    def forget(self) -> None:
        """Drop the known revision (after a write through this process)."""
        self._value = None

    async def current(self) -> int:
        value = self._value
        if value is not None and time.monotonic() - self._at < self.ttl:
            return value
        if self._pending is not None:  # one read in flight serves every waiting request
            return await asyncio.shield(self._pending)
        loop = asyncio.get_running_loop()
        self._pending = pending = loop.create_future()
        try:
            started = time.monotonic()
            value = await run_in_threadpool(self.store.revision)
            self.reads += 1
            self._value, self._at = value, started
            pending.set_result(value)
            return value
        except BaseException as exc:
            pending.set_exception(exc)
            pending.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        finally:
            self._pending = None


@dataclass(frozen=True)
class Body:
    """A serialised body, its strong ETag (a hash of the bytes) and the route that built it."""

    content: bytes
    etag: str
    route: Any = None  # the APIRoute (metrics label it by its path template)

    @classmethod
    def of(cls, content: bytes, route: Any = None) -> Body:
        return cls(content, '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"', route)


class BodyCache:
    """Serialised bodies per key, least recently used first out beyond ``max_bytes``."""

    def __init__(self, max_bytes: int = 256 * 2**20):
        self.max_bytes = max_bytes
        self._data: OrderedDict[tuple, Body] = OrderedDict()
        self._latest: dict[tuple, int] = {}  # newest revision seen per store
        self._bytes = 0
        self._lock = threading.Lock()
        self.flight: SingleFlight[Body] = SingleFlight()
        self.hits = self.misses = self.builds = 0

    @property
    def size(self) -> int:
        return len(self._data)

    def get(self, key: tuple) -> Body | None:
        with self._lock:
            body = self._data.get(key)
            if body is not None:
                self._data.move_to_end(key)
            return body

    def put(self, key: tuple, body: Body) -> None:
        """Keep ``body``; a key of a newer revision of its store drops the bodies of older ones."""
        if len(body.content) > self.max_bytes // 4:
            return  # a body this large would evict most others
        store, revision = key[:2], key[2]
        with self._lock:
            if revision > self._latest.get(store, revision):
                for old_key in [k for k in self._data if k[:2] == store and k[2] < revision]:
                    self._bytes -= len(self._data.pop(old_key).content)
            self._latest[store] = max(revision, self._latest.get(store, revision))
            old = self._data.pop(key, None)
            self._bytes += len(body.content) - (len(old.content) if old else 0)
            self._data[key] = body
            while self._bytes > self.max_bytes:
                _, dropped = self._data.popitem(last=False)
                self._bytes -= len(dropped.content)

    def build(self, key: tuple, fn: Callable[[], bytes], route: Any = None) -> Body:
        """The body of ``key``, built by ``fn`` once however many threads miss at the same time."""

        def run() -> Body:
            cached = self.get(key)  # a flight that just landed
            if cached is not None:
                return cached
            self.builds += 1
            body = Body.of(fn(), route)
            self.put(key, body)
            return body

        return self.flight.do(key, run)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._latest.clear()
            self._bytes = 0


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` (weak comparison, RFC 9110 13.1.2)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(t.strip().removeprefix("W/") == etag for t in header.split(","))


def respond(request: Request, body: Body) -> Response:
    """200 with the body, or 304 when the request's ``If-None-Match`` matches its ETag."""
    if etag_matches(request.headers.get("if-none-match"), body.etag):
        return Response(status_code=304, headers={"ETag": body.etag})
    return Response(body.content, media_type=JSON, headers={"ETag": body.etag})


def body_key(store_key: tuple, path: str, query_string: bytes, p: Principal) -> tuple:
    """Store, revision, path, query and visibility: everything a read body depends on (the query
    parsed as Starlette parses it, sorted)."""
    query = tuple(sorted(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))) if query_string else ()
    return (*store_key, path, query, p.role, p.park, p.enterprise)


@dataclass(frozen=True)
class Read:
    """A cached read request: who asks, of which store at which revision; loads in the thread pool."""

    request: Request
    store: GraphStore
    principal: Principal
    key: tuple[str, str | None, int]  # ``store_key`` at the revision the clock gave
    year: int | None = None  # ``?year=``; None: the latest year in the store

    def view(self) -> View:
        """The principal's view of the graph of ``?year=`` at :attr:`key` (call in the thread pool)."""
        return View(self.principal, snapshots.get(self.store, self.year, self.key))

    def result(self, options: Options) -> LcaResult:
        """The solved result at :attr:`key` (call in the thread pool; one solve per key)."""
        return results.get(self.store, options.gwp, options.scope2, options.year, key=self.key)

    def solved(self, options: Options) -> tuple[View, LcaResult]:
        """The result at :attr:`key` and the principal's view of the graph it solved."""
        result = self.result(options)
        return View(self.principal, result.graph), result

    def body_key(self) -> tuple:
        scope = self.request.scope
        return body_key(self.key, scope["path"], scope["query_string"], self.principal)

    async def respond(self, build: Callable[[], bytes]) -> Response:
        """The cached body of this request, or ``build()`` run once in the thread pool and kept."""
        cache: BodyCache = self.request.app.state.bodies
        key = self.body_key()
        body = cache.get(key)
        if body is not None:
            cache.hits += 1
            CACHE.labels("hit").inc()
        else:
            cache.misses += 1
            CACHE.labels("miss").inc()
            body = await run_in_threadpool(cache.build, key, build, self.request.scope.get("route"))
        return respond(self.request, body)


async def get_read(
    request: Request, store: StoreDep, principal: PrincipalDep, key: StoreKeyDep, year: YearQuery = None
) -> Read:
    return Read(request, store, principal, key, year)


ReadDep = Annotated[Read, Depends(get_read)]


_DATA = "/v1/"


class CachedReads:
    """ASGI middleware: a ``GET /v1/...`` whose body is cached is answered here, before routing.

    The caller is authenticated by the routes' own dependency functions (:func:`get_principal`,
    :func:`get_reader`); the key (store, revision, path, query, visibility) only exists once the
    route built that body, so its path and query passed validation then. Anything else (no token,
    a refusal, a miss, a store error) goes on to the route, which answers as usual.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith(_DATA):
            cache: BodyCache | None = getattr(scope["app"].state, "bodies", None)
            hit = await self._lookup(scope, cache) if cache is not None and cache.size else None
            if hit is not None:
                request, body = hit
                scope["route"] = body.route  # metrics label the request by its route
                cache.hits += 1
                CACHE.labels("hit").inc()
                await respond(request, body)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _lookup(scope: Scope, cache: BodyCache) -> tuple[Request, Body] | None:
        request = Request(scope)
        state = scope["app"].state
        try:
            principal = await get_reader(await get_principal(request, request.headers.get("authorization")))
            revision = await state.revisions.current()
        except Exception:  # a refusal or a store error: the route answers it (problem+json)
            return None
        store = state.store
        key = body_key(
            (store.url, getattr(store, "database", None), revision), scope["path"], scope["query_string"], principal
        )
        body = cache.get(key)
        return None if body is None else (request, body)
