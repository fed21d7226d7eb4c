"""ListFootprints criteria (v3): productId, companyId, geography, classification, validOn,
validAfter, validBefore, status. OR within a criterion, AND across criteria, case-insensitive;
a value that matches nothing gives an empty list (never an error); an empty value is no
criterion. Without a validity period a footprint is valid from its reference period end for 3
years (the spec's default).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tanlian.connectors.pact.geography import geography_values

LIST_CRITERIA = ("productId", "companyId", "geography", "classification", "status")
DATE_CRITERIA = ("validOn", "validAfter", "validBefore")


class BadCriterion(ValueError):
    """A criterion value that cannot be read (a date that is not RFC 3339)."""


def parse_time(text: str) -> datetime:
    """An RFC 3339 date-time (``Z`` or offset; a bare date is midnight UTC)."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadCriterion(f"{text!r} is not an RFC 3339 date-time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class Criteria:
    """Values per criterion (lists lower-cased; dates parsed)."""

    values: dict[str, set[str]] = field(default_factory=dict)
    dates: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def from_items(cls, items: Iterable[tuple[str, Any]]) -> Criteria:
        """From (name, value) pairs (query parameters or a RequestCreated event's data); a value
        may be a list; names other than the criteria are ignored."""
        c = cls()
        for name, value in items:
            raw = value if isinstance(value, list) else [value]
            values = [str(v).strip() for v in raw if v is not None and str(v).strip()]  # empty: not given
            if name in LIST_CRITERIA and values:
                c.values.setdefault(name, set()).update(v.lower() for v in values)
            elif name in DATE_CRITERIA and values:
                c.dates[name] = parse_time(str(values[-1]))
        return c

    @classmethod
    def from_event_data(cls, data: Mapping[str, Any]) -> Criteria:
        return cls.from_items(data.items())

    def __bool__(self) -> bool:
        return bool(self.values or self.dates)


def _validity(doc: dict[str, Any]) -> tuple[datetime, datetime]:
    if doc.get("validityPeriodStart") and doc.get("validityPeriodEnd"):
        return parse_time(doc["validityPeriodStart"]), parse_time(doc["validityPeriodEnd"])
    end = parse_time(doc["pcf"]["referencePeriodEnd"])
    return end, end + timedelta(days=3 * 365)


def matches(doc: dict[str, Any], c: Criteria) -> bool:
    """Whether a v3 document meets every criterion."""
    fields = {
        "productId": doc.get("productIds") or [],
        "companyId": doc.get("companyIds") or [],
        "geography": geography_values(doc.get("pcf") or {}),
        "classification": doc.get("productClassifications") or [],
        "status": [doc.get("status", "")],
    }
    for name, wanted in c.values.items():
        if not wanted & {str(v).lower() for v in fields[name]}:
            return False
    if c.dates:
        start, end = _validity(doc)
        on = c.dates.get("validOn")
        if on is not None and not start <= on <= end:
            return False
        after = c.dates.get("validAfter")
        if after is not None and not after < start:
            return False
        before = c.dates.get("validBefore")
        if before is not None and not before > end:
            return False
    return True
