"""The offline Brightway project of the Brightway tests (own biosphere, a loop, IPCC methods).

Background ``bg`` (hand-solved, AR6 CH4 = 27.9, AR5 = 28):
  steel: 2 kg per run, needs 1 kWh power and emits 3 kg CO2 → s = (3 + p) / 2
  power: 1 kWh, needs 0.1 kg steel, emits 0.5 kg CO2 + 0.01 kg CH4 → p = 0.5 + 0.01·GWP + 0.1 s
  ⇒ s = (3.5 + 0.01·GWP) / 1.9 kgCO2e/kg, p = 0.5 + 0.01·GWP + 0.1 s kgCO2e/kWh.
  freight: 1 t·km, emits 0.1 kg CO2 (lognormal, GSD 1.2) → 0.1 kgCO2e/t·km.
  slag landfill: production −1 kg (waste treatment), emits 0.02 kg CO2 → 0.02 per kg treated.

bw2data stores processed exchange amounts and characterisation factors as float32, so anything
computed through a project's processed arrays agrees with float64 hand values to about 1e-7
(``BW_RTOL``). The exported park is also recomputed by bw2calc from the exchanges as stored
(float64) to 1e-9.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

MINI = Path(__file__).parents[1] / "data" / "mini"
PROJECT = "tanlian-test"
AR6 = ("IPCC 2021", "climate change", "global warming potential (GWP100)")
AR5 = ("IPCC 2013", "climate change", "GWP 100a")
BW_RTOL = 1e-6  # float32 processed arrays (see the module docstring)
runner = CliRunner()


def steel(gwp_ch4: float) -> float:
    return (3.5 + 0.01 * gwp_ch4) / 1.9


def power(gwp_ch4: float) -> float:
    return 0.5 + 0.01 * gwp_ch4 + 0.1 * steel(gwp_ch4)


def background(co2_of_steel: float = 3.0) -> dict:
    return {
        ("bg", "steel"): {
            "name": "steel production, converter",
            "reference product": "steel, low-alloyed",
            "unit": "kilogram",
            "location": "CN",
            "exchanges": [
                {"input": ("bg", "steel"), "amount": 2.0, "type": "production"},
                {"input": ("bg", "power"), "amount": 1.0, "type": "technosphere"},
                {"input": ("bio", "co2"), "amount": co2_of_steel, "type": "biosphere"},
            ],
        },
        ("bg", "power"): {
            "name": "electricity production, hard coal",
            "reference product": "electricity, high voltage",
            "unit": "kilowatt hour",
            "location": "CN",
            "exchanges": [
                {"input": ("bg", "power"), "amount": 1.0, "type": "production"},
                {"input": ("bg", "steel"), "amount": 0.1, "type": "technosphere"},
                {"input": ("bio", "co2"), "amount": 0.5, "type": "biosphere"},
                {"input": ("bio", "ch4"), "amount": 0.01, "type": "biosphere"},
            ],
        },
        ("bg", "freight"): {
            "name": "transport, freight, lorry",
            "reference product": "transport, freight, lorry",
            "unit": "ton kilometer",
            "location": "RoW",
            "exchanges": [
                {"input": ("bg", "freight"), "amount": 1.0, "type": "production"},
                {
                    "input": ("bio", "co2"),
                    "amount": 0.1,
                    "type": "biosphere",
                    "uncertainty type": 2,
                    "loc": math.log(0.1),
                    "scale": math.log(1.2),
                },
            ],
        },
        ("bg", "slag"): {
            "name": "treatment of slag, landfill",
            "reference product": "slag",
            "unit": "kilogram",
            "location": "GLO",
            "exchanges": [
                {"input": ("bg", "slag"), "amount": -1.0, "type": "production"},
                {"input": ("bio", "co2"), "amount": 0.02, "type": "biosphere"},
            ],
        },
    }


def bundle_with(tmp_path: Path, flows: list[dict] | None = None, links: list[dict] | None = None) -> Path:
    """The mini bundle with extra flows (and a brightway_links table)."""
    b = shutil.copytree(MINI, tmp_path / "bundle")
    if flows:
        df = pd.read_csv(b / "flows.csv", dtype=str, keep_default_na=False)
        pd.concat([df, pd.DataFrame(flows)], ignore_index=True).fillna("").to_csv(b / "flows.csv", index=False)
    if links is not None:
        pd.DataFrame(links).to_csv(b / "brightway_links.csv", index=False)
    return b


STEEL_FLOW = {"id": "FS", "from": "factor:bw:bg:steel", "to": "B", "quantity": "2", "unit": "t"}
