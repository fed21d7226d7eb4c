"""The audit log: one :class:`~tanlian.graph.model.AuditEntry` per write, kept in the store.

Imports through the API are recorded with the client, the time, the SHA-256 of the uploaded file
and the store revision before and after; client changes made with the CLI are recorded too.
Park admins read the entries of their park (their own writes and platform admins' writes that
touched it); platform admins read every entry.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from tanlian.api.auth import Principal
from tanlian.graph.model import AuditEntry
from tanlian.graph.store import GraphStore, ImportSummary


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def record(store: GraphStore, entry: dict) -> AuditEntry:
    """Store one entry (``at`` and ``id`` filled in; ids sort by time)."""
    at = entry.get("at") or _now()
    e = AuditEntry.model_validate({**entry, "at": at, "id": f"{at}|{uuid.uuid4().hex[:12]}"})
    store.upsert([e])
    return e


def record_import(
    store: GraphStore,
    who: Principal,
    sha256: str,
    replace: bool,
    summary: ImportSummary,
    parks: Iterable[str],
) -> AuditEntry:
    """Audit an accepted import (also one that changed nothing: revision before = after)."""
    touched = {f: summary.added[f] + summary.changed[f] + summary.removed[f] for f in summary.added}
    return record(
        store,
        {
            "client": who.sub,
            "role": who.role,
            "park": who.park,
            "parks": sorted(set(parks) | ({who.park} if who.park else set())),
            "action": "import",
            "bundle_sha256": sha256,
            "replace": replace,
            "revision_before": summary.revision_before,
            "revision_after": summary.revision_after,
            "changes": {f: n for f, n in touched.items() if n},
        },
    )


def bundle_digest(path: Path) -> str:
    """SHA-256 of a bundle: of the file (.xlsx), or of a folder's CSV files (names and bytes, by name)."""
    digest = hashlib.sha256()
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            digest.update(f.name.encode() + b"\0")
        digest.update(f.read_bytes())
    return digest.hexdigest()


def record_cli_import(store: GraphStore, bundle: Path, replace: bool, summary: ImportSummary) -> AuditEntry:
    """Audit an import made with the CLI (the operator: every park)."""
    operator = Principal("cli", "operator")  # type: ignore[arg-type]  # not an API role
    return record_import(store, operator, bundle_digest(bundle), replace, summary, [])


def readable(entries: Iterable[AuditEntry], who: Principal, park: str | None = None) -> list[AuditEntry]:
    """The entries ``who`` may read (optionally of one ``park``), oldest first."""
    if who.role == "platform_admin":
        out = [e for e in entries if park is None or park == e.park or park in e.parks]
    else:
        out = [e for e in entries if who.park is not None and (who.park == e.park or who.park in e.parks)]
    return sorted(out, key=lambda e: e.id)
