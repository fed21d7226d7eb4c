"""Partner clients' PACT visibility: all published footprints, or only some companies'."""

from __future__ import annotations

from tanlian.errors import NotFound, TanlianError
from tanlian.graph.model import Client, Enterprise
from tanlian.graph.store import GraphStore


def restrict_to_companies(store: GraphStore, client: Client, companies: list[str]) -> Client:
    """Let the partner ``client`` see only the footprints of ``companies`` (enterprise ids)."""
    if client.role != "partner":
        raise TanlianError("--companies restricts partner clients only")
    ids = sorted({c.strip() for c in companies if c.strip()})
    if not ids:
        raise TanlianError("--companies needs at least one enterprise id")
    for e in ids:
        if store.get(Enterprise, e) is None:
            raise NotFound("enterprise", e)
    restricted = client.model_copy(update={"companies": ";".join(ids)})
    store.upsert([restricted])
    return restricted
