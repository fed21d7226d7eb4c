"""``tanlian pact publish|import|list|partner add``, ``tanlian label``, ``clients add --companies``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tanlian.cli import app
from tanlian.graph.factory import open_store
from tanlian.graph.model import Client, PactPartner, SupplierFootprint
from tanlian.settings import get_settings

runner = CliRunner()


def run(*args: str):
    r = runner.invoke(app, list(args))
    return r


@pytest.fixture
def cli_base(monkeypatch):
    """TANLIAN_PUBLIC_BASE_URL for the commands (settings are cached per process)."""
    monkeypatch.setenv("TANLIAN_PUBLIC_BASE_URL", "https://cli.example")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("TANLIAN_PUBLIC_BASE_URL")
    get_settings.cache_clear()


def test_publish_list_label_import(tmp_path, cli_base):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run("demo", "--store", url, "--json").exit_code == 0
    r = run("pact", "publish", "--all", "--store", url, "--json")
    assert r.exit_code == 0, r.output
    first = json.loads(r.stdout)
    assert first and {o["outcome"] for o in first} == {"new"}
    r = run("pact", "publish", "E02_REBAR", "--store", url, "--json")
    (again,) = json.loads(r.stdout)
    assert again["outcome"] == "unchanged" and again["pf_id"] == next(
        o["pf_id"] for o in first if o["product"] == "E02_REBAR"
    )
    r = run("pact", "publish", "--store", url)
    assert r.exit_code == 2 and "--all" in r.output
    r = run("pact", "publish", "NOPE", "--store", url)
    assert r.exit_code == 2 and "NOPE" in r.output
    docs = json.loads(run("pact", "list", "--store", url, "--json").stdout)
    assert len(docs) == len(first) and docs[0]["productIds"][0].startswith("urn:pact:cli.example:product-id:")
    out = tmp_path / "rebar.svg"
    r = run("label", "E02_REBAR", "--format", "svg", "--out", str(out), "--store", url)
    assert r.exit_code == 0 and "螺纹钢" in out.read_text(encoding="utf-8")
    r = run("label", "E02_REBAR", "--format", "json", "--store", url)
    assert json.loads(r.stdout)["label"]["product_name"] == "螺纹钢 rebar HRB400E"
    r = run("label", "E03_CEMENT_NOT_THERE", "--format", "json", "--store", url)
    assert r.exit_code == 2 and "not found" in r.output

    # import: a footprint naming a product through its pact_ids
    doc = next(d for d in docs if d["productIds"][0].endswith(":E02_REBAR"))
    other = {
        **doc,
        "id": "55555555-5555-4555-8555-555555555555",
        "productIds": ["urn:pact:cli.example:product-id:X01_BILLET"],
    }
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"data": [other]}), encoding="utf-8")
    r = run("pact", "import", str(path), "--store", url, "--json")
    assert r.exit_code == 0, r.output
    (res,) = json.loads(r.stdout)
    assert res["outcome"] == "attached" and res["product"] == "X01_BILLET"
    assert (
        open_store(url).get(SupplierFootprint, other["id"]).kgco2e_per_unit
        == float(doc["pcf"]["pcfExcludingBiogenicUptake"]) * 1000
    )
    path.write_text(json.dumps({**doc, "pcf": {**doc["pcf"], "fossilGhgEmissions": 1}}), encoding="utf-8")
    r = run("pact", "import", str(path), "--store", url)
    assert r.exit_code == 2 and "1 problem(s)" in r.output and "pcf.fossil" in r.output.replace("\n", "")


def test_partner_clients_and_hosts(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert run("demo", "--store", url, "--json").exit_code == 0
    r = run("clients", "add", "buyer", "--role", "partner", "--companies", "E02;E03", "--store", url, "--json")
    assert r.exit_code == 0, r.output
    cid = json.loads(r.stdout)["client_id"]
    assert open_store(url).get(Client, cid).companies == "E02;E03"
    r = run("clients", "add", "x", "--role", "partner", "--companies", "NOPE", "--store", url, "--json")
    assert r.exit_code == 2
    creds = ["--client-id", "c", "--client-secret", "s", "--store", url]
    r = run("pact", "partner", "add", "acme", "--url", "https://acme.example/", *creds)
    assert r.exit_code == 0 and open_store(url).get(PactPartner, "acme").base_url == "https://acme.example"
    r = run("pact", "partner", "add", "bad", "--url", "http://acme.example", *creds)
    assert r.exit_code == 2
