"""A pool built step by step equals the pool built at once (issue 28): every table ``equals``
with its dtypes, and the same manifest (checksums, fingerprints, version).

``kennzahlen pool`` into a folder that holds an earlier pool reads only new or changed exports
(the export cache) and builds the rest again; these tests are the guard that nothing of the
earlier build leaks into the new one. On the small demo: a new quarter's exports added, an old
export corrected, an export removed, the catalog changed. Each corrected delivery changes the
pool (so a build that kept a stale part would be caught)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kennzahlen.cli import cli
from kennzahlen.core import paths
from kennzahlen.core.periods import quartal_von_tag
from kennzahlen.reading.text import parse_file_name


def _pool(raw: Path, out: Path) -> None:
    res = CliRunner().invoke(cli, ["pool", "--raw", str(raw), "--out", str(out)])
    assert res.exit_code == 0, res.output


def _tabellen(pool: Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    manifest = json.loads((pool / "manifest.json").read_text(encoding="utf-8"))
    return manifest, {n: pd.read_parquet(pool / n) for n in manifest["dateien"]}


def _gleich(a: Path, b: Path) -> None:
    ma, ta = _tabellen(a)
    mb, tb = _tabellen(b)
    assert sorted(ta) == sorted(tb)
    for name, frame in ta.items():
        assert list(frame.dtypes) == list(tb[name].dtypes), name
        assert frame.equals(tb[name]), name
    assert ma == mb  # checksums of every file, per-Kennzahl hashes, Stand, city, version


def _kopie(raw: Path, ziel: Path, ohne: set[str] = frozenset()) -> Path:
    shutil.copytree(raw, ziel, ignore=lambda _d, names: [n for n in names if n in ohne])
    return ziel


def _neues_jugendhilfe_fall(datei: Path) -> None:
    """A corrected delivery: one more case (an id no later export has) in an old export."""
    text = datei.read_bytes().decode("cp1252")
    zeilen = text.rstrip("\r\n").split("\r\n")
    felder = zeilen[-1].split(";")
    felder[0] = "JH-999999"
    datei.write_bytes((text.rstrip("\r\n") + "\r\n" + ";".join(felder) + "\r\n").encode("cp1252"))


def test_a_new_quarter_added_gives_the_pool_built_at_once(small_demo, tmp_path):
    raw = small_demo / "raw"
    stands = {f.name: parse_file_name(f.name) for f in raw.iterdir()}
    letztes = max(quartal_von_tag(p[1]) for p in stands.values() if p)
    neu = {n for n, p in stands.items() if p and quartal_von_tag(p[1]) == letztes}
    assert len(neu) >= 10  # the quarter's deliveries of most tables
    pool = tmp_path / "pool"
    _pool(_kopie(raw, tmp_path / "ohne", neu), pool)
    _pool(raw, pool)
    _gleich(pool, small_demo / "pool")


def test_a_corrected_old_export_and_a_removed_export(small_demo, eigener_pool, tmp_path):
    """An old export replaced by a corrected one (a case added), and the last export of another
    table withdrawn: the earlier pool's folder and an empty folder give the same pool."""
    raw = small_demo / "raw"
    weg = max(n for n in (f.name for f in raw.iterdir()) if n.startswith("sozialhilfe_"))
    neu = _kopie(raw, tmp_path / "raw", {weg})
    alt = sorted(neu.glob("jugendhilfe_*.csv"))[1]
    _neues_jugendhilfe_fall(alt)
    _pool(neu, eigener_pool)
    _pool(neu, tmp_path / "frisch")
    _gleich(eigener_pool, tmp_path / "frisch")
    m_vorher, _t = _tabellen(small_demo / "pool")
    m_nachher, _t = _tabellen(eigener_pool)
    geaendert = {
        k for k, v in m_nachher["kennzahlen"].items() if m_vorher["kennzahlen"].get(k) != v
    }
    assert any(k.startswith("jh_") for k in geaendert)  # the added case counts
    assert m_vorher["stand"]["sozialhilfe"] != m_nachher["stand"]["sozialhilfe"]


@pytest.fixture
def eigener_pool(small_demo: Path, tmp_path: Path) -> Path:
    """This test's copy of the small demo's pool (with its export cache): the tests build into
    it, and the session's copy (`small_demo_pool`) is read by later tests of the same worker."""
    pool = tmp_path / "eigener_pool"
    shutil.copytree(small_demo / "pool", pool)
    return pool


@pytest.fixture
def anderer_katalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the configuration whose catalog counts one Kennzahl differently."""
    config = tmp_path / "config"
    shutil.copytree(paths.CONFIG, config)
    katalog = config / "kennzahlen.yaml"
    text = katalog.read_text(encoding="utf-8")
    alt = "zaehler: {basis: jugendhilfe_bestand, filter: {uma: nein, setting: ambulant}}"
    assert alt in text
    neu = text.replace(alt, alt.replace("ambulant", "stationaer"), 1)  # the first Kennzahl only
    katalog.write_text(neu, encoding="utf-8")
    monkeypatch.setenv(paths.CONFIG_ENV, str(config))
    return config


def test_a_changed_catalog_builds_everything_again(
    small_demo, eigener_pool, anderer_katalog, tmp_path
):
    _pool(small_demo / "raw", eigener_pool)
    _pool(small_demo / "raw", tmp_path / "frisch")
    _gleich(eigener_pool, tmp_path / "frisch")
    _m, vorher = _tabellen(small_demo / "pool")
    _m, nachher = _tabellen(eigener_pool)
    assert not vorher["kennzahlen.parquet"].equals(nachher["kennzahlen.parquet"])
