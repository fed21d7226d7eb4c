"""The Neo4j store (``bolt://user:pass@host:7687``): the graph as a property graph.

Model
-----
One label per entity type (a fixed map, never built from data). Every node carries ``id``,
the record's scalar fields as properties (so Cypher can query them) and ``_json``, the exact
record, which is what the store reads back. References become relationships, each owned by
the record that holds the reference and rewritten with it in the same transaction::

    (:Enterprise)-[:IN_PARK]->(:Park)               Enterprise.park
    (:Enterprise)-[:MAKES]->(:Product)              Product.enterprise
    (:Product|:Factor)-[:FLOWS_TO {id, source, quantity, unit, ...}]->(:Enterprise)
                                                    Flow (from -> to; ``factor:<id>`` -> :Factor)
    (:Enterprise)-[:HAS_ACTIVITY]->(:Activity)      Activity.enterprise
    (:Product)-[:SOLD_AS]->(:Sale)                  Sale.product
    (:Enterprise)-[:HAS_RESIDUAL]->(:Residual)      Residual.enterprise
    (:Enterprise)-[:HAS_NEED]->(:Need)              Need.enterprise

A reference to an entity that is not stored (a factor of the default library, a supplier not
imported yet) ends on a *stub*: a node with the label and ``id`` only, no ``_json``. Stubs are
invisible to reads; a later write of the real entity fills the same node, a delete of a node
still referenced turns it back into a stub, and stubs left without relationships are removed
at the end of the transaction. So the relationships always mirror the stored records exactly,
whatever the order of writes, and the Cypher queries below give the same answers as
:mod:`tanlian.graph.queries`.

The revision is the ``value`` of the ``(:Meta {key: 'revision'})`` node, bumped first in each
write transaction (which also serialises concurrent writers).

Writes: one explicit transaction per ``_apply``, batches of ``BATCH`` rows sent as ``UNWIND
$rows`` parameters (never formatted into Cypher). New nodes are CREATEd together with their
relationships; existing ones are rewritten, their owned relationships dropped and made anew.
Neo4j holds the whole transaction in heap until commit (≈ 8 KiB per entity at its peak, for
bundle-like data) and refuses one larger than ``dbms.memory.transaction.total.max`` (70 % of
the heap by default): a 1 GiB heap takes imports of ≈ 85 000 entities, 2 GiB 135 000; past
that the error is a :class:`StoreUnavailable` that says so.
"""

from __future__ import annotations

import json
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
from tanlian.graph.model import FACTOR_PREFIX, Enterprise
from tanlian.graph.store import Changes, Progress, StoreBase, SupplyEdge

#: type name -> node label. Labels in Cypher text come only from this map.
LABELS: dict[str, str] = {
    "park": "Park",
    "enterprise": "Enterprise",
    "product": "Product",
    "factor": "Factor",
    "activity": "Activity",
    "flow": "Flow",
    "sale": "Sale",
    "residual": "Residual",
    "need": "Need",
    "client": "Client",
}

#: type name -> (reference field, relationship type, label of the referenced node, the
#: relationship points from the referenced node to this one). Flows are handled apart.
_OWNED: dict[str, tuple[str, str, str, bool]] = {
    "enterprise": ("park", "IN_PARK", "Park", False),
    "product": ("enterprise", "MAKES", "Enterprise", True),
    "activity": ("enterprise", "HAS_ACTIVITY", "Enterprise", True),
    "sale": ("product", "SOLD_AS", "Product", True),
    "residual": ("enterprise", "HAS_RESIDUAL", "Enterprise", True),
    "need": ("enterprise", "HAS_NEED", "Enterprise", True),
}

#: Flow fields copied onto the FLOWS_TO relationship (``source`` is the record's ``from``).
_FLOW_REL_FIELDS = ("quantity", "unit", "spend_cny", "category", "capital", "distance_km", "mode")

BATCH = 2000
_UNAVAILABLE = (ServiceUnavailable, SessionExpired, AuthError, OSError)
_INT64 = (-(2**63), 2**63 - 1)


