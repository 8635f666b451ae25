"""The unchanged check hands the build the key it computed: the same key as computed anew, the
same answer as before (unchanged only with the same key, the current version and intact files)."""

from __future__ import annotations

import json
from pathlib import Path

from kennzahlen.core.dateistand import sha256_datei
from kennzahlen.pool import unveraendert as u


def _pool(tmp_path: Path) -> tuple[Path, Path]:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "a.csv").write_text("x;y\n1;2\n")
    folder = out / "versions" / "v-1"
    folder.mkdir(parents=True)
    (folder / "kennzahlen.parquet").write_bytes(b"inhalt")
    manifest = {
        "version": "v-1",
        "dateien": {"kennzahlen.parquet": sha256_datei(folder / "kennzahlen.parquet")},
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "exporte").mkdir()
    key, _memo = u.schluessel(raw, out)
    u.merken(out, key, "v-1")
    return raw, out


def test_unchanged_returns_the_version_and_the_key(tmp_path: Path):
    raw, out = _pool(tmp_path)
    version, schl = u.pruefen(raw, out)
    assert version == "v-1" == u.unveraendert(raw, out)
    assert schl is not None and schl[0] == u.schluessel(raw, out)[0]


def test_a_new_export_gives_none_and_the_new_key(tmp_path: Path):
    raw, out = _pool(tmp_path)
    (raw / "b.csv").write_text("x;y\n3;4\n")
    version, schl = u.pruefen(raw, out)
    assert version is None and u.unveraendert(raw, out) is None
    assert schl is not None and schl[0] == u.schluessel(raw, out)[0]


def test_a_damaged_pool_file_gives_none(tmp_path: Path):
    raw, out = _pool(tmp_path)
    (out / "versions" / "v-1" / "kennzahlen.parquet").write_bytes(b"anders")
    version, schl = u.pruefen(raw, out)
    assert version is None and schl is not None


def test_an_empty_folder_computes_no_key(tmp_path: Path):
    (tmp_path / "raw").mkdir()
    assert u.pruefen(tmp_path / "raw", tmp_path / "leer") == (None, None)
