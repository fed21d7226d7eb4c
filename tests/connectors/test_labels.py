"""Labels from published footprints: the PDF renders (pdftoppm) and its text (pdftotext) holds the
product name, Chinese included, and the value; SVG and JSON carry the same figures."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tanlian.connectors.bundle import import_bundle
from tanlian.connectors.labels.content import label_object
from tanlian.connectors.labels.render import render_label
from tanlian.connectors.pact.build import contributors
from tanlian.connectors.pact.publish import active_for, publish
from tanlian.errors import NotFound
from tanlian.graph.embedded import EmbeddedStore
from tanlian.lca.core.cache import results

DEMO = Path(__file__).parents[2] / "seed_data" / "demo_park"
BASE = "https://labels.example"
POPPLER = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils not installed (.ci/run installs it)"
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = EmbeddedStore(tmp_path_factory.mktemp("labels") / "l.db")
    import_bundle(s, DEMO)
    publish(s, results.get(s), ["E02_REBAR", "E09_METER"], BASE, mc=200)
    yield s
    s.close()


def test_label_object_holds_only_published_figures(store):
    rec = active_for(store, "E02_REBAR")
    label = label_object(rec, BASE)
    pcf = rec.document["pcf"]
    assert label["kgco2e"] == float(pcf["pcfExcludingBiogenicUptake"])
    assert label["direct_kgco2e"] + label["upstream_kgco2e"] == pytest.approx(label["kgco2e"], rel=1e-5)
    assert len(label["top_contributors"]) == 3
    assert label["top_contributors"][0]["kgco2e"] >= label["top_contributors"][1]["kgco2e"]
    assert label["reference_period"]["year"] == 2022
    assert label["primary_data_share"] == float(pcf["primaryDataShare"])
    assert (
        label["uncertainty"]["p5"] <= label["kgco2e"] * 1.05
        and label["uncertainty"]["p95"] >= label["uncertainty"]["p5"]
    )
    assert label["url"] == f"{BASE}/labels/{rec.id}"
    assert "GB/T 24067" in label["method"]["standards"] and label["method"]["gwp"] == "AR6 GWP100"


def test_contributors_add_up_to_the_intensity(store):
    result = results.get(store)
    for pid in ("E02_REBAR", "E09_METER", "E03_CEMENT"):
        parts = contributors(result, pid)
        assert sum(v for _, v in parts) == pytest.approx(result.intensity_of(pid), rel=1e-9)


def test_unpublished_products_get_no_label(store):
    with pytest.raises(NotFound):
        active_for(store, "E03_CEMENT")


def test_json_and_svg(store):
    rec = active_for(store, "E09_METER")
    body = json.loads(render_label(rec, "json", BASE))
    assert body["productFootprint"] == rec.document and body["label"]["declared_unit"] == "piece"
    svg = render_label(rec, "svg", BASE).decode()
    assert svg.startswith("<svg") and "智能电能表" in svg and body["label"]["pf_id"] in svg


@POPPLER
def test_pdf_renders_with_cjk_text(store, tmp_path):
    rec = active_for(store, "E02_REBAR")
    pdf = tmp_path / "rebar.pdf"
    pdf.write_bytes(render_label(rec, "pdf", BASE))
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 10_000
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "螺纹钢 rebar HRB400E" in text
    assert "锡澄电炉钢" in text
    value = label_object(rec, BASE)["kgco2e"]
    assert f"{value:.4g}" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "CJK" in fonts and " yes yes " in fonts  # the CJK font is embedded (and subset)