# ------------------------------------------------------------------------------ Cypher text
def _owned_pattern(type_name: str, node: str, other: str, rel: str) -> str:
    """The relationship a record of ``type_name`` owns, as a pattern ``node``—``other``."""
    _, rtype, olabel, incoming = _OWNED[type_name]
    if incoming:
        return f"({other}:{olabel})-[{rel}:{rtype}]->({node})"
    return f"({node})-[{rel}:{rtype}]->({other}:{olabel})"


_STUB_IDS = "collect(DISTINCT CASE WHEN {v}._json IS NULL THEN elementId({v}) END)"
#: A flow's relationship, found from its customer (no relationship property index needed).
_OLD_FLOW_REL = "OPTIONAL MATCH (s)-[old:FLOWS_TO]->(c:Enterprise {{id: {to}}}) WHERE old.id = {id}"


def _exists_query(type_name: str) -> str:
    """Which of ``$ids`` have a node already (stored or stub)."""
    return f"UNWIND $ids AS id MATCH (n:{LABELS[type_name]} {{id: id}}) RETURN collect(n.id) AS ids"


def _rel_clause(type_name: str, source_label: str = "Product") -> str:
    """Cypher run with ``n`` bound: create the relationship ``n``'s record owns, from ``n``'s
    properties (the other end MERGEd by id: the stored node or a stub). Empty if it owns none."""
    if type_name == "flow":
        src = "n.`from`" if source_label == "Product" else f"substring(n.`from`, {len(FACTOR_PREFIX)})"
        rel = ", ".join(f"{k}: n.{k}" for k in _FLOW_REL_FIELDS)
        return (
            f"WITH n MERGE (s:{source_label} {{id: {src}}}) MERGE (c:Enterprise {{id: n.to}}) "
            f"CREATE (s)-[f:FLOWS_TO]->(c) SET f = {{id: n.id, source: n.`from`, {rel}}}"
        )
    if type_name not in _OWNED:
        return ""
    field, rtype, olabel, incoming = _OWNED[type_name]
    arrow = f"(o)-[:{rtype}]->(n)" if incoming else f"(n)-[:{rtype}]->(o)"
    return f"WITH n WHERE n.{field} IS NOT NULL MERGE (o:{olabel} {{id: n.{field}}}) CREATE {arrow}"


def _create_query(type_name: str, source_label: str = "Product") -> str:
    """New nodes (no node with their id yet, so no relationships either) and their relationships."""
    label = LABELS[type_name]
    return f"UNWIND $rows AS r CREATE (n:{label}) SET n = r.props {_rel_clause(type_name, source_label)}"


def _update_query(type_name: str) -> str:
    """Rewrite existing nodes (stored or stubs); drop the relationships they own (made anew by
    :func:`_relink_query`); return the stubs at their other end, which may now be orphans."""
    label = LABELS[type_name]
    head = f"UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) SET n = r.props"
    if type_name == "flow":
        # the flow's relationship ends on its old customer: find it there, before the SET
        return (
            f"UNWIND $rows AS r MERGE (n:Flow {{id: r.id}}) WITH r, n, n.to AS to SET n = r.props "
            f"WITH r, to {_OLD_FLOW_REL.format(id='r.id', to='to')} DELETE old "
            f"RETURN {_STUB_IDS.format(v='s')} + {_STUB_IDS.format(v='c')} AS orphans"
        )
    if type_name in _OWNED:
        pattern = _owned_pattern(type_name, "n", "o", "old")
        return (
            f"{head} WITH n OPTIONAL MATCH {pattern} DELETE old "
            f"RETURN {_STUB_IDS.format(v='o')} AS orphans"
        )
    return f"{head} WITH count(*) AS written RETURN [] AS orphans"


def _relink_query(type_name: str, source_label: str = "Product") -> str:
    label = LABELS[type_name]
    return f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) {_rel_clause(type_name, source_label)}"


def _delete_query(type_name: str) -> str:
    """Turn stored nodes into stubs (GC removes them unless still referenced)."""
    label = LABELS[type_name]
    head = f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) WHERE n._json IS NOT NULL"
    tail = "SET n = {id: n.id} RETURN collect(DISTINCT elementId(n))"
    if type_name == "flow":
        return (
            f"{head} {_OLD_FLOW_REL.format(id='id', to='n.to')} DELETE old {tail} "
            f"+ {_STUB_IDS.format(v='s')} + {_STUB_IDS.format(v='c')} AS orphans"
        )
    if type_name in _OWNED:
        pattern = _owned_pattern(type_name, "n", "o", "old")
        return (
            f"{head} OPTIONAL MATCH {pattern} DELETE old {tail} "
            f"+ {_STUB_IDS.format(v='o')} AS orphans"
        )
    return f"{head} {tail} AS orphans"


