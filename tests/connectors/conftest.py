"""The Brightway project fixture of the connector tests (see bw_background.py)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from bw_background import AR5, AR6, PROJECT, background  # tests/connectors is on sys.path


@pytest.fixture(scope="module")
def bw(tmp_path_factory):
    """bw2data pointed at a fresh BRIGHTWAY2_DIR (read when bw2data is imported), with the project."""
    base = tmp_path_factory.mktemp("brightway")
    mp = pytest.MonkeyPatch()
    mp.setenv("BRIGHTWAY2_DIR", str(base))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2data as bd
    if Path(bd.projects._base_data_dir) != base:  # imported earlier in this process
        bd.projects.change_base_directories(base)
    bd.projects.set_current(PROJECT)
    bd.Database("bio").write(
        {
            ("bio", "co2"): {"name": "Carbon dioxide, fossil", "unit": "kilogram", "type": "emission"},
            ("bio", "ch4"): {"name": "Methane, fossil", "unit": "kilogram", "type": "emission"},
        }
    )
    bd.Database("bg").write(background())
    for name, ch4 in ((AR6, 27.9), (AR5, 28.0)):
        m = bd.Method(name)
        m.register(unit="kg CO2-Eq")
        m.write([(("bio", "co2"), 1.0), (("bio", "ch4"), ch4)])
    other = bd.Method(("IPCC 2021", "climate change: fossil", "global warming potential (GWP100)"))
    other.register(unit="kg CO2-Eq")
    other.write([(("bio", "co2"), 1.0)])
    yield bd
    mp.undo()
