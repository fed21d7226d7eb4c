"""Shared test helpers for the API tests: roles, the loaded mini store, zips, auth headers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tanlian.connectors.bundle import import_bundle
from tanlian.graph.model import Product

MINI = Path(__file__).parents[1] / "data" / "mini"
JWT_SECRET = "test-secret-key-of-at-least-32-bytes!!"

#: role name used in tests → (role, park, enterprise)
ROLES: dict[str, tuple[str, str | None, str | None]] = {
    "park_admin": ("park_admin", "P1", None),
    "auditor": ("auditor", "P1", None),
    "ent_B": ("enterprise", None, "B"),
    "partner": ("partner", None, None),
}


def zip_dir(folder: Path, prefix: str = "") -> bytes:
    """A zip of the CSV files of ``folder`` (optionally under ``prefix/``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.glob("*.csv")):
            zf.write(f, f"{prefix}{f.name}")
    return buf.getvalue()


def load_store(store) -> None:
    """The mini bundle plus C1, a product of C (outside the park, share_footprints=false)."""
    import_bundle(store, MINI)
    store.upsert([Product(id="C1", enterprise="C", name="Assembly", unit="piece", output=1000, price_cny=50)])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
