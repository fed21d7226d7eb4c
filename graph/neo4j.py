"""The Neo4j store (``bolt://user:pass@host:7687``): the graph as a property graph.

Model
-----
One label per entity type (a fixed map, never built from data). A stored record is a node
whose properties are the record's scalar fields (so Cypher can query them), ``_json`` (the JSON
of the fields that are not scalar properties, usually ``{}``; :func:`~tanlian.graph.cypher.record_of`
rebuilds the exact record), ``_extra`` (the non-column fields, for the columnar snapshot) and
``_year``. A flow is no node: it is its ``FLOWS_TO`` relationship, which carries the same
properties but ``from`` and ``to``, its ends. References become relationships, each owned
by the record that holds the reference and rewritten with it in the same transaction::

    (:Enterprise)-[:IN_PARK]->(:Park)               Enterprise.park
    (:Enterprise)-[:MAKES]->(:Product)              Product.enterprise
    (:Product|:Factor)-[:FLOWS_TO {id, quantity, unit, ...}]->(:Enterprise)
                                                    Flow (from -> to; ``factor:<id>`` -> :Factor)
    (:Enterprise)-[:HAS_ACTIVITY]->(:Activity)      Activity.enterprise
    (:Product)-[:SOLD_AS]->(:Sale)                  Sale.product
    (:Enterprise)-[:HAS_RESIDUAL]->(:Residual)      Residual.enterprise
    (:Enterprise)-[:HAS_NEED]->(:Need)              Need.enterprise

Yearly labels are keyed by (``id``, ``_year``), flows by (``_year``, ``id``) (a relationship
uniqueness constraint: Neo4j 5.7 or later), factors and auxiliary labels by ``id``. A store of
the layout with ``(:Flow)`` nodes is upgraded when opened.

A reference to an entity that is not stored (a factor of the default library, a supplier not
imported yet) ends on a *stub*: a node with the label and ``id`` only, no ``_json``. Stubs are
invisible to reads; a later write of the real entity fills the same node, a delete of a node
still referenced turns it back into a stub, and stubs left without relationships are removed
at the end of the transaction. So the relationships always mirror the stored records exactly,
whatever the order of writes, and the Cypher queries below give the same answers as
:mod:`tanlian.graph.queries`.

The revision is the ``value`` of the ``(:Meta {key: 'revision'})`` node, bumped first in each
write transaction (which also serialises concurrent writers). Reads are read-committed, so a
snapshot reads the revision before and after its tables and reads again when they differ.

Writes: :mod:`tanlian.graph.neo4j_write` (one explicit transaction per ``_apply``, batched
``UNWIND``). Bulk reads come in chunks of rows per Bolt record (:func:`~tanlian.graph.cypher.in_chunks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit, urlunsplit

import neo4j
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConstraintError,
    DatabaseError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from tanlian.errors import Conflict, StoreUnavailable
from tanlian.graph.cypher import (
    AUX_BUMP,
    AUX_REVISION,
    BUMP,
    DOWNSTREAM_START,
    DOWNSTREAM_TIER,
    LOCK,
    PARK_ENTERPRISES,
    REVISION,
    SET_YEARS,
    UPGRADE_FLOWS,
    UPSTREAM_START,
    UPSTREAM_TIER,
    YEARS,
    match_stored,
    record_of,
    row_of,
    schema_statements,
)
from tanlian.graph.model import FACTOR_PREFIX, Enterprise
from tanlian.graph.neo4j_tx import WriteTx, read_all_in, read_tables
from tanlian.graph.neo4j_write import BATCH, write, write_batch
from tanlian.graph.snapshot import TableSnapshot
from tanlian.graph.store import YEARLY_NAMES, Changes, Progress, StoreBase, SupplyEdge
from tanlian.settings import get_settings

__all__ = ["BATCH", "Neo4jStore", "split_credentials"]
_UNAVAILABLE = (ServiceUnavailable, SessionExpired, AuthError, OSError)


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``bolt://user:pass@host:7687`` → (``bolt://host:7687``, user, password)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, has_pw, password = userinfo.partition(":")
    clean = urlunsplit(parts._replace(netloc=host))
    return clean, unquote(user) or None, unquote(password) if has_pw else None


def _rollback(tx: neo4j.Transaction) -> None:
    """Roll back after a failure; a second error (e.g. the connection is gone) must not hide
    the first, and the server rolls back an unfinished transaction on its own anyway."""
    with suppress(Exception):
        tx.close()


def _cause(exc: BaseException) -> str:
    code = getattr(exc, "code", None) or ""
    if "OutOfMemory" in code or "MemoryLimit" in code:
        return (
            "the write needs more transaction memory than the server allows "
            f"({getattr(exc, 'message', exc)}); give Neo4j more heap (server.memory.heap.max_size, "
            "db.memory.transaction.total.max) or import the data in parts"
        )
    return f"{type(exc).__name__}: {exc}"


# ------------------------------------------------------------------------------ store
class Neo4jStore(StoreBase):
    """GraphStore on a Neo4j 5 server. Thread-safe: one driver, one session per operation."""

    #: Driver options: fail within seconds when the server is down (not after the default 30 s
    #: of retries), and don't log "label/property does not exist" for an empty store.
    DRIVER_CONFIG: ClassVar[dict[str, Any]] = {
        "connection_timeout": 10.0,
        "max_transaction_retry_time": 2.0,
        "notifications_disabled_classifications": [neo4j.NotificationDisabledClassification.UNRECOGNIZED],
    }

    def __init__(
        self,
        url: str,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ):
        clean, url_user, url_password = split_credentials(url)
        self.url = clean  # never holds the password
        self.database = database or None
        user = url_user or user
        password = url_password if url_password is not None else password
        auth = None
        if user is not None or password is not None:
            auth = neo4j.basic_auth(user or "neo4j", password or "")
        try:
            self._driver = neo4j.GraphDatabase.driver(clean, auth=auth, **self.DRIVER_CONFIG)
        except ValueError as exc:  # a malformed URL
            raise StoreUnavailable(self.url, _cause(exc)) from exc
        try:
            with self._guard():
                self._driver.verify_connectivity()
                self._ensure_schema()
        except BaseException:
            self._driver.close()
            raise

    @classmethod
    def from_url(cls, url: str, settings: Any = None) -> Neo4jStore:
        """Open from a store URL; credentials in the URL win over ``settings.neo4j_user/password``."""
        if settings is None:
            settings = get_settings()
        return cls(
            url,
            user=getattr(settings, "neo4j_user", None),
            password=getattr(settings, "neo4j_password", None),
            database=getattr(settings, "neo4j_database", None),
        )

    def __repr__(self) -> str:
        db = f", database={self.database!r}" if self.database else ""
        return f"Neo4jStore({self.url!r}{db})"

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------
    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(self.url, _cause(exc)) from exc
        except (TransientError, DatabaseError) as exc:  # after the driver's retries: out of
            raise StoreUnavailable(self.url, _cause(exc)) from exc  # memory, disk, ...
        except ClientError as exc:
            if "DatabaseNotFound" in (exc.code or ""):  # a wrong TANLIAN_NEO4J_DATABASE
                raise StoreUnavailable(self.url, _cause(exc)) from exc
            raise

    def _session(self) -> neo4j.Session:
        return self._driver.session(
            database=self.database,
            bookmark_manager=self._driver.execute_query_bookmark_manager,
        )

    def _read(self, query: str, params: dict[str, Any] | None = None) -> list[neo4j.Record]:
        with self._guard():
            records, _, _ = self._driver.execute_query(
                query, params or {}, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        return records

    def _ensure_schema(self) -> None:
        for stmt in schema_statements():
            try:
                self._driver.execute_query(stmt, database_=self.database)
            except ClientError as exc:  # another process created it at the same moment
                if "AlreadyExists" not in (exc.code or ""):
                    raise
        self._driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)
        while self._driver.execute_query(UPGRADE_FLOWS, database_=self.database).records[0]["moved"]:
            pass  # a store of the layout with (:Flow) nodes, upgraded 5 000 flows at a time
        self._driver.execute_query(
            "MERGE (m:Meta {key: 'revision'}) ON CREATE SET m.value = 0", database_=self.database
        )

    # -- primitives ----------------------------------------------------------------------
    def revision(self) -> int:
        return int(self._read(REVISION)[0]["value"])

    def aux_revision(self) -> int:
        return int(self._read(AUX_REVISION)[0]["value"])

    def years(self) -> list[int]:
        return sorted(self._read(YEARS)[0]["years"])

    def ping(self) -> None:
        self._read("RETURN 1 AS ok")

    def close(self) -> None:
        self._driver.close()

    def _read_all(self, type_name: str, year: int | None = None) -> dict[str, dict[str, Any]]:
        if type_name in YEARLY_NAMES:
            year = self._year(year)
            if year is None:
                return {}
        return read_all_in(lambda q, p: self._read(q, p), type_name, year)

    def _read_one(self, type_name: str, id: str, year: int | None = None) -> dict[str, Any] | None:
        if type_name in YEARLY_NAMES:
            year = self._year(year)
            if year is None:
                return None
        query = f"{match_stored(type_name)} AND n.id = $id RETURN {row_of(type_name, 'n')} AS row"
        rows = self._read(query, {"id": id, "year": year})
        return record_of(rows[0]["row"]) if rows else None

    @contextmanager
    def _write_tx(self) -> Iterator[WriteTx]:
        """One explicit transaction; its first statement locks the revision node (writers queue)."""
        with self._guard(), self._session() as session:
            tx = session.begin_transaction()
            try:
                rev = int(tx.run(LOCK).single(strict=True)["value"])
                yield WriteTx(self, tx, rev)
                tx.commit()
            except ConstraintError as exc:
                _rollback(tx)
                raise Conflict(f"write rejected by a constraint of {self.url}: {exc.message}") from exc
            except BaseException:
                _rollback(tx)
                raise

    def _write(self, tx: neo4j.Transaction, changes: Changes, progress: Progress | None) -> int:
        """Apply ``changes`` inside ``tx`` (:func:`tanlian.graph.neo4j_write.write`)."""
        return write(tx, changes, progress, self._write_batch)

    #: One batch of property maps of one type (a seam for fault-injection tests).
    _write_batch = staticmethod(write_batch)

    def wipe(self) -> None:
        """Delete every node but the revisions, in one transaction (bumps the revision if any)."""
        with self._guard(), self._session() as session:
            tx = session.begin_transaction()
            try:
                tx.run(BUMP).consume()  # first, like every write: serialises with other writers
                n = tx.run("MATCH (n) WHERE NOT n:Meta DETACH DELETE n RETURN count(n) AS n").single()
                if n and n["n"]:
                    tx.run(SET_YEARS, {"years": []}).consume()
                    tx.run(AUX_BUMP).consume()
                    tx.commit()
                else:  # nothing to delete: no write, no new revision
                    tx.rollback()
            except BaseException:
                _rollback(tx)
                raise

    # -- columnar snapshot ---------------------------------------------------------------
    def _read_tables(self, year: int | None) -> TableSnapshot:
        """Revision, year and one columnar result per bundle type in ONE read transaction."""

        while True:  # read committed: a write that committed while we read shows in the revision
            snap, rev_after = self._read_tx(lambda tx: read_tables(tx, year))
            if rev_after == snap.revision:
                return snap

    # -- graph queries (Cypher, one read transaction each) ------------------------------
    def _read_tx(self, work: Any) -> Any:
        with self._guard(), self._session() as session:
            return session.execute_read(work)

    def upstream(self, product_id: str, depth: int = 3, *, year: int | None = None) -> list[SupplyEdge]:
        """Every flow into the maker of ``product_id`` and, tier by tier, into its suppliers."""
        year = self._year(year)
        if depth < 1 or year is None:
            return []

        def work(tx: neo4j.ManagedTransaction) -> list[SupplyEdge]:
            start = tx.run(UPSTREAM_START, {"id": product_id, "year": year}).single()
            if start is None:
                return []
            seen: dict[str, SupplyEdge] = {}
            frontier, visited = {start["maker"]}, {start["maker"]}
            for d in range(1, depth + 1):
                if not frontier:
                    break
                nxt: set[str] = set()
                for r in tx.run(UPSTREAM_TIER, {"frontier": sorted(frontier), "year": year}):
                    if r["flow"] not in seen:
                        seen[r["flow"]] = SupplyEdge(r["flow"], r["source"], r["maker"], r["customer"], d)
                    if r["maker"] and r["maker"] not in visited:
                        nxt.add(r["maker"])
                visited = visited | nxt
                frontier = nxt
            return sorted(seen.values(), key=lambda e: (e.depth, e.flow))

        return self._read_tx(work)

    def downstream(self, enterprise_id: str, depth: int = 1, *, year: int | None = None) -> list[SupplyEdge]:
        """Flows of the enterprise's products to customers, then of theirs, up to ``depth`` tiers."""
        year = self._year(year)
        if depth < 1 or year is None:
            return []

        def work(tx: neo4j.ManagedTransaction) -> list[SupplyEdge]:
            if tx.run(DOWNSTREAM_START, {"id": enterprise_id, "year": year}).single() is None:
                return []
            seen: dict[str, SupplyEdge] = {}
            frontier, visited = {enterprise_id}, {enterprise_id}
            for d in range(1, depth + 1):
                if not frontier:
                    break
                nxt: set[str] = set()
                params = {"frontier": sorted(frontier), "prefix": FACTOR_PREFIX, "year": year}
                for r in tx.run(DOWNSTREAM_TIER, params):
                    if r["flow"] not in seen:
                        seen[r["flow"]] = SupplyEdge(r["flow"], r["source"], r["maker"], r["customer"], d)
                    if r["customer"] not in visited:
                        nxt.add(r["customer"])
                visited = visited | nxt
                frontier = nxt
            return sorted(seen.values(), key=lambda e: (e.depth, e.flow))

        return self._read_tx(work)

    def park_enterprises(self, park_id: str, *, year: int | None = None) -> list[Enterprise]:
        """Enterprises inside the park (``park`` = ``park_id``), sorted by id."""
        rows = self._read(PARK_ENTERPRISES, {"id": park_id, "year": self._year(year)})
        ents = [Enterprise.model_validate(record_of(r["row"])) for r in rows]
        return sorted(ents, key=lambda e: e.id)
