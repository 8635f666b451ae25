"""Each export read once (kennzahlen.reading.exportcache): kept after a successful build, read
again only when its bytes, the reading code or the Raumgliederung change; bad input keeps nothing.

Small hand-made deliveries; ``read_text`` is counted to see which exports were read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kennzahlen.core.schema import TABLES
from kennzahlen.reading import exportcache, raw
from kennzahlen.reading.exportcache import Exportcache
from kennzahlen.reading.problems import InvalidInput
from kennzahlen.reading.text import parse_file_name

RG = pd.DataFrame(
    {
        "stadtviertel_nr": ["110", "130"],
        "stadtviertel": ["Altstadt", "Eichenplatz"],
        "stadtteil": ["Mitte", "Böfingen"],
        "sozialraum": ["Mitte/Ost", "Böfingen"],
    }
)
JH = "fall_id;paragraph;setting;uma;beginn;ende;stadtviertel_nr\n"
ROWS = {
    "2021-04-15": "J1;31;ambulant;nein;2021-01-05;;110\nJ2;34;stationaer;nein;2020-03-01;;\n",
    "2021-07-15": (
        "J1;31;ambulant;nein;2021-01-05;2021-06-30;110\nJ3;27;ambulant;ja;2021-05-02;;130\n"
    ),
}


@pytest.fixture
def gelesen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the exports read from their file (not from the pool folder)."""
    names: list[str] = []
    real = raw.read_text

    def counting(path: Path, table):
        names.append(path.name)
        return real(path, table)

    monkeypatch.setattr(raw, "read_text", counting)
    return names


