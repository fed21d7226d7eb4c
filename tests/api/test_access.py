"""Who sees what (DECISIONS 21): every test role × every route, and what lists contain."""

from __future__ import annotations

import pytest

from tanlian.graph.model import Flow

from .helpers import ROLES, bearer

ALL = ("park_admin", "auditor", "ent_B")
#: (path, roles answered 200; partner is always 403; other roles get the status given)
MATRIX: list[tuple[str, tuple[str, ...], int]] = [
    ("/v1/enterprises", ALL, 200),
    ("/v1/enterprises/A", ("park_admin", "auditor"), 404),
    ("/v1/enterprises/B", ALL, 404),
    ("/v1/enterprises/C", (), 404),
    ("/v1/products", ALL, 200),
    ("/v1/products/A1", ("park_admin", "auditor"), 404),
    ("/v1/products/B1", ALL, 404),
    ("/v1/products/C1", (), 404),
    ("/v1/flows", ALL, 200),
    ("/v1/flows/F1", ("park_admin", "auditor"), 404),  # factor → A: raw data of A
    ("/v1/flows/F2", ALL, 404),  # A1 → B
    ("/v1/flows/F3", ALL, 404),  # B1 → C
    ("/v1/products/B1/footprint", ALL, 404),
    ("/v1/products/A1/footprint", ALL, 404),  # A is B's direct supplier and shares
    ("/v1/products/A2/footprint", ALL, 404),  # any product of a direct supplier (A2 itself does not flow to B)
    ("/v1/products/C1/footprint", (), 404),  # C: outside the park, not shared, not B's supplier: hidden = missing
    ("/v1/products/NOPE/footprint", (), 404),
    ("/v1/edges", ALL, 200),
    ("/v1/edges?enterprise=A", ("park_admin", "auditor"), 404),
    ("/v1/edges?enterprise=B", ALL, 404),
    ("/v1/enterprises/A/scope", ("park_admin", "auditor"), 404),
    ("/v1/enterprises/B/scope", ALL, 404),
    ("/v1/enterprises/C/scope", (), 404),  # outside the park: no park role sees its raw accounts
    ("/v1/parks/P1/inventory", ("park_admin", "auditor"), 404),  # another's park looks missing
    ("/v1/parks/P1/indicators", ("park_admin", "auditor"), 404),
    ("/v1/parks/P9/inventory", (), 404),
    ("/v1/parks/P1/symbiosis", ("park_admin", "auditor"), 404),
    ("/v1/parks/P1/symbiosis?detour=1.0", ("park_admin", "auditor"), 404),
    ("/v1/enterprises/A/hotspots", ("park_admin", "auditor"), 404),
    ("/v1/enterprises/B/hotspots?top=3", ALL, 404),
    ("/v1/flows/F2/alternatives", ALL, 404),  # A1 → B: B's own purchase
    ("/v1/flows/F1/alternatives", ("park_admin", "auditor"), 404),  # a purchase of A
    ("/v1/flows/F3/alternatives", (), 404),  # bought by C, outside the park
]


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize(("path", "allowed", "denied"), MATRIX, ids=[m[0] for m in MATRIX])
def test_read_matrix(world, role, path, allowed, denied):
    r = world.api.get(path, headers=bearer(world.tokens[role]))
    expected = 200 if role in allowed else 403 if role == "partner" else denied
    assert r.status_code == expected, r.text
    if expected != 200:
        assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", list(ROLES))
def test_import_only_park_admin(fresh_world, role):
    from .helpers import MINI, zip_dir

    files = {"file": ("mini.zip", zip_dir(MINI), "application/zip")}
    r = fresh_world.api.post("/v1/imports", files=files, headers=bearer(fresh_world.tokens[role]))
    assert r.status_code == (200 if role == "park_admin" else 403), r.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_need_no_token(world, path):
    assert world.api.get(path).status_code == 200


def _ids(world, role: str, path: str, key: str = "id") -> list[str]:
    body = world.api.get(path, headers=bearer(world.tokens[role])).json()
    return [x[key] for x in (body["items"] if isinstance(body, dict) else body)]


def test_enterprise_sees_only_its_own_data(world):
    assert _ids(world, "ent_B", "/v1/enterprises") == ["B"]
    assert _ids(world, "ent_B", "/v1/products") == ["B1"]
    assert _ids(world, "ent_B", "/v1/flows") == ["F2", "F3", "F4"]  # into or out of B; never F1 (into A)
    assert _ids(world, "ent_B", "/v1/edges", "flow") == ["F2", "F3", "F4"]


def test_park_roles_see_their_park(world):
    for role in ("park_admin", "auditor"):
        assert _ids(world, role, "/v1/enterprises") == ["A", "B"]
        assert _ids(world, role, "/v1/products") == ["A1", "A2", "B1"]
        assert _ids(world, role, "/v1/flows") == ["F1", "F2", "F3", "F4"]
        assert _ids(world, role, "/v1/edges", "flow") == ["F1", "F2", "F4"]  # consumed in the park


