"""Item 2: who may write which enterprise; the output check counts stored flows."""

from __future__ import annotations

from tanlian.graph.model import AuditEntry, Enterprise, Product

from .helpers import enterprises, table, upload

X06_IN_P1 = "X06,Secret Forge,P1,CN-East,30.90,121.20,economic,true"
X06_RENAMED = "X06,Renamed Forge,,CN-East,30.90,121.20,economic,false"


def test_park_admin_cannot_claim_an_outside_enterprise(parks):
    """The probe ``X06,X06,P1,true``: claiming an outside enterprise no park created is refused, and
    X06 stays outside, not sharing, with its raw flows hidden from P1."""
    r = upload(parks.api, parks.h("p1_admin"), enterprises(X06_IN_P1))
    assert r.status_code == 403, r.text
    x06 = parks.store.get(Enterprise, "X06")
    assert x06.park is None and x06.share_footprints is False
    assert parks.api.get("/v1/flows/FX6", headers=parks.h("p1_admin")).status_code == 404


def test_park_admin_cannot_edit_an_outside_enterprise_it_did_not_create(parks):
    assert upload(parks.api, parks.h("p1_admin"), enterprises(X06_RENAMED)).status_code == 403
    assert upload(parks.api, parks.h("p2_admin"), enterprises(X06_RENAMED)).status_code == 403
    assert parks.store.get(Enterprise, "X06").name == "Secret Forge"


def test_platform_admin_edits_any_outside_enterprise(parks):
    r = upload(parks.api, parks.h("platform"), enterprises(X06_RENAMED))
    assert r.status_code == 200, r.text
    assert parks.store.get(Enterprise, "X06").name == "Renamed Forge"


def test_an_outside_enterprise_belongs_to_the_park_that_created_it(parks):
    """P1 creates X10 (owner P1 recorded) and may edit it; P2 may neither edit nor claim it."""
    assert upload(parks.api, parks.h("p1_admin"), enterprises("X10,New Supplier,,CN-East,,,,true")).status_code == 200
    assert parks.store.get(Enterprise, "X10").owner_park == "P1"
    assert upload(parks.api, parks.h("p1_admin"), enterprises("X10,New Name,,CN-East,,,,true")).status_code == 200
    assert parks.store.get(Enterprise, "X10").name == "New Name"
    assert upload(parks.api, parks.h("p2_admin"), enterprises("X10,Taken,,CN-East,,,,true")).status_code == 403
    assert upload(parks.api, parks.h("p2_admin"), enterprises("X10,Taken,P2,CN-East,,,,true")).status_code == 403
    assert upload(parks.api, parks.h("p1_admin"), enterprises("X10,Forged,,,,,,true,P2")).status_code in (403, 422)
    x10 = parks.store.get(Enterprise, "X10")
    assert (x10.name, x10.park, x10.owner_park) == ("New Name", None, "P1")


def test_park_admin_cannot_write_another_parks_rows(parks):
    """Products of P2's enterprise, a flow into P2, and P2's park row are all refused to P1."""
    head = table("products").splitlines()[0]
    new = {**enterprises(), "products": f"{head}\nZ1NEW,Z1,x,t,1,product,,100,1000,\n"}
    r = upload(parks.api, parks.h("p1_admin"), new)
    assert r.status_code == 403 and "Z1NEW" in r.json()["detail"]
    flows_head = table("flows").splitlines()[0]
    r = upload(parks.api, parks.h("p1_admin"), {**enterprises(), "flows": f"{flows_head}\nFN,A1,Z1,1,t,,,,,\n"})
    assert r.status_code == 403 and "FN" in r.json()["detail"]
    assert parks.store.get(Product, "Z1NEW") is None


def test_rewriting_output_below_stored_outflows_is_refused(parks):
    """X01_BILLET: 55 000 t of stored flows leave it (FB 50 000 t to A, FZ 5 000 t to Z1); a
    bundle setting its output to 1 t is refused whoever sends it, and nothing changes."""
    head = table("products").splitlines()[0]
    rewrite = {**enterprises(), "products": f"{head}\nX01_BILLET,X01,Billet,t,1,product,,3000,1000,41241\n"}
    for who in ("platform", "p1_admin"):
        r = upload(parks.api, parks.h(who), rewrite)
        assert r.status_code in (403, 422), r.text
    r = upload(parks.api, parks.h("platform"), rewrite)
    assert "55000" in r.text and "stored flows" in r.text
    assert parks.store.get(Product, "X01_BILLET").output == 60000


def test_every_write_is_audited_and_readable_by_its_park(parks):
    rev = parks.store.revision()
    assert upload(parks.api, parks.h("p1_admin"), enterprises("X11,Audit Me,,CN-East,,,,true")).status_code == 200
    (entry,) = parks.store.list(AuditEntry)
    assert (entry.client, entry.park, entry.action, entry.revision_before) == (
        parks.creds["p1_admin"][0],
        "P1",
        "import",
        rev,
    )
    assert entry.revision_after == rev + 1 and len(entry.bundle_sha256) == 64
    mine = parks.api.get("/v1/audit", headers=parks.h("p1_admin")).json()
    assert [e["id"] for e in mine["items"]] == [entry.id]
    assert parks.api.get("/v1/audit", headers=parks.h("p2_admin")).json()["items"] == []
    assert parks.api.get("/v1/audit?park=P1", headers=parks.h("p2_admin")).status_code == 404
    assert len(parks.api.get("/v1/audit", headers=parks.h("platform")).json()["items"]) == 1
    for who in ("p1_auditor", "ent_B", "partner"):
        assert parks.api.get("/v1/audit", headers=parks.h(who)).status_code == 403


def test_cli_imports_are_audited(tmp_path):
    """A CLI import that writes is recorded (client ``cli``, the bundle folder's SHA-256); one that
    changes nothing is not a write."""
    from typer.testing import CliRunner

    from tanlian.api.audit import bundle_digest
    from tanlian.cli import app
    from tanlian.graph.embedded import EmbeddedStore

    from .conftest import TWO_PARKS

    url = f"sqlite:///{tmp_path}/cli.db"
    for _ in range(2):
        assert CliRunner().invoke(app, ["import", str(TWO_PARKS), "--store", url]).exit_code == 0
    store = EmbeddedStore(tmp_path / "cli.db")
    try:
        (entry,) = store.list(AuditEntry)
    finally:
        store.close()
    assert (entry.client, entry.role, entry.revision_before, entry.revision_after) == ("cli", "operator", 0, 1)
    assert entry.bundle_sha256 == bundle_digest(TWO_PARKS) and entry.changes["flows"] == 8
