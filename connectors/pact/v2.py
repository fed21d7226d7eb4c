"""v2.3 views of published v3 footprints, derived on the fly (nothing is stored twice).

Defaults for what v2.3 requires and v3 lacks (docs/pact.md): ``version`` 0 (v3 ids are
immutable: a change is a new id), ``productCategoryCpc`` the CPC code of the first un-cpc
classification (else ``"n/a"``), ``comment`` the v3 comment (else ``""``),
``biogenicCarbonContent`` ``"0"``, ``exemptedEmissionsDescription`` ``""`` (nothing exempted),
``packagingEmissionsIncluded`` ``false``, ``characterizationFactors`` the first IPCC set,
``crossSectoralStandardsUsed`` mapped from ISO14067 / GHGP-Product / ISO14040-44. Numbers that v2.3
types as JSON numbers (exemptedEmissionsPercent, primaryDataShare) are converted; dqi is left out
(v2.3 rates 1–3 with coverage and five ratings). A footprint per piece, hour or megabit second
has no v2.3 declared unit: it is left out of ``/2`` (see :func:`v2_view`'s reason).
"""

from __future__ import annotations

from typing import Any

from tanlian.connectors.pact.decimals import to_float
from tanlian.connectors.pact.units import V2_UNITS

CPC_PREFIX = "urn:pact:productclassification:un-cpc:"
_STANDARDS_V2 = {
    "ISO14067": "ISO Standard 14067",
    "GHGP-Product": "GHG Protocol Product standard",
    "ISO14040-44": "ISO Standard 14044",
}
_PCF_RENAMES = {
    "declaredUnitOfMeasurement": "declaredUnit",
    "declaredUnitAmount": "unitaryProductAmount",
    "pcfExcludingBiogenicUptake": "pCfExcludingBiogenic",
    "pcfIncludingBiogenicUptake": "pCfIncludingBiogenic",
}
_PCF_COPY = (
    "productMassPerDeclaredUnit", "referencePeriodStart", "referencePeriodEnd", "geographyCountry",
    "geographyCountrySubdivision", "geographyRegionOrSubregion", "fossilGhgEmissions", "fossilCarbonContent",
    "boundaryProcessesDescription", "allocationRulesDescription", "secondaryEmissionFactorSources",
)  # fmt: skip


def v2_reason(doc: dict[str, Any]) -> str | None:
    """Why a v3 footprint has no v2.3 view (None when it has one)."""
    unit = doc["pcf"]["declaredUnitOfMeasurement"]
    if unit not in V2_UNITS:
        return f"declared unit {unit!r} does not exist in v2.3"
    return None


def v2_view(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The v2.3 ProductFootprint of a v3 one, or None when v2.3 cannot express it."""
    if v2_reason(doc) is not None:
        return None
    pcf3 = doc["pcf"]
    pcf: dict[str, Any] = {new: pcf3[old] for old, new in _PCF_RENAMES.items() if old in pcf3}
    pcf.update({k: pcf3[k] for k in _PCF_COPY if k in pcf3})
    sets = pcf3["ipccCharacterizationFactors"]
    standards = [_STANDARDS_V2[s] for s in pcf3["crossSectoralStandards"] if s in _STANDARDS_V2]
    pcf.update(
        biogenicCarbonContent=pcf3.get("biogenicCarbonContent", "0"),
        characterizationFactors=sets[0] if sets[0] in ("AR5", "AR6") else "AR6",
        ipccCharacterizationFactorsSources=sets,
        crossSectoralStandardsUsed=standards or ["ISO Standard 14067"],
        crossSectoralStandards=pcf3["crossSectoralStandards"],
        exemptedEmissionsPercent=to_float(pcf3["exemptedEmissionsPercent"]),
        exemptedEmissionsDescription=pcf3.get("exemptedEmissionsDescription", ""),
        packagingEmissionsIncluded=bool(pcf3.get("packagingEmissionsIncluded", False)),
    )
    pcf.setdefault("boundaryProcessesDescription", "")
    if "primaryDataShare" in pcf3:
        pcf["primaryDataShare"] = to_float(pcf3["primaryDataShare"])
    classes = doc.get("productClassifications") or []
    cpc = next((c[len(CPC_PREFIX) :] for c in classes if c.startswith(CPC_PREFIX)), "n/a")
    out: dict[str, Any] = {"id": doc["id"], "specVersion": "2.3.0"}
    if doc.get("precedingPfIds"):
        out["precedingPfIds"] = doc["precedingPfIds"]
    out.update(version=0, created=doc["created"], status=doc["status"])
    for k in (
        "validityPeriodStart",
        "validityPeriodEnd",
        "companyName",
        "companyIds",
        "productDescription",
        "productIds",
    ):
        if k in doc:
            out[k] = doc[k]
    out.update(productCategoryCpc=cpc, productNameCompany=doc["productNameCompany"], comment=doc.get("comment", ""))
    out["pcf"] = pcf
    return out
