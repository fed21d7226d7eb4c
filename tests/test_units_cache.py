"""pint's parsed definitions in Tanlian's own disk cache: same registry, and a damaged cache is
never fatal (each case in a fresh process, where the registry is built at import)."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
from tanlian.units import conversion_factor, is_mass, pint_cache_folder
print(pint_cache_folder())
c = conversion_factor
print(c("tce", "GJ"), c("t*km", "kg*km"), c("CNY", "yuan"), is_mass("t"))
"""


def probe(cache: str) -> list[str]:
    env = {"TANLIAN_CACHE_DIR": cache, "PATH": "/usr/bin:/bin", "HOME": cache or "/nonexistent"}
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_cached_registry_converts_as_the_uncached_one(tmp_path):
    uncached = probe("")
    assert uncached[0] == "None"
    first = probe(str(tmp_path))  # writes the cache
    assert first[0].startswith(str(tmp_path / "pint-"))
    assert any((tmp_path / first[0].rsplit("/", 1)[1]).iterdir())
    second = probe(str(tmp_path))  # reads it
    assert first[1:] == second[1:] == uncached[1:] == ["29.3076 1000.0 1.0 True"]


def test_a_damaged_cache_falls_back_to_parsing_the_files(tmp_path):
    folder = probe(str(tmp_path))[0]
    for f in (tmp_path / folder.rsplit("/", 1)[1]).iterdir():
        f.write_bytes(b"not a pickle")
    assert probe(str(tmp_path))[1:] == ["29.3076 1000.0 1.0 True"]
