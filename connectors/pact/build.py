"""A solved product → the content of a PACT v3 ProductFootprint (everything but id, created, status).

Values are per declared unit (:mod:`units`), cradle to gate, as Tanlian computes them: the whole
intensity is fossil (Tanlian has no biogenic accounting), so pcfExcluding = pcfIncluding =
fossilGhgEmissions; fossilCarbonContent is "0" (carbon content of the product is not modelled);
exemptedEmissionsPercent is "0" (nothing is cut off). primaryDataShare is the share of the
intensity that comes from the makers' own activity data (Scope 1 + 2 of every enterprise in the
supply graph, and imported supplier footprints at their declared share), the rest coming from
secondary factors. The DQRs are the primary-share-weighted mean of 1 (primary data) and 3
(secondary average factors).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote, urlparse

import numpy as np

from tanlian import __version__
from tanlian.connectors.pact.decimals import dec
from tanlian.connectors.pact.geography import geography
from tanlian.connectors.pact.units import declared_unit
from tanlian.errors import TanlianError
from tanlian.lca.core.result import LcaResult
from tanlian.lca.core.uncertainty import percentiles

SPEC_VERSION = "3.0.0"
CROSS_SECTORAL = ["ISO14067", "GHGP-Product"]
VALIDITY_YEARS = 3  # spec default: 3 years from the end of the reference period
SECONDARY_DQR = 3.0


def urn_domain(public_base_url: str) -> str:
    """The URN domain: the host of ``TANLIAN_PUBLIC_BASE_URL``."""
    host = urlparse(public_base_url).hostname
    if not host:
        raise TanlianError(f"TANLIAN_PUBLIC_BASE_URL {public_base_url!r} has no host name")
    return host.lower()


def _part(text: str) -> str:
    return quote(text, safe="-._~")


def company_urn(domain: str, enterprise_id: str) -> str:
    return f"urn:pact:{domain}:company-id:{_part(enterprise_id)}"


def product_urn(domain: str, product_id: str) -> str:
    return f"urn:pact:{domain}:product-id:{_part(product_id)}"


def cpc_urn(code: str) -> str:
    return f"urn:pact:productclassification:un-cpc:{_part(code.strip())}"


def split_ids(text: str | None) -> list[str]:
    """The URNs of a ``pact_ids`` column (``;``-separated)."""
    return [x.strip() for x in (text or "").split(";") if x.strip()]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def primary_intensity(result: LcaResult) -> np.ndarray:
    """(n,) kgCO2e per unit of each product that comes from primary data (see module docstring)."""

    def build() -> np.ndarray:
        b = result.system.b_direct.sum(axis=1).copy()
        for pid, o in result.overrides.items():
            b[result.idx(pid)] = o.kgco2e_per_unit * (o.primary_share or 0.0)
        return np.asarray(result.solver.solve(b)[0]).reshape(-1)

    return result.memo.get("pact.primary", build)


def primary_share(result: LcaResult, product_id: str) -> float | None:
    """0–1 share of the product's intensity from primary data (None for a zero intensity)."""
    j = result.idx(product_id)
    total = float(result.intensity[j])
    if total <= 0:
        return None
    return float(min(max(primary_intensity(result)[j] / total, 0.0), 1.0))


def year_of(result: LcaResult) -> int:
    year = result.graph.year
    if year is None:
        raise TanlianError("the accounting year is unknown (the store needs exactly one park year)")
    return year


