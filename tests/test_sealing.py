"""Partner secrets are sealed at rest (tanlian/sealing.py): the store holds ciphertext, the key lives
outside the store file (or in TANLIAN_SECRET_KEY), and a wrong key is a clear error."""

from __future__ import annotations

import stat

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from tanlian.cli import app
from tanlian.connectors.pact.importer import partner_secret
from tanlian.errors import TanlianError
from tanlian.graph.factory import open_store
from tanlian.graph.model import PactPartner
from tanlian.sealing import ENV, PREFIX, key_for, seal, unseal


def test_seal_round_trip_and_wrong_key():
    key = Fernet.generate_key()
    sealed = seal("s3cret-value", key)
    assert sealed.startswith(PREFIX) and "s3cret" not in sealed
    assert unseal(sealed, key) == "s3cret-value"
    assert unseal("legacy-clear", key) == "legacy-clear"
    with pytest.raises(TanlianError, match="does not open with this key"):
        unseal(sealed, Fernet.generate_key())


def test_key_file_next_to_an_embedded_store(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    key = key_for(url)
    key_file = tmp_path / "s.sqlite.key"
    assert key_file.read_bytes().strip() == key and key_for(url) == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    env_key = Fernet.generate_key().decode()
    monkeypatch.setenv(ENV, env_key)
    assert key_for(url) == env_key.encode()
    monkeypatch.setenv(ENV, "not-a-key")
    with pytest.raises(TanlianError, match="not a Fernet key"):
        key_for(url)
    monkeypatch.delenv(ENV)
    with pytest.raises(TanlianError, match=ENV):
        key_for("neo4j://127.0.0.1:7687")


def test_partner_add_stores_the_secret_sealed(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    args = ["pact", "partner", "add", "alpha", "--url", "https://alpha.example", "--client-id", "us"]
    out = CliRunner().invoke(app, [*args, "--client-secret", "top-secret-42", "--store", url])
    assert out.exit_code == 0, out.output
    store = open_store(url)
    [partner] = store.list(PactPartner)
    assert partner.client_secret.startswith(PREFIX) and "top-secret-42" not in partner.client_secret
    for f in tmp_path.glob("s.sqlite*"):  # the file, its WAL, the key
        assert b"top-secret-42" not in f.read_bytes(), f.name
    assert partner_secret(store, partner) == "top-secret-42"
