"""POST /v1/imports: zipped CSV bundles and workbooks, validated like the CLI, unzipped safely."""

from __future__ import annotations

import io
import shutil
import zipfile

from tanlian.connectors.bundle import export_bundle
from tanlian.graph.model import Enterprise

from .helpers import MINI, bearer, zip_dir


def _post(world, name: str, content: bytes, query: str = ""):
    files = {"file": (name, content, "application/octet-stream")}
    return world.api.post(f"/v1/imports{query}", files=files, headers=bearer(world.tokens["park_admin"]))


def test_valid_zip_imports_and_data_is_visible(fresh_world, tmp_path):
    bundle = tmp_path / "b"
    shutil.copytree(MINI, bundle)
    (bundle / "enterprises.csv").write_text(
        (MINI / "enterprises.csv").read_text() + "D,Delta Foundry,P1,CN-East,,,,true\n"
    )
    r = _post(fresh_world, "bundle.zip", zip_dir(bundle, prefix="bundle/"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["added"]["enterprises"] == 1 and body["unchanged"]["products"] == 3
    assert body["revision"] == fresh_world.store.revision()
    assert fresh_world.store.get(Enterprise, "D") is not None
    h = bearer(fresh_world.tokens["auditor"])
    assert fresh_world.api.get("/v1/enterprises/D", headers=h).status_code == 200


def test_reimport_is_idempotent(fresh_world):
    rev = fresh_world.store.revision()
    r = _post(fresh_world, "mini.zip", zip_dir(MINI))
    assert r.status_code == 200 and r.json()["revision"] == rev


def test_xlsx_upload(fresh_world, tmp_path):
    path = export_bundle(fresh_world.store.snapshot(), tmp_path / "mini.xlsx")
    r = _post(fresh_world, "mini.xlsx", path.read_bytes())
    assert r.status_code == 200, r.text


def test_bad_row_is_422_listing_the_row(fresh_world, tmp_path):
    bundle = tmp_path / "b"
    shutil.copytree(MINI, bundle)
    text = (MINI / "products.csv").read_text().replace("B1,B,Bracket,t,40,", "B1,B,Bracket,t,-40,")
    (bundle / "products.csv").write_text(text)
    rev = fresh_world.store.revision()
    r = _post(fresh_world, "bad.zip", zip_dir(bundle))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert {"file": "products.csv", "row": 4, "column": "output"}.items() <= errors[0].items()
    assert fresh_world.store.revision() == rev  # nothing written


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_slip_is_rejected(fresh_world, tmp_path):
    for evil in ("../evil.csv", "/etc/evil.csv", "a/../../evil.csv"):
        r = _post(fresh_world, "evil.zip", _zip({evil: b"id\n1\n"}))
        assert r.status_code == 422, evil
        assert "unsafe path" in r.json()["errors"][0]["reason"]
    assert not (tmp_path.parent / "evil.csv").exists()


def test_not_a_zip_and_empty_zip(fresh_world):
    assert _post(fresh_world, "x.zip", b"not a zip").status_code == 422
    r = _post(fresh_world, "x.zip", _zip({"readme.txt": b"hi"}))
    assert r.status_code == 422 and "no CSV" in r.json()["errors"][0]["reason"]


def test_zip_bomb_is_413(fresh_world, monkeypatch):
    from tanlian.api.routes import imports

    monkeypatch.setattr(imports, "MAX_UNZIPPED", 1000)
    r = _post(fresh_world, "big.zip", _zip({"enterprises.csv": b"x" * 5000}))
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
