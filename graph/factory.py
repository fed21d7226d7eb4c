"""Pick the store backend from a URL: ``sqlite:///file.sqlite`` (default) or ``bolt://`` / ``neo4j://``."""

from __future__ import annotations

from tanlian.errors import TanlianError
from tanlian.graph.store import GraphStore
from tanlian.settings import Settings, get_settings

NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def open_store(url: str | None = None, settings: Settings | None = None) -> GraphStore:
    """Open the store named by ``url`` (or ``TANLIAN_STORE``)."""
    settings = settings or get_settings()
    url = url or settings.store
    if url.startswith("sqlite:///"):
        from tanlian.graph.embedded import EmbeddedStore

        return EmbeddedStore(url[len("sqlite:///") :] or "tanlian.sqlite")
    if url.startswith(NEO4J_SCHEMES):
        from tanlian.graph.neo4j import Neo4jStore

        return Neo4jStore.from_url(url, settings)
    raise TanlianError(f"unknown store URL {url!r}: use sqlite:///path.sqlite or bolt://host:7687")
