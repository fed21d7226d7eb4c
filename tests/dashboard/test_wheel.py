"""A built wheel carries the dashboard package, its templates and static files, and the report template."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_templates_and_static(tmp_path):
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)], check=True)
    names = set(zipfile.ZipFile(next(tmp_path.glob("tanlian-*.whl"))).namelist())
    templates = {f"tanlian/api/templates/{p.name}" for p in (ROOT / "api" / "templates").glob("*.html")}
    static = {f"tanlian/api/static/{p.name}" for p in (ROOT / "api" / "static").iterdir()}
    assert len(templates) >= 10 and templates <= names
    assert {"tanlian/api/static/dashboard.js", "tanlian/api/static/dashboard.css"} <= static <= names
    assert {"tanlian/api/dashboard/__init__.py", "tanlian/connectors/report_templates/report.html"} <= names