_GC = (
    "UNWIND $ids AS eid MATCH (n) WHERE elementId(n) = eid "
    "WITH n WHERE n._json IS NULL AND NOT n:Meta AND NOT EXISTS { (n)--() } DELETE n"
)
_BUMP = (
    "MERGE (m:Meta {key: 'revision'}) ON CREATE SET m.value = 0 "
    "SET m.value = m.value + 1 RETURN m.value AS value"
)
_REVISION = "OPTIONAL MATCH (m:Meta {key: 'revision'}) RETURN coalesce(m.value, 0) AS value"

# One tier of the supply tree: flows into the frontier enterprises, with the maker of their
# source when the source is a stored product (only stored products own a MAKES).
_UPSTREAM_START = (
    "MATCH (m:Enterprise)-[:MAKES]->(p:Product {id: $id}) WHERE p._json IS NOT NULL "
    "RETURN m.id AS maker"
)
_UPSTREAM_TIER = (
    "UNWIND $frontier AS ent "
    "MATCH (:Enterprise {id: ent})<-[f:FLOWS_TO]-() "
    "OPTIONAL MATCH (m:Enterprise)-[:MAKES]->(:Product {id: f.source}) "
    "RETURN f.id AS flow, f.source AS source, m.id AS maker, ent AS customer"
)
# Flows whose supplier is in the frontier: the supplier of a flow is the maker of its source
# product, or the source itself when that is not a stored product (a factor, a missing product).
_DOWNSTREAM_START = "MATCH (e:Enterprise {id: $id}) WHERE e._json IS NOT NULL RETURN e.id AS id"
_DOWNSTREAM_TIER = (
    "UNWIND $frontier AS x "
    "OPTIONAL MATCH (:Enterprise {id: x})-[:MAKES]->(p:Product) "
    "WITH x, collect(p.id) AS made "
    "OPTIONAL MATCH (q:Product {id: x})<-[:MAKES]-() "
    "WITH x, [s IN made | [s, x]] + CASE WHEN q IS NULL THEN [[x, null]] ELSE [] END AS sources "
    "UNWIND sources AS sm "
    "WITH sm[0] AS source, sm[1] AS maker "
    # the node the source's flows hang on: :Factor for factor:<id>, else :Product
    "OPTIONAL MATCH (p:Product {id: CASE WHEN NOT source STARTS WITH $prefix THEN source END}) "
    "OPTIONAL MATCH (fa:Factor {id: CASE WHEN source STARTS WITH $prefix "
    "THEN substring(source, size($prefix)) END}) "
    "WITH source, maker, coalesce(p, fa) AS s WHERE s IS NOT NULL "
    "MATCH (s)-[f:FLOWS_TO]->(c:Enterprise) WHERE f.source = source "
    "RETURN f.id AS flow, source, maker, c.id AS customer"
)
_PARK_ENTERPRISES = (
    "MATCH (e:Enterprise)-[:IN_PARK]->(:Park {id: $id}) WHERE e._json IS NOT NULL "
    "RETURN e._json AS j"
)


def _schema() -> list[str]:
    stmts = [
        f"CREATE CONSTRAINT tanlian_{label.lower()}_id IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in LABELS.values()
    ]
    stmts.append(
        "CREATE CONSTRAINT tanlian_meta_key IF NOT EXISTS FOR (n:Meta) REQUIRE n.key IS UNIQUE"
    )
    return stmts


# ------------------------------------------------------------------------------ rows
def _scalar(value: Any) -> bool:
    if isinstance(value, bool | str | float):
        return True
    return isinstance(value, int) and _INT64[0] <= value <= _INT64[1]


