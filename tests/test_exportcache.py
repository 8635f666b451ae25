"""Each export read once (kennzahlen.reading.exportcache): kept after a successful build, read
again only when its bytes, the reading code or the Raumgliederung change; bad input keeps nothing.

Small hand-made deliveries; ``read_text`` is counted to see which exports were read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kennzahlen.reading import exportcache, raw
from kennzahlen.reading.exportcache import Exportcache
from kennzahlen.reading.problems import InvalidInput

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
