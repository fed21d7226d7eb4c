"""The label object: what a label shows, taken only from a published footprint.

Keys (all figures per declared unit, kgCO2e): ``pf_id``, ``status``, ``product_name``,
``maker_name``, ``declared_unit``, ``kgco2e`` (= pcfExcludingBiogenicUptake), ``direct_kgco2e``
(the maker's Scope 1 + 2), ``upstream_kgco2e`` (everything before the gate), ``top_contributors``
(three largest parts: name, kgco2e), ``reference_period`` (start, end, year), ``method``
(standards and GWP set), ``primary_data_share`` (percent or null), ``uncertainty`` (p5, p95,
samples; null when no Monte Carlo ran at publication), ``url`` (the public label page).
"""

from __future__ import annotations

from typing import Any

from tanlian.connectors.pact.decimals import to_float
from tanlian.graph.model import PactFootprint


def label_url(public_base_url: str, pf_id: str) -> str:
    """The public label page of a footprint."""
    return f"{public_base_url.rstrip('/')}/labels/{pf_id}"


def label_object(record: PactFootprint, public_base_url: str) -> dict[str, Any]:
    """The label object of a published footprint (see module docstring)."""
    doc, fig = record.document, record.label
    pcf = doc["pcf"]
    start, end = pcf["referencePeriodStart"], pcf["referencePeriodEnd"]
    share = pcf.get("primaryDataShare")
    return {
        "pf_id": record.id,
        "status": record.status,
        "product_name": doc["productNameCompany"],
        "maker_name": doc["companyName"],
        "declared_unit": pcf["declaredUnitOfMeasurement"],
        "kgco2e": to_float(pcf["pcfExcludingBiogenicUptake"]),
        "direct_kgco2e": fig.get("direct_kgco2e"),
        "upstream_kgco2e": fig.get("upstream_kgco2e"),
        "top_contributors": fig.get("top_contributors", [])[:3],
        "reference_period": {"start": start, "end": end, "year": record.year},
        "method": {
            "standards": ["GB/T 24067", "ISO 14067", *pcf["crossSectoralStandards"]],
            "gwp": ", ".join(pcf["ipccCharacterizationFactors"]) + " GWP100",
            "scope2": fig.get("scope2_method"),
        },
        "primary_data_share": None if share is None else to_float(share),
        "uncertainty": fig.get("uncertainty"),
        "url": label_url(public_base_url, record.id),
    }


def fmt(value: float | None, digits: int = 4) -> str:
    """A figure for people: ``digits`` significant digits, no exponent for usual magnitudes."""
    if value is None:
        return "–"
    return f"{value:.{digits}g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.3e}"