def footprint_content(result: LcaResult, product_id: str, public_base_url: str) -> dict[str, Any]:
    """The v3 ProductFootprint of ``product_id`` without id, created, status and precedingPfIds."""
    g = result.graph
    p = g.products.get(product_id)
    if p is None:
        raise TanlianError(f"no product {product_id!r}")
    ent = g.enterprises[p.enterprise]
    domain = urn_domain(public_base_url)
    unit = declared_unit(p.unit)  # UnmappableUnit names the unit
    year = year_of(result)
    j = result.idx(product_id)
    per_declared = float(result.intensity[j]) / unit.per_product_unit
    mass = 1.0 if unit.name == "kilogram" else (p.mass_kg or 0.0) / unit.per_product_unit
    start, end = f"{year}-01-01T00:00:00Z", f"{year + 1}-01-01T00:00:00Z"
    share = primary_share(result, product_id)
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": unit.name,
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": dec(mass),
        "referencePeriodStart": start,
        "referencePeriodEnd": end,
        **geography(g, ent.id),
        "boundaryProcessesDescription": (
            f"Cradle to gate: raw materials, energy, transport of inputs, waste treatment and the maker's own "
            f"processes ({result.system.allocations[ent.id].rule} allocation), {year}."
        ),
        "pcfExcludingBiogenicUptake": dec(per_declared),
        "pcfIncludingBiogenicUptake": dec(per_declared),
        "fossilGhgEmissions": dec(per_declared),
        "fossilCarbonContent": "0",
        "ipccCharacterizationFactors": [result.system.gwp_set],
        "crossSectoralStandards": list(CROSS_SECTORAL),
        "exemptedEmissionsPercent": "0",
        "allocationRulesDescription": f"{result.system.allocations[ent.id].rule} allocation (ISO 14044 order)",
    }
    if share is not None:
        pcf["primaryDataShare"] = dec(100 * share, 4)
        dqr = dec(1.0 * share + SECONDARY_DQR * (1 - share), 2)
        pcf["dqi"] = {"technologicalDQR": dqr, "geographicalDQR": dqr, "temporalDQR": dqr}
        if share < 1:
            pcf["secondaryEmissionFactorSources"] = [{"name": "Tanlian factor library", "version": __version__}]
    ids = _unique([product_urn(domain, p.id), *split_ids(p.pact_ids)])
    doc: dict[str, Any] = {
        "specVersion": SPEC_VERSION,
        "validityPeriodStart": end,
        "validityPeriodEnd": f"{year + 1 + VALIDITY_YEARS}-01-01T00:00:00Z",
        "companyName": ent.name,
        "companyIds": _unique([company_urn(domain, ent.id), *split_ids(ent.pact_ids)]),
        "productDescription": f"{p.name or p.id} ({p.unit}), cradle-to-gate carbon footprint {year}",
        "productIds": ids,
        "productNameCompany": p.name or p.id,
        "comment": (
            f"Computed by Tanlian {__version__} (GB/T 24067 / ISO 14067, {result.system.gwp_set} GWP100, "
            f"{result.system.scope2}-based Scope 2) from the {year} supply graph."
        ),
        "pcf": pcf,
    }
    if p.cpc:
        doc["productClassifications"] = [cpc_urn(p.cpc)]
    return doc


def fingerprint(content: dict[str, Any]) -> str:
    """sha256 of the content (stable key order): equal content → equal fingerprint."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def contributors(result: LcaResult, product_id: str) -> list[tuple[str, float]]:
    """What the product's intensity is made of, kgCO2e per product unit, largest first: each graph
    input (units used × its intensity) and each of the maker's own burdens (by factor or gas)."""
    g, s = result.graph, result.system
    j = result.idx(product_id)
    if product_id in result.overrides:
        return [("supplier footprint (PACT)", float(result.intensity[j]))]
    parts: dict[str, float] = {}
    csc = result.memo.get("pact.M_csc", s.M.tocsc)
    start, stop = csc.indptr[j], csc.indptr[j + 1]
    for i, units in zip(csc.indices[start:stop], csc.data[start:stop], strict=True):
        q = g.products[s.products[i]]
        key = q.name or q.id
        parts[key] = parts.get(key, 0.0) + float(units * result.intensity[i])
    p = g.products[product_id]
    alloc = s.allocations[p.enterprise]
    weight = alloc.shares.get(product_id, 0.0) / p.output
    book = result.book
    for ln in result.lines_by_enterprise.get(p.enterprise, []):
        if ln.scope2_method not in (None, s.scope2):
            continue
        name = ln.counterpart
        if ln.factor:
            f = book.get(ln.factor)
            name = f.name or f.id
        key = f"{name} (own {'Scope ' + str(ln.scope) if ln.scope < 3 else 'purchases'})"
        parts[key] = parts.get(key, 0.0) + ln.kg * book.gwp_of(ln.gas) * weight
    return sorted(((k, v) for k, v in parts.items() if v), key=lambda kv: -kv[1])


def label_figures(result: LcaResult, product_id: str, mc: int = 0, seed: int = 42) -> dict[str, Any]:
    """The figures a label shows, per declared unit, frozen at publication."""
    p = result.graph.products[product_id]
    unit = declared_unit(p.unit)
    j = result.idx(product_id)
    scale = 1.0 / unit.per_product_unit
    share = primary_share(result, product_id)
    out: dict[str, Any] = {
        "product_name": p.name or p.id,
        "maker_name": result.graph.enterprises[p.enterprise].name,
        "declared_unit": unit.name,
        "kgco2e": float(result.intensity[j]) * scale,
        "direct_kgco2e": float(result.direct[j]) * scale,
        "upstream_kgco2e": float(result.intensity[j] - result.direct[j]) * scale,
        "top_contributors": [{"name": k, "kgco2e": v * scale} for k, v in contributors(result, product_id)[:3]],
        "primary_data_share": share,
        "gwp": result.system.gwp_set,
        "scope2_method": result.system.scope2,
        "method": "GB/T 24067-2024 / ISO 14067:2018",
    }
    if mc:
        p5, _, p95 = result.memo.get(
            f"pact.mc.{mc}.{seed}", lambda: percentiles(result, mc, seed)
        )  # all products at once
        out["uncertainty"] = {"p5": float(p5[j]) * scale, "p95": float(p95[j]) * scale, "samples": mc}
    return out
