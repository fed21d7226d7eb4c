"""``tanlian store migrate / backup / restore`` on real files."""

from __future__ import annotations

import json
import sqlite3

from test_store_contract import small_graph, year_graph  # tests/graph is on sys.path (rootdir conftest)
from typer.testing import CliRunner

from tanlian.cli import app
from tanlian.graph.factory import open_store
from tanlian.graph.model import Client, Park

runner = CliRunner()
CLIENT = Client(id="c1", name="ERP", role="enterprise", enterprise="S", secret_hash="x")


def old_layout_file(path, entities) -> None:
    """A store file as Tanlian wrote it before typed tables: one table of JSON records."""
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE entities (type TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (type, id));"
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('revision', '7');"
    )
    db.executemany(
        "INSERT INTO entities VALUES (?, ?, ?)", [(e.type_name, e.id, json.dumps(e.record())) for e in entities]
    )
    db.commit()
    db.close()


def test_migrate_copies_the_old_layout_into_the_typed_store(tmp_path):
    old, new = tmp_path / "tanlian.db", tmp_path / "tanlian.sqlite"
    old_layout_file(old, [*small_graph().entities(), CLIENT])
    r = runner.invoke(app, ["store", "migrate", f"sqlite:///{old}", f"sqlite:///{new}", "--json"])
    assert r.exit_code == 0, r.output
    s = open_store(f"sqlite:///{new}")
    assert s.years() == [2022]
    assert s.snapshot().records() == small_graph().records()
    assert s.get(Client, "c1") == CLIENT
    r = runner.invoke(app, ["store", "migrate", f"sqlite:///{old}", f"sqlite:///{new}"])
    assert r.exit_code == 2 and "not empty" in r.output
    s.close()


def test_backup_and_restore_round_trip_every_year_and_the_clients(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    s = open_store(url)
    s.import_graph(year_graph(2022, "old"))
    s.import_graph(year_graph(2023, "new"))
    s.upsert([CLIENT])
    before = {y: s.snapshot(y).records() for y in s.years()}
    backup = tmp_path / "backup.sqlite"
    r = runner.invoke(app, ["store", "backup", str(backup), "--store", url])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["store", "backup", str(backup), "--store", url])
    assert r.exit_code == 2 and "exists" in r.output
    s.import_graph(year_graph(2024, "later"))
    s.delete(Client, ["c1"])
    s.upsert([Park(id="P", name="changed", year=2022)])
    rev = s.revision()
    r = runner.invoke(app, ["store", "restore", str(backup), "--store", url])
    assert r.exit_code == 0, r.output
    assert s.years() == [2022, 2023] and s.revision() > rev
    assert {y: s.snapshot(y).records() for y in s.years()} == before
    assert s.get(Client, "c1") == CLIENT
    s.close()
