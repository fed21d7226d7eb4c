"""Embedded-store specifics: a missing file stays missing, the old layout is refused, the write
lock, the Arrow snapshot cache, and the CLI / API answers on an empty store."""

from __future__ import annotations

import json
import sqlite3

import pytest
from test_store_contract import small_graph  # tests/graph is on sys.path (rootdir conftest)
from typer.testing import CliRunner

from tanlian.cli import app
from tanlian.errors import OldStoreLayout, StoreUnavailable
from tanlian.graph.embedded import EmbeddedStore
from tanlian.graph.model import Enterprise, Park

runner = CliRunner()


def test_reads_never_create_a_missing_file(tmp_path):
    path = tmp_path / "sub" / "none.sqlite"
    s = EmbeddedStore(path)
    assert (s.revision(), s.aux_revision(), s.years()) == (0, 0, [])
    assert s.get(Enterprise, "x") is None and s.list(Enterprise) == []
    assert s.snapshot_tables().empty and s.snapshot().counts()["flows"] == 0
    s.ping()
    assert not path.exists() and not path.parent.exists()
    s.upsert([Park(id="P", name="p", year=2022)])  # the first write creates it
    assert path.exists() and s.years() == [2022]
    s.close()


@pytest.mark.parametrize(
    "args", [["footprint", "X"], ["edges", "--json"], ["park", "P1"], ["scope", "E1"], ["symbiosis", "P1"]]
)
def test_cli_on_a_missing_store_exits_2_and_creates_nothing(tmp_path, args):
    path = tmp_path / "missing.sqlite"
    r = runner.invoke(app, [*args, "--store", f"sqlite:///{path}"])
    assert r.exit_code == 2, r.output
    assert "the store is empty: run `tanlian import` or `tanlian demo`" in r.output
    assert "Traceback" not in r.output and not path.exists()


def test_old_layout_is_refused_with_the_migrate_hint(tmp_path):
    old = tmp_path / "tanlian.db"
    db = sqlite3.connect(old)
    db.executescript(
        "CREATE TABLE entities (type TEXT, id TEXT, data TEXT, PRIMARY KEY (type, id));"
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('revision', '3');"
    )
    db.close()
    with pytest.raises(OldStoreLayout) as ei:
        EmbeddedStore(old)
    hint = f"tanlian store migrate sqlite:///{old} sqlite:///{tmp_path / 'tanlian.sqlite'}"
    assert hint in str(ei.value)
    r = runner.invoke(app, ["footprint", "X", "--store", f"sqlite:///{old}"])
    assert r.exit_code == 2 and "tanlian store migrate" in r.output


def test_a_held_write_lock_is_store_unavailable(tmp_path, monkeypatch):
    s = EmbeddedStore(tmp_path / "t.sqlite")
    s.import_graph(small_graph())
    other = sqlite3.connect(tmp_path / "t.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    monkeypatch.setattr(EmbeddedStore, "BUSY_TIMEOUT_MS", 200)
    late = EmbeddedStore(tmp_path / "t.sqlite")
    try:
        with pytest.raises(StoreUnavailable, match="write lock"):
            late.upsert([Park(id="P9", name="x", year=2022)])
        assert late.snapshot().records() == small_graph().records()  # readers are not blocked
    finally:
        other.execute("ROLLBACK")
        other.close()
    late.upsert([Park(id="P9", name="x", year=2022)])
    assert s.get(Park, "P9").name == "x"
    late.close()
    s.close()


def test_arrow_snapshot_is_cached_per_year_and_revision(tmp_path):
    s = EmbeddedStore(tmp_path / "t.sqlite")
    s.import_graph(small_graph())
    first = s.snapshot_tables()
    cached = tmp_path / "t.sqlite.snap" / f"2022-{first.revision}"
    assert cached.is_dir() and (cached / "flow.arrow").is_file()
    again = s.snapshot_tables()
    assert all(again.tables[k].equals(first.tables[k]) for k in first.tables)
    s.upsert([Park(id="P9", name="x", year=2022)])
    later = s.snapshot_tables()
    assert later.revision == first.revision + 1 and later.counts()["parks"] == 2
    for i in range(6):
        s.upsert([Park(id="P9", name=f"x{i}", year=2022)])
        s.snapshot_tables()
    assert len(list((tmp_path / "t.sqlite.snap").glob("2022-*"))) <= 4  # old ones pruned
    s.close()


def test_two_processes_importing_at_once_commit_one_after_the_other(tmp_path, mini_bundle):
    """Two ``tanlian import`` processes on one file (as a CLI import next to ``serve --workers``):
    both succeed, serially, and the store ends equal to one of the two bundles."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import pandas as pd

    names = ("first", "second")
    for name in names:
        shutil.copytree(mini_bundle, tmp_path / name)
        parks = pd.read_csv(tmp_path / name / "parks.csv", dtype=str, keep_default_na=False)
        parks.loc[0, "name"] = name
        parks.to_csv(tmp_path / name / "parks.csv", index=False)
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    tanlian = str(Path(sys.executable).with_name("tanlian"))
    args = ["--replace", "--json", "--store", url]
    procs = [subprocess.Popen([tanlian, "import", str(tmp_path / n), *args], stdout=subprocess.PIPE) for n in names]
    outs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert sorted(o["revision"] for o in outs) == [1, 2]  # one after the other, the second a new revision
    s = EmbeddedStore(tmp_path / "shared.sqlite")
    last = max(range(2), key=lambda i: outs[i]["revision"])
    park = s.list(Park)[0]
    assert park.name == names[last]
    s.close()