def test_not_shared_detail(world):
    from tanlian.api.auth import Principal

    # make C a supplier of B for this check only, on a private copy of the rules
    from tanlian.api.deps import View
    from tanlian.graph.model import Flow

    graph = world.store.snapshot()
    graph.flows["FX"] = Flow.model_validate({"id": "FX", "from": "C1", "to": "B", "quantity": 1, "unit": "piece"})
    view = View(Principal("b", "enterprise", "P1", "B"), graph)
    from tanlian.errors import NotFound

    assert view.check_footprint("C1") is False  # only the class average may be shown
    assert view.check_footprint("A1") is True
    with pytest.raises(NotFound):
        View(Principal("a", "enterprise", "P1", "A"), graph).check_footprint("C1")


def test_pagination(world):
    h = bearer(world.tokens["park_admin"])
    body = world.api.get("/v1/products?limit=2&offset=1", headers=h).json()
    assert body["total"] == 3 and body["limit"] == 2 and body["offset"] == 1
    assert [p["id"] for p in body["items"]] == ["A2", "B1"]
    assert world.api.get("/v1/products?limit=501", headers=h).status_code == 422
    assert world.api.get("/v1/products?offset=-1", headers=h).status_code == 422


def test_not_shared_supplier_is_shown_as_class_average(fresh_world):
    """C (share_footprints=false) becomes B's supplier: B sees only the average of C1's class, and
    only once three products of other enterprises make it (with two it would nearly be a peer's
    exact footprint): before that ``shared: false`` with no value."""
    from tanlian.graph.model import Flow, Product

    w = fresh_world
    h = bearer(w.tokens["ent_B"])
    w.store.upsert([Flow.model_validate({"id": "FX", "from": "C1", "to": "B", "quantity": 1, "unit": "piece"})])
    r = w.api.get("/v1/products/C1/footprint", headers=h)
    assert r.status_code == 200 and r.json()["shared"] is False and "kgco2e_per_unit" not in r.json()
    peers = [
        Product(id="C1", enterprise="C", name="Assembly", unit="piece", output=1000, price_cny=50, cpc="4299"),
        Product(id="A3", enterprise="A", unit="piece", output=300, price_cny=20, cpc="4299"),
        Product(id="B3", enterprise="B", unit="piece", output=100, price_cny=20, cpc="4299"),
    ]
    w.store.upsert(peers)
    two = w.api.get("/v1/products/C1/footprint", headers=h).json()
    assert two["shared"] is False and "kgco2e_per_unit" not in two  # two peers: still no value
    w.store.upsert([Product(id="A4", enterprise="A", unit="piece", output=600, price_cny=20, cpc="4299")])
    body = w.api.get("/v1/products/C1/footprint", headers=h).json()
    admin = bearer(w.tokens["park_admin"])
    a3, b3, a4 = (
        w.api.get(f"/v1/products/{p}/footprint", headers=admin).json()["kgco2e_per_unit"] for p in ("A3", "B3", "A4")
    )
    assert body["shared"] is False and "not shared" in body["basis"]
    assert body["kgco2e_per_unit"] == pytest.approx((300 * a3 + 100 * b3 + 600 * a4) / 1000, rel=1e-12)
    assert "by_gas" not in body and "direct_kgco2e_per_unit" not in body


@pytest.mark.parametrize("role", list(ROLES))
def test_scenarios_are_for_park_roles(world, role):
    body = {"name": "more steel", "changes": [{"op": "set_quantity", "flow": "F2", "quantity": 20}]}
    r = world.api.post("/v1/scenarios", json=body, headers=bearer(world.tokens[role]))
    assert r.status_code == (200 if role in ("park_admin", "auditor") else 403), r.text
    if r.status_code == 200:
        assert r.json()["enterprises"]["B"]["scope3_kgco2e"]["delta"] < 0
        assert world.store.get(Flow, "F2").quantity == 40000  # nothing written


def test_enterprise_hotspots_stop_at_tier_one(world):
    body = world.api.get("/v1/enterprises/B/hotspots", headers=bearer(world.tokens["ent_B"])).json()
    assert set(body["by_tier"]) <= {"1"}
    assert {s["supplier"] for s in body["by_supplier"]} <= {"A", "factor:ore_test"} | {None}


def test_scenario_report_is_limited_to_the_admins_park(fresh_world):
    """C (outside the park) is affected by a change of F2's quantity through B1's intensity, but
    the admin of P1 sees only its park's enterprises and products; a change to a flow of another
    park's enterprise is refused as not found."""
    from tanlian.graph.model import Enterprise, Park

    w = fresh_world
    h = bearer(w.tokens["park_admin"])
    body = {"name": "x", "changes": [{"op": "set_quantity", "flow": "F2", "quantity": 20}]}
    out = w.api.post("/v1/scenarios", json=body, headers=h).json()
    assert set(out["enterprises"]) <= {"A", "B"} and "B" in out["enterprises"]
    assert set(out["parks"]) <= {"P1"}
    w.store.upsert(
        [
            Park(id="P2", name="other", year=2022),
            Enterprise(id="Z", name="z", park="P2"),
            Flow.model_validate({"id": "FZ", "from": "A1", "to": "Z", "quantity": 1, "unit": "t"}),
        ]
    )
    body = {"name": "x", "changes": [{"op": "set_quantity", "flow": "FZ", "quantity": 2}]}
    assert w.api.post("/v1/scenarios", json=body, headers=h).status_code == 404