def _props(rec: dict[str, Any]) -> dict[str, Any]:
    """Node properties: the scalar fields (``_``-prefixed keys reserved), ``id`` and ``_json``."""
    props = {k: v for k, v in rec.items() if k and not k.startswith("_") and _scalar(v)}
    props["id"] = rec["id"]
    props["_json"] = json.dumps(rec, ensure_ascii=False)
    return props


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
        "notifications_disabled_classifications": [
            neo4j.NotificationDisabledClassification.UNRECOGNIZED
        ],
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
            from tanlian.settings import get_settings

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
        for stmt in _schema():
            try:
                self._driver.execute_query(stmt, database_=self.database)
            except ClientError as exc:  # another process created it at the same moment
                if "AlreadyExists" not in (exc.code or ""):
                    raise
        self._driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)
        self._driver.execute_query(
            "MERGE (m:Meta {key: 'revision'}) ON CREATE SET m.value = 0", database_=self.database
        )

    # -- primitives ----------------------------------------------------------------------
    def revision(self) -> int:
        return int(self._read(_REVISION)[0]["value"])

    def ping(self) -> None:
        self._read("RETURN 1 AS ok")

    def close(self) -> None:
        self._driver.close()

    def _read_all(self, type_name: str) -> dict[str, dict[str, Any]]:
        label = LABELS[type_name]
        rows = self._read(f"MATCH (n:{label}) WHERE n._json IS NOT NULL RETURN n.id AS id, n._json AS j")
        return {r["id"]: json.loads(r["j"]) for r in rows}

    def _read_one(self, type_name: str, id: str) -> dict[str, Any] | None:
        label = LABELS[type_name]
        rows = self._read(
            f"MATCH (n:{label} {{id: $id}}) WHERE n._json IS NOT NULL RETURN n._json AS j", {"id": id}
        )
        return json.loads(rows[0]["j"]) if rows else None

    def _apply(self, changes: Changes, progress: Progress | None = None) -> int:
        for type_name in (*changes.upserts, *changes.deletes):
            if type_name not in LABELS:
                raise ValueError(f"unknown entity type {type_name!r}")
        # Last record per id wins (as INSERT OR REPLACE in the embedded store).
        upserts = {t: list({r["id"]: r for r in recs}.values()) for t, recs in changes.upserts.items()}
        deletes = {t: list(dict.fromkeys(ids)) for t, ids in changes.deletes.items()}
        total = sum(map(len, upserts.values())) + sum(map(len, deletes.values()))
        done = 0
        orphans: set[str] = set()
        with self._guard(), self._session() as session:
            tx = session.begin_transaction()
            try:
                rev = int(tx.run(_BUMP).single(strict=True)["value"])
                for type_name, ids in deletes.items():
                    query = _delete_query(type_name)
                    for i in range(0, len(ids), BATCH):
                        batch = ids[i : i + BATCH]
                        orphans.update(tx.run(query, {"ids": batch}).single(strict=True)["orphans"])
                        done += len(batch)
                        if progress:
                            progress(done, total)
                for type_name, recs in upserts.items():
                    for i in range(0, len(recs), BATCH):
                        batch = recs[i : i + BATCH]
                        orphans.update(self._write_batch(tx, type_name, batch))
                        done += len(batch)
                        if progress:
                            progress(done, total)
                ids = sorted(orphans)
                for i in range(0, len(ids), BATCH):
                    tx.run(_GC, {"ids": ids[i : i + BATCH]}).consume()
                tx.commit()
            except ConstraintError as exc:
                _rollback(tx)
                raise Conflict(f"write rejected by a constraint of {self.url}: {exc.message}") from exc
            except BaseException:
                _rollback(tx)
                raise
        return rev

    @staticmethod
    def _write_batch(tx: neo4j.Transaction, type_name: str, batch: list[dict[str, Any]]) -> list[str]:
        """Upsert one batch: CREATE what is new, rewrite what exists. Returns orphan candidates."""
        found = set(tx.run(_exists_query(type_name), {"ids": [r["id"] for r in batch]}).single()["ids"])
        new = [r for r in batch if r["id"] not in found]
        old = [r for r in batch if r["id"] in found]

        def by_source(recs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
            if type_name != "flow":
                return {"Product": recs}  # the source label only matters for flows
            groups: dict[str, list[dict[str, Any]]] = {"Product": [], "Factor": []}
            for r in recs:
                groups["Factor" if r["from"].startswith(FACTOR_PREFIX) else "Product"].append(r)
            return groups

        for source_label, recs in by_source(new).items():
            if recs:
                rows = [{"props": _props(r)} for r in recs]
                tx.run(_create_query(type_name, source_label), {"rows": rows}).consume()
        orphans: list[str] = []
        if old:
            rows = [{"id": r["id"], "props": _props(r)} for r in old]
            orphans = tx.run(_update_query(type_name), {"rows": rows}).single(strict=True)["orphans"]
            if _rel_clause(type_name):
                for source_label, recs in by_source(old).items():
                    if recs:
                        ids = [r["id"] for r in recs]
                        tx.run(_relink_query(type_name, source_label), {"ids": ids}).consume()
        return orphans

    def wipe(self) -> None:
        """Delete every node but the revision, in one transaction (bumps the revision if any)."""
        with self._guard(), self._session() as session:
            tx = session.begin_transaction()
            try:
                tx.run(_BUMP).consume()  # first, like every write: serialises with other writers
                n = tx.run("MATCH (n) WHERE NOT n:Meta DETACH DELETE n RETURN count(n) AS n").single()
                if n and n["n"]:
                    tx.commit()
                else:  # nothing to delete: no write, no new revision
                    tx.rollback()
            except BaseException:
                _rollback(tx)
                raise

    # -- graph queries (Cypher, one read transaction each) ------------------------------
    def _read_tx(self, work: Any) -> Any:
        with self._guard(), self._session() as session:
            return session.execute_read(work)

    def upstream(self, product_id: str, depth: int = 3) -> list[SupplyEdge]:
        """Every flow into the maker of ``product_id`` and, tier by tier, into its suppliers."""
        if depth < 1:
            return []

        def work(tx: neo4j.ManagedTransaction) -> list[SupplyEdge]:
            start = tx.run(_UPSTREAM_START, {"id": product_id}).single()
            if start is None:
                return []
            seen: dict[str, SupplyEdge] = {}
            frontier, visited = {start["maker"]}, {start["maker"]}
            for d in range(1, depth + 1):
                if not frontier:
                    break
                nxt: set[str] = set()
                for r in tx.run(_UPSTREAM_TIER, {"frontier": sorted(frontier)}):
                    if r["flow"] not in seen:
                        seen[r["flow"]] = SupplyEdge(r["flow"], r["source"], r["maker"], r["customer"], d)
                    if r["maker"] and r["maker"] not in visited:
                        nxt.add(r["maker"])
                visited = visited | nxt
                frontier = nxt
            return sorted(seen.values(), key=lambda e: (e.depth, e.flow))

        return self._read_tx(work)

    def downstream(self, enterprise_id: str, depth: int = 1) -> list[SupplyEdge]:
        """Flows of the enterprise's products to customers, then of theirs, up to ``depth`` tiers."""
        if depth < 1:
            return []

        def work(tx: neo4j.ManagedTransaction) -> list[SupplyEdge]:
            if tx.run(_DOWNSTREAM_START, {"id": enterprise_id}).single() is None:
                return []
            seen: dict[str, SupplyEdge] = {}
            frontier, visited = {enterprise_id}, {enterprise_id}
            for d in range(1, depth + 1):
                if not frontier:
                    break
                nxt: set[str] = set()
                params = {"frontier": sorted(frontier), "prefix": FACTOR_PREFIX}
                for r in tx.run(_DOWNSTREAM_TIER, params):
                    if r["flow"] not in seen:
                        seen[r["flow"]] = SupplyEdge(r["flow"], r["source"], r["maker"], r["customer"], d)
                    if r["customer"] not in visited:
                        nxt.add(r["customer"])
                visited = visited | nxt
                frontier = nxt
            return sorted(seen.values(), key=lambda e: (e.depth, e.flow))

        return self._read_tx(work)

    def park_enterprises(self, park_id: str) -> list[Enterprise]:
        """Enterprises inside the park (``park`` = ``park_id``), sorted by id."""
        rows = self._read(_PARK_ENTERPRISES, {"id": park_id})
        ents = [Enterprise.model_validate(json.loads(r["j"])) for r in rows]
        return sorted(ents, key=lambda e: e.id)
