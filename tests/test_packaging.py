"""A real wheel (not the editable install) imports every subpackage and ships the seed data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBPACKAGES = [
    "tanlian",
    "tanlian.graph",
    "tanlian.lca",
    "tanlian.api",
    "tanlian.api.routes",
    "tanlian.connectors",
    "tanlian.seed_data",
]


def test_wheel_installs_and_imports_every_subpackage(tmp_path):
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)], check=True, cwd=tmp_path
    )
    wheel = next(wheels.glob("tanlian-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)
    code = (
        "import importlib, tanlian;"
        f"mods=[importlib.import_module(m) for m in {SUBPACKAGES!r}];"
        f"assert tanlian.__file__.startswith({str(site)!r}), tanlian.__file__;"
        "from tanlian.seed_data.library import factor_library, demo_park_path;"
        "assert len(factor_library()) > 50; assert (demo_park_path() / 'flows.csv').exists();"
        "print('ok')"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
    names = {p.name for p in site.iterdir()}
    assert not names & {"graph", "lca", "api", "connectors", "seed_data"}, "bare top-level modules installed"
