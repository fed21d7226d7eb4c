"""Spec rules → clear errors: which footprint, which field, what value, which rule it breaks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from tanlian.connectors.pact.model_v2 import ProductFootprintV2
from tanlian.connectors.pact.model_v3 import ProductFootprint
from tanlian.errors import RowError, TanlianError, ValidationFailed


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _value(v: Any) -> str | None:
    if v is None or isinstance(v, dict | list):
        return None
    text = str(v)
    return text if len(text) <= 120 else text[:120] + "…"


def rule_errors(exc: ValidationError, source: str, item: int | None) -> list[RowError]:
    """One error per violated rule (field path as the column; ``item`` = position in the input, from 1)."""
    return [
        RowError(source, item, _path(tuple(e.get("loc", ()))) or None, _value(e.get("input")), e.get("msg", "invalid"))
        for e in exc.errors()
    ]


def model_for(obj: Any) -> type[BaseModel]:
    """The model of a footprint by its specVersion (2.x → v2.3 rules, 3.x → v3 rules)."""
    version = obj.get("specVersion") if isinstance(obj, dict) else None
    if isinstance(version, str) and version.startswith("2."):
        return ProductFootprintV2
    return ProductFootprint


def validate_footprints(items: list[Any], source: str) -> list[BaseModel]:
    """Validate every footprint; raise ValidationFailed listing every violated rule of every item."""
    errors: list[RowError] = []
    out: list[BaseModel] = []
    for k, obj in enumerate(items, start=1):
        if not isinstance(obj, dict):
            errors.append(RowError(source, k, None, None, "a ProductFootprint must be a JSON object"))
            continue
        version = obj.get("specVersion")
        if not (isinstance(version, str) and version[:2] in ("2.", "3.")):
            errors.append(RowError(source, k, "specVersion", _value(version), "specVersion must be 2.x (v2.3) or 3.x"))
            continue
        try:
            out.append(model_for(obj).model_validate(obj))
        except ValidationError as exc:
            errors.extend(rule_errors(exc, source, k))
    if errors:
        raise ValidationFailed(errors)
    return out


def check_v3(doc: dict[str, Any]) -> ProductFootprint:
    """Our own document must satisfy the v3 rules and name exactly one geography (a bug otherwise)."""
    try:
        pf = ProductFootprint.model_validate(doc)
    except ValidationError as exc:
        raise TanlianError(f"produced an invalid PACT footprint: {exc}") from exc
    geos = [
        k
        for k in ("geographyCountry", "geographyCountrySubdivision", "geographyRegionOrSubregion")
        if doc["pcf"].get(k)
    ]
    if len(geos) != 1:
        raise TanlianError(f"produced a footprint with {len(geos)} geographies")
    return pf
