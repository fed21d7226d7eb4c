"""POST /v1/imports: zipped CSV bundles and workbooks, validated like the CLI, unzipped safely."""

from __future__ import annotations

import io
import shutil
import zipfile

from tanlian.connectors.bundle import export_bundle
from tanlian.graph.model import Enterprise, Product

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
    from tanlian.graph.model import AuditEntry

    (entry,) = fresh_world.store.list(AuditEntry)  # audited; an aux record: the revision stays
    assert body["revision"] == entry.revision_after == fresh_world.store.revision()
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


def _other_park(world) -> None:
    from tanlian.graph.model import Park

    world.store.upsert([Park(id="P2", name="Other park", year=2022), Enterprise(id="Z", name="Zeta", park="P2")])


def _bundle_with(tmp_path, file: str, extra: str):
    bundle = tmp_path / "b"
    shutil.copytree(MINI, bundle)
    text = (MINI / file).read_text() if (MINI / file).exists() else ""
    (bundle / file).write_text(text + extra)
    return zip_dir(bundle)


def test_admin_cannot_write_into_another_park(fresh_world, tmp_path):
    _other_park(fresh_world)
    before = fresh_world.store.snapshot().records()
    r = _post(fresh_world, "b.zip", _bundle_with(tmp_path, "flows.csv", "F9,A1,Z,1,t,,,,,\n"))
    assert r.status_code == 403 and "flow F9" in r.json()["detail"]
    assert fresh_world.store.snapshot().records() == before


def test_admin_cannot_rename_another_parks_enterprise_or_add_its_park(fresh_world, tmp_path):
    _other_park(fresh_world)
    r = _post(fresh_world, "b.zip", _bundle_with(tmp_path, "enterprises.csv", "Z,Renamed,,,,,,true\n"))
    assert r.status_code == 403 and "enterprise Z" in r.json()["detail"]
    r = _post(fresh_world, "b.zip", _bundle_with(tmp_path / "2", "parks.csv", "P3,Third,Jiangsu,2022\n"))
    assert r.status_code == 403 and "park P3" in r.json()["detail"]


def test_admin_cannot_change_a_shared_factor(fresh_world, tmp_path):
    row = "grid_CN_2022,hacked grid,kWh,0.001,energy,grid,0.001,,,x,2022,CN\n"
    r = _post(fresh_world, "b.zip", _bundle_with(tmp_path, "factors.csv", row))
    assert r.status_code == 403 and "grid_CN_2022" in r.json()["detail"]


def test_replace_is_refused_while_other_parks_share_the_store(fresh_world):
    _other_park(fresh_world)
    r = _post(fresh_world, "mini.zip", zip_dir(MINI), "?replace=true")
    assert r.status_code == 403 and "park P2 would be removed" in r.json()["detail"]
    assert fresh_world.store.get(Enterprise, "Z") is not None


def test_misspelt_header_is_422_naming_it_and_allow_extra_keeps_it(fresh_world, tmp_path):
    bundle = tmp_path / "b"
    shutil.copytree(MINI, bundle)
    text = (MINI / "enterprises.csv").read_text().replace("share_footprints", "share_footprint")
    # only the park's own enterprises: C is outside every park and not the park's to rewrite
    text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("C,"))
    (bundle / "enterprises.csv").write_text(text)
    rev = fresh_world.store.revision()
    r = _post(fresh_world, "typo.zip", zip_dir(bundle))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    (err,) = r.json()["errors"]
    assert err == {
        "file": "enterprises.csv",
        "row": 1,
        "column": "share_footprint",
        "reason": "unknown column; did you mean `share_footprints`?",
    }
    assert fresh_world.store.revision() == rev
    r = _post(fresh_world, "typo.zip", zip_dir(bundle), "?allow_extra=true")
    assert r.status_code == 200, r.text
    assert any("`share_footprint` kept as an extra property" in n for n in r.json()["notes"])


def test_replace_without_a_table_is_422_unless_named(fresh_world, tmp_path):
    bundle = tmp_path / "b"
    shutil.copytree(MINI, bundle)
    (bundle / "activities.csv").unlink()
    # C1 (of C, outside every park and not created by P1) would be deleted: not P1's to delete
    assert _post(fresh_world, "b.zip", zip_dir(bundle), "?replace=true&replace_tables=activities").status_code == 403
    fresh_world.store.delete(Product, ["C1"])
    r = _post(fresh_world, "b.zip", zip_dir(bundle), "?replace=true")
    assert r.status_code == 422 and "--replace-tables activities" in r.json()["errors"][0]["reason"]
    r = _post(fresh_world, "b.zip", zip_dir(bundle), "?replace=true&replace_tables=activities")
    assert r.status_code == 200, r.text
    assert r.json()["removed"]["activities"] == len((MINI / "activities.csv").read_text().splitlines()) - 1
