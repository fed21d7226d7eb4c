"""Publishing: products' footprints become stored PACT v3 ProductFootprints (aux records).

v3 footprints are immutable except Active → Deprecated. Republishing unchanged data keeps the
id; after the data changed a new id is made that lists the old ones in ``precedingPfIds`` and
the old ones turn Deprecated (still retrievable).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tanlian.connectors.pact.build import fingerprint, footprint_content, label_figures
from tanlian.connectors.pact.units import UnmappableUnit
from tanlian.connectors.pact.validation import check_v3
from tanlian.errors import NotFound, TanlianError
from tanlian.graph.model import PactFootprint
from tanlian.graph.store import GraphStore
from tanlian.lca.core.cache import Lru, SingleFlight
from tanlian.lca.core.result import LcaResult

#: Key order of a published document (the rest follows in the content's order).
_HEAD = ("id", "specVersion", "precedingPfIds", "created", "status")


@dataclass(frozen=True)
class Published:
    """What publishing one product did: ``new``, ``unchanged`` or ``skipped`` (with the reason)."""

    product: str
    outcome: str
    pf_id: str | None = None
    deprecated: tuple[str, ...] = ()
    reason: str | None = None


def all_publishable(result: LcaResult) -> list[str]:
    """Products of the park's enterprises with ``share_footprints = true`` (wastes excluded; outside
    suppliers are modelled by the park, not their own data owners), sorted."""
    g = result.graph
    return sorted(
        p.id
        for p in g.products.values()
        if p.kind != "waste" and g.enterprises[p.enterprise].share_footprints and g.enterprises[p.enterprise].park
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _document(pf_id: str, created: str, preceding: list[str], content: dict[str, Any]) -> dict[str, Any]:
    head: dict[str, Any] = {"id": pf_id, "specVersion": content["specVersion"]}
    if preceding:
        head["precedingPfIds"] = preceding
    head.update(created=created, status="Active")
    return {**head, **{k: v for k, v in content.items() if k not in _HEAD}}


def publish(
    store: GraphStore,
    result: LcaResult,
    product_ids: list[str],
    public_base_url: str,
    *,
    mc: int = 0,
    skip_unmappable: bool = False,
) -> list[Published]:
    """Publish ``product_ids`` from ``result`` into ``store`` (one write for all of them)."""
    existing = store.list(PactFootprint)
    active: dict[str, list[PactFootprint]] = {}
    for rec in existing:
        if rec.status == "Active":
            active.setdefault(rec.product, []).append(rec)
    writes: list[PactFootprint] = []
    out: list[Published] = []
    for pid in product_ids:
        if pid not in result.graph.products:
            raise TanlianError(f"no product {pid!r} in the store")
        try:
            content = footprint_content(result, pid, public_base_url)
        except UnmappableUnit as exc:
            if not skip_unmappable:
                raise TanlianError(f"product {pid!r}: {exc}") from exc
            out.append(Published(pid, "skipped", reason=str(exc)))
            continue
        fp = fingerprint(content)
        same = [r for r in active.get(pid, []) if r.fingerprint == fp]
        if same:
            out.append(Published(pid, "unchanged", same[0].id))
            continue
        old = sorted(active.get(pid, []), key=lambda r: (r.created, r.id))
        created, pf_id = _now(), str(uuid.uuid4())
        doc = _document(pf_id, created, [r.id for r in old], content)
        check_v3(doc)
        p = result.graph.products[pid]
        writes.append(
            PactFootprint(
                id=pf_id,
                product=pid,
                enterprise=p.enterprise,
                status="Active",
                fingerprint=fp,
                year=result.graph.year,
                created=created,
                document=doc,
                label=label_figures(result, pid, mc=mc),
            )
        )
        for r in old:
            writes.append(
                r.model_copy(update={"status": "Deprecated", "document": {**r.document, "status": "Deprecated"}})
            )
        out.append(Published(pid, "new", pf_id, tuple(r.id for r in old)))
    if writes:
        store.upsert(writes)
    return out


#: every published footprint, oldest first, per (store, auxiliary revision): publishing or
#: deprecating one bumps that revision, so a list is never stale, and partners polling
#: ListFootprints do not re-read and re-validate every record per request (~2 s at 10k)
_LISTS: Lru[list[PactFootprint]] = Lru(4)
_FLIGHT: SingleFlight[list[PactFootprint]] = SingleFlight()


def published(store: GraphStore) -> list[PactFootprint]:
    """Every published footprint (Active and Deprecated), oldest first; one list per auxiliary
    revision of the store (read-only: callers copy before changing a record)."""
    key = (store.url, getattr(store, "database", None), store.aux_revision())
    recs = _LISTS.get(key)
    if recs is None:
        recs = _FLIGHT.do(key, lambda: sorted(store.list(PactFootprint), key=lambda r: (r.created, r.id)))
        _LISTS.put(key, recs)
    return recs


def active_for(store: GraphStore, product_id: str) -> PactFootprint:
    """The product's Active published footprint (NotFound: only published footprints get labels)."""
    found = [r for r in store.list(PactFootprint) if r.product == product_id and r.status == "Active"]
    if not found:
        raise NotFound("published footprint of product", product_id)
    return max(found, key=lambda r: (r.created, r.id))


def has_label(store: GraphStore, product_id: str) -> bool:
    """Whether the product has an Active published footprint (only those get a label)."""
    return any(r.product == product_id and r.status == "Active" for r in store.list(PactFootprint))