def _deliver(folder: Path, stand: str, text: str | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"jugendhilfe_{stand}.csv"
    path.write_text(JH + (ROWS[stand] if text is None else text), encoding="utf-8")
    return path


def _build(raw_dir: Path, pool: Path, rg: pd.DataFrame = RG) -> raw.RawData:
    """Read with the pool's cache and keep what was read, as a successful build does."""
    cache = Exportcache.im_pool(pool, rg)
    data = raw.read_raw(raw_dir, rg, cache=cache)
    pool.mkdir(exist_ok=True)
    exportcache.speichern(cache)
    return data


def _same(a: raw.RawData, b: raw.RawData) -> None:
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
        if isinstance(a.tables[name]["datei"].dtype, pd.CategoricalDtype):
            assert list(a.tables[name]["datei"].cat.categories) == list(
                b.tables[name]["datei"].cat.categories
            )
    pd.testing.assert_frame_equal(a.files, b.files, check_exact=True)
    assert a.warnings == b.warnings


def test_a_second_build_reads_only_the_new_export(tmp_path: Path, gelesen: list[str]):
    rohdaten, pool = tmp_path / "raw", tmp_path / "pool"
    _deliver(rohdaten, "2021-04-15")
    _build(rohdaten, pool)
    assert gelesen == ["jugendhilfe_2021-04-15.csv"]
    assert len(list((pool / "exporte").glob("*.arrow"))) == 1
    _deliver(rohdaten, "2021-07-15")
    gelesen.clear()
    second = _build(rohdaten, pool)
    assert gelesen == ["jugendhilfe_2021-07-15.csv"]
    # the same tables, dtypes, categories and manifest as reading every export anew
    _same(second, raw.read_raw(rohdaten, RG))
    gelesen.clear()
    _build(rohdaten, pool)
    assert gelesen == []


def test_a_changed_export_or_raumgliederung_is_read_again(tmp_path: Path, gelesen: list[str]):
    rohdaten, pool = tmp_path / "raw", tmp_path / "pool"
    _deliver(rohdaten, "2021-04-15")
    _build(rohdaten, pool)
    _deliver(rohdaten, "2021-04-15", "J9;31;ambulant;nein;2021-01-05;;130\n")  # same name
    gelesen.clear()
    data = _build(rohdaten, pool)
    assert gelesen == ["jugendhilfe_2021-04-15.csv"]
    assert data.tables["jugendhilfe"]["fall_id"].tolist() == ["J9"]
    other = RG.assign(sozialraum=["Mitte/Ost", "Mitte/Ost"])  # 130 moved to another Sozialraum
    gelesen.clear()
    data = _build(rohdaten, pool, other)
    assert gelesen == ["jugendhilfe_2021-04-15.csv"]
    assert data.tables["jugendhilfe"]["sozialraum"].tolist() == ["Mitte/Ost"]
    assert len(list((pool / "exporte").glob("*.arrow"))) == 1  # the unused entries are gone


def test_bad_input_keeps_nothing_and_a_broken_entry_is_read_again(
    tmp_path: Path, gelesen: list[str]
):
    rohdaten, pool = tmp_path / "raw", tmp_path / "pool"
    _deliver(rohdaten, "2021-04-15")
    _deliver(rohdaten, "2021-07-15", "J5;99;ambulant;nein;2021-05-02;;130\n")  # unknown §
    cache = Exportcache.im_pool(pool, RG)
    with pytest.raises(InvalidInput):
        raw.read_raw(rohdaten, RG, cache=cache)
    assert not pool.exists()  # reading writes nothing; only a written pool keeps exports
    (rohdaten / "jugendhilfe_2021-07-15.csv").unlink()
    _build(rohdaten, pool)
    (entry,) = (pool / "exporte").glob("*.arrow")
    entry.write_bytes(b"kaputt")
    gelesen.clear()
    data = _build(rohdaten, pool)
    assert gelesen == ["jugendhilfe_2021-04-15.csv"]
    assert data.tables["jugendhilfe"]["fall_id"].tolist() == ["J1", "J2"]


def test_an_export_that_passed_is_written_at_once_and_moved_in_on_success(tmp_path: Path):
    """Each export that passed is written to the build's staging folder while the build reads
    (its rows are not held to the end); storing moves it in and removes the staging folder."""
    rohdaten, pool = tmp_path / "raw", tmp_path / "pool"
    _deliver(rohdaten, "2021-04-15")
    _deliver(rohdaten, "2021-07-15")
    cache = Exportcache.im_pool(pool, RG)
    data = raw.read_raw(rohdaten, RG, cache=cache)
    assert cache.staging is not None and cache.staging.parent == pool / "exporte"
    assert cache.staging.name.startswith(exportcache.NEU_PREFIX)
    assert len(list(cache.staging.glob("*.arrow"))) == 2 == len(cache.neu)
    assert not list((pool / "exporte").glob("*.arrow"))  # nothing stored before the pool is
    staging = cache.staging
    exportcache.speichern(cache)
    assert not staging.exists() and cache.staging is None
    assert {p.stem for p in (pool / "exporte").glob("*.arrow")} == cache.neu
    assert [p.name for p in (pool / "exporte").iterdir() if p.is_dir()] == []
    again = Exportcache.im_pool(pool, RG)
    _same(raw.read_raw(rohdaten, RG, cache=again), data)
    assert again.staging is None  # everything came from the cache: no staging folder


def test_a_running_builds_staging_folder_stays_a_dead_ones_goes(tmp_path: Path):
    rohdaten, pool = tmp_path / "raw", tmp_path / "pool"
    _deliver(rohdaten, "2021-04-15")
    running = Exportcache.im_pool(pool, RG)
    raw.read_raw(rohdaten, RG, cache=running)
    assert running.staging is not None
    assert exportcache.aufraeumen(pool / "exporte") == []  # its lock is held: still running
    Exportcache.im_pool(pool, RG)  # another build starting meanwhile
    assert running.staging.is_dir()
    # a folder without its lock file (killed right after making it): removed only when old
    fresh = pool / "exporte" / f"{exportcache.NEU_PREFIX}frisch"
    fresh.mkdir()
    old = pool / "exporte" / f"{exportcache.NEU_PREFIX}alt"
    old.mkdir()
    os.utime(old, (0, 0))
    assert exportcache.aufraeumen(pool / "exporte") == [old]
    assert fresh.is_dir() and running.staging.is_dir()
    running.verwerfen()
    assert not list((pool / "exporte").glob(f"{exportcache.NEU_PREFIX}*.arrow"))


_KILL_MID_WRITE = """
import os, signal, sys
from kennzahlen.cli import main
from kennzahlen.reading import exportcache
real, calls = exportcache._schreiben, []
def dying(target, frame, meta):
    calls.append(target)
    if len(calls) == 3:  # killed while writing the third export's entry, half of it written
        target.write_bytes(b"ARROW1 half")
        os.kill(os.getpid(), signal.SIGKILL)
    real(target, frame, meta)
exportcache._schreiben = dying
sys.argv = ["kennzahlen", "pool", "--raw", sys.argv[1], "--out", sys.argv[2]]
main()
"""


def test_a_build_killed_mid_write_is_cleaned_up_by_the_next_one(
    small_demo_raw: Path, small_demo_pool: Path, tmp_path: Path
):
    """A ``kennzahlen pool`` killed (SIGKILL) while it writes its exports leaves its staging
    folder behind and no pool; the next build removes the folder, and its pool is the one built
    without the kill."""
    from click.testing import CliRunner

    from kennzahlen.cli import cli

    out = tmp_path / "pool"
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_MID_WRITE, str(small_demo_raw), str(out)],
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (stale,) = (out / "exporte").glob(f"{exportcache.NEU_PREFIX}*")
    assert len(list(stale.glob("*.arrow"))) == 3  # two written, the third half
    assert not (out / "manifest.json").exists()
    res = CliRunner().invoke(cli, ["pool", "--raw", str(small_demo_raw), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert not stale.exists()
    assert not list((out / "exporte").glob(f"{exportcache.NEU_PREFIX}*"))
    assert (out / "manifest.json").read_bytes() == (small_demo_pool / "manifest.json").read_bytes()
    kept = list((out / "exporte").glob("*.arrow"))
    tables = [parse_file_name(p.name) for p in small_demo_raw.iterdir()]
    assert len(kept) == sum(1 for t in tables if t and exportcache.cachebar(TABLES[t[0]]))
