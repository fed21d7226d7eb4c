"""Supplier footprints in: v3 or v2.3 ProductFootprints (one, a list, or a ``{"data": […]}`` page),
validated, attached to the product they name, stored as :class:`SupplierFootprint` records.

A footprint is attached to the product whose ``pact_ids`` (or Tanlian product URN) matches one
of its productIds; failing that, to the only product of the enterprise whose ``pact_ids``
matches one of its companyIds. Its value (pcfExcludingBiogenicUptake per declared unit,
converted to the product's unit) then replaces that product's intensity in every solve
(:mod:`tanlian.lca.core.override`). A newer import for a product replaces the older one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel

from tanlian.connectors.pact.build import product_urn, split_ids, urn_domain
from tanlian.connectors.pact.client import fetch_footprints, get_token, http_client
from tanlian.connectors.pact.decimals import to_float
from tanlian.connectors.pact.model_v2 import ProductFootprintV2
from tanlian.connectors.pact.units import UnmappableUnit, product_units_per_declared
from tanlian.connectors.pact.validation import validate_footprints
from tanlian.errors import RowError, TanlianError, ValidationFailed
from tanlian.graph.model import Graph, PactPartner, SupplierFootprint
from tanlian.graph.store import GraphStore
from tanlian.sealing import key_for, unseal


@dataclass(frozen=True)
class Imported:
    """What happened to one footprint: ``attached`` to a product, or ``skipped`` (reason)."""

    pf_id: str
    outcome: str
    product: str | None = None
    kgco2e_per_unit: float | None = None
    unit: str | None = None
    reason: str | None = None


def footprints_of(payload: Any, source: str) -> list[Any]:
    """The footprints in a payload: one object, a list, or a ``{"data": …}`` page."""
    if isinstance(payload, dict) and "data" in payload and "specVersion" not in payload:
        payload = payload["data"]
    if isinstance(payload, dict):
        return [payload]
    if isinstance(payload, list):
        return payload
    raise ValidationFailed([RowError(source, None, None, None, 'expected a footprint, a list or {"data": [...]}')])


def read_file(path: Path) -> list[Any]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TanlianError(f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValidationFailed([RowError(path.name, exc.lineno, None, None, f"not JSON: {exc.msg}")]) from exc
    return footprints_of(payload, path.name)


def partner_for(store: GraphStore, url: str) -> PactPartner | None:
    """The stored partner whose host serves ``url`` (longest base URL that prefixes it)."""
    found = [p for p in store.list(PactPartner) if url.startswith(p.base_url.rstrip("/"))]
    return max(found, key=lambda p: len(p.base_url), default=None)


def partner_secret(store: GraphStore, partner: PactPartner) -> str:
    """Our client secret at ``partner``'s host, unsealed with the store's key (:mod:`tanlian.sealing`)."""
    return unseal(partner.client_secret, key_for(store.url))


def read_url(store: GraphStore, url: str, verify: bool | str = True) -> list[Any]:
    """Footprints from a partner's host with its stored credentials; a base URL means its ``/3/footprints``."""
    partner = partner_for(store, url)
    if partner is None:
        raise TanlianError(f"no PACT partner is stored for {url} (tanlian pact partner add …)")
    path = urlparse(url).path.rstrip("/")
    target = url if "/footprints" in path else f"{url.rstrip('/')}/3/footprints"
    with http_client(verify) as client:
        token = get_token(client, partner.base_url, partner.client_id, partner_secret(store, partner))
        return fetch_footprints(client, target, token)


def _per_declared(pf: BaseModel) -> tuple[float, float, str, float | None]:
    """(kgCO2e per declared unit amount, amount, declared unit, primary share 0–1) of v3 or v2.3."""
    pcf = pf.pcf
    if isinstance(pf, ProductFootprintV2):
        value, amount, unit = to_float(pcf.pCfExcludingBiogenic), to_float(pcf.unitaryProductAmount), pcf.declaredUnit
        share = pcf.primaryDataShare
    else:
        value, amount = to_float(pcf.pcfExcludingBiogenicUptake), to_float(pcf.declaredUnitAmount)
        unit = pcf.declaredUnitOfMeasurement
        share = to_float(pcf.primaryDataShare) if pcf.primaryDataShare is not None else None
    return value, amount, unit, None if share is None else share / 100.0


def match_product(graph: Graph, pf: BaseModel, own_domain: str | None) -> str | None:
    """Our product that the footprint names (see module docstring)."""
    wanted = {u.lower() for u in pf.productIds}
    for p in sorted(graph.products.values(), key=lambda p: p.id):
        ids = {u.lower() for u in split_ids(p.pact_ids)}
        if own_domain:
            ids.add(product_urn(own_domain, p.id).lower())
        if ids & wanted:
            return p.id
    companies = {u.lower() for u in pf.companyIds}
    for ent in sorted(graph.enterprises.values(), key=lambda e: e.id):
        if {u.lower() for u in split_ids(ent.pact_ids)} & companies:
            made = [p.id for p in graph.products.values() if p.enterprise == ent.id and p.kind != "waste"]
            if len(made) == 1:
                return made[0]
    return None


def import_footprints(
    store: GraphStore,
    items: list[Any],
    source: str,
    public_base_url: str | None = None,
    allowed: set[str] | None = None,
) -> list[Imported]:
    """Validate (all or nothing) and attach; ``allowed``: product ids the caller may attach to."""
    models = validate_footprints(items, source)
    graph = store.snapshot()
    domain = urn_domain(public_base_url) if public_base_url else None
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out: list[Imported] = []
    new: dict[str, SupplierFootprint] = {}
    for pf, raw in zip(models, items, strict=True):
        pid = match_product(graph, pf, domain)
        if pf.status == "Deprecated":
            out.append(Imported(pf.id, "skipped", pid, reason="status Deprecated: superseded by its successor"))
            continue
        if pid is None or (allowed is not None and pid not in allowed):
            reason = "no product has one of its productIds (or its companyIds) in pact_ids"
            out.append(Imported(pf.id, "skipped", reason=reason if pid is None else f"{pid} is outside your scope"))
            continue
        product = graph.products[pid]
        value, amount, unit, share = _per_declared(pf)
        try:
            per_unit = value / amount / product_units_per_declared(product.unit, unit)
        except UnmappableUnit as exc:
            out.append(Imported(pf.id, "skipped", pid, reason=str(exc)))
            continue
        if per_unit < 0:
            out.append(Imported(pf.id, "skipped", pid, reason="a negative footprint cannot replace an intensity"))
            continue
        new[pid] = SupplierFootprint(
            id=pf.id,
            product=pid,
            kgco2e_per_unit=per_unit,
            primary_data_share=share,
            spec_version=pf.specVersion,
            company_name=pf.companyName,
            source=source,
            imported=now,
            document=raw,
        )
        out.append(Imported(pf.id, "attached", pid, per_unit, product.unit))
    if new:
        stale = [sf.id for sf in store.list(SupplierFootprint) if sf.product in new and sf.id != new[sf.product].id]
        if stale:
            store.delete(SupplierFootprint, stale)
        store.upsert(list(new.values()))
    return out
