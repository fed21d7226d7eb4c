"""Start-up of the ``tanlian`` command: the modules a fresh process imports (not a timing; times
are in bench/README.md). ``--version`` and ``--help`` load typer and rich only; a footprint
loads the LCA layers but neither Brightway nor the HTTP stack."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tanlian.cli import app

#: Never on the ``--version`` / ``--help`` path (top-level package names, or tanlian sub-packages).
HEAVY = {
    "pydantic_settings",
    "pydantic",
    "scipy",
    "pandas",
    "pint",
    "numpy",
    "networkx",
    "bw_processing",
    "bw2calc",
    "bw2data",
    "fastapi",
    "neo4j",
    "plotly",
    "tanlian.settings",
    "tanlian.graph",
    "tanlian.lca",
    "tanlian.api",
    "tanlian.connectors",
    "tanlian.seed_data",
}
#: Never on the footprint path: Brightway, the HTTP stack, the Neo4j driver, plotting.
NOT_FOR_A_FOOTPRINT = {"bw_processing", "bw2calc", "bw2data", "fastapi", "starlette", "uvicorn", "neo4j", "plotly"}

_RUN = """
import json, sys
from tanlian.cli import app
sys.argv = ["tanlian", *json.loads(sys.argv[1])]
try:
    app()
except SystemExit:
    pass
sys.stderr.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def imported(args: list[str]) -> set[str]:
    """Modules loaded by a fresh ``tanlian <args>`` process."""
    out = subprocess.run([sys.executable, "-c", _RUN, json.dumps(args)], capture_output=True, text=True, timeout=300)
    line = next(ln for ln in out.stderr.splitlines() if ln.startswith("MODULES "))
    return set(json.loads(line[len("MODULES ") :]))


def loaded(modules: set[str], names: set[str]) -> set[str]:
    """The entries of ``names`` present in ``modules`` (a name counts with any of its submodules)."""
    return {n for n in names if any(m == n or m.startswith(n + ".") for m in modules)}


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--version"], set()),
        (["--help"], set()),
        (["footprint", "--help"], {"pydantic"}),  # typer builds a command's parameters with pydantic
    ],
)
def test_version_and_help_import_no_heavy_module(args, allowed):
    modules = imported(args)
    assert "typer" in modules and "tanlian.cli.app" in modules  # the command did run
    assert loaded(modules, HEAVY - allowed) == set()


def test_a_footprint_imports_neither_brightway_nor_the_http_stack(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert CliRunner().invoke(app, ["demo", "--store", url, "--json"]).exit_code == 0
    modules = imported(["footprint", "E01_STEAM", "--store", url, "--json"])
    assert "tanlian.lca.core.result" in modules  # it solved
    assert loaded(modules, NOT_FOR_A_FOOTPRINT) == set()
