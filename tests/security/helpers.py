"""Helpers of the security tests: bundles as zips, edited copies of the two-park bundle."""

from __future__ import annotations

import io
import zipfile

from .conftest import TWO_PARKS


def zip_tables(tables: dict[str, str]) -> bytes:
    """A zip of CSV files given as name → text."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in tables.items():
            zf.writestr(f"{name}.csv", text)
    return buf.getvalue()


def table(name: str) -> str:
    """The text of one CSV of the two-park bundle."""
    return (TWO_PARKS / f"{name}.csv").read_text()


def enterprises(*rows: str) -> dict[str, str]:
    """An upload of only enterprises.csv (and the products.csv header, which a bundle needs)."""
    header = table("enterprises").splitlines()[0]
    products = table("products").splitlines()[0] + "\n"
    return {"enterprises": "\n".join([header, *rows]) + "\n", "products": products}


def upload(client, headers: dict[str, str], tables: dict[str, str], query: str = ""):
    files = {"file": ("bundle.zip", zip_tables(tables), "application/zip")}
    return client.post(f"/v1/imports{query}", files=files, headers=headers)
