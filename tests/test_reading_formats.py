"""The fast readers keep what the slow ones gave: XLSX (calamine) gives the same tables and pool as
CSV; a large CSV (pyarrow) keeps line-exact problems; openpyxl still reads what calamine cannot."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_reading import RAUMGLIEDERUNG

from kennzahlen.demo.export import _xlsx_bytes
from kennzahlen.pipeline import build_pool_frames
from kennzahlen.reading import xlsx as excel
from kennzahlen.reading.raw import InvalidInput, parse_file_name, read_raw

RECORD = (
    "jugendhilfe",
    "sozialhilfe",
    "fallmanagement",
    "hilfen_vor_dem_fall",
    "wohnraumsicherung",
)


def _as_xlsx(csv: Path, target: Path) -> None:
    data = csv.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    sep = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    for c in frame.columns:  # whole numbers as Excel numbers, as a case system exports them
        if len(frame) and frame[c].str.fullmatch(r"[1-9][0-9]{0,9}").all():
            frame[c] = frame[c].astype("int64")
    stand = (np.datetime64(parse_file_name(csv.name)[1], "D") - np.datetime64(0, "D")).item()
    target.write_bytes(_xlsx_bytes(frame, int(stand.days)))


@pytest.fixture(scope="module")
def as_xlsx(small_demo_raw: Path, tmp_path_factory) -> Path:
    """The small demo's deliveries with every record table delivered as CSV turned into XLSX."""
    xlsx = tmp_path_factory.mktemp("formate") / "xlsx"
    xlsx.mkdir()
    for f in sorted(small_demo_raw.iterdir()):
        if parse_file_name(f.name)[0] in RECORD and f.suffix == ".csv":
            _as_xlsx(f, xlsx / f"{f.stem}.xlsx")
        else:
            shutil.copy(f, xlsx / f.name)
    return xlsx


def test_xlsx_gives_the_same_pool_as_csv(as_xlsx: Path, small_demo_pool: Path) -> None:
    """The session's small demo pool (CSV deliveries) and the pool of the same deliveries as
    XLSX."""
    demo_pool = small_demo_pool
    from kennzahlen.api import load_pool

    assert any(p.name.startswith("jugendhilfe") for p in as_xlsx.glob("*.xlsx"))
    frames, _raw = build_pool_frames(as_xlsx)
    for name in ("kennzahlen", "ampel", "ampel_details", "abdeckung"):
        got = load_pool(demo_pool, name, leere=True)  # the marked rows of Nenner 0 too
        pd.testing.assert_frame_equal(frames[name], got, obj=name)


def _write_jh(path: Path, rows: list[str]) -> None:
    header = "fall_id;paragraph;setting;uma;beginn;ende;stadtviertel_nr"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def test_large_csv_keeps_line_exact_problems(tmp_path: Path) -> None:
    n = 60_000  # above the size from which text columns are kept as categories
    rows = [f"J{i};33;stationaer;nein;2021-01-{1 + i % 28:02d};;110" for i in range(n)]
    rows[10] = "J10;33;stationaer;nein;2021-01-05"  # too few fields: the empty ones are missing
    rows[20] = "J20;33;stationaer;nein;2021-01-05;;110;x"  # too many fields
    rows[30] = ""  # blank line: skipped, still counted
    rows[40_000] = "J40000;99;ambulant;nein;2021-01-05;;110"  # unknown code
    rows[50_000] = "J50000;33;stationaer;nein;31.02.2021;;110"  # no date
    rows[59_998] = "J5;33;stationaer;nein;2021-01-05;;110"  # key already on line 7
    _write_jh(tmp_path / "jugendhilfe_2021-04-15.csv", rows)
    with pytest.raises(InvalidInput) as exc:
        read_raw(tmp_path, RAUMGLIEDERUNG)
    got = [(p.zeile, p.spalte, p.wert) for p in exc.value.problems]
    assert got == [
        (22, None, None),
        (40_002, "paragraph", "99"),
        (50_002, "beginn", "31.02.2021"),
        (60_000, "fall_id", "J5"),
    ]
    text = str(exc.value)
    assert "Zeile 22: Die Zeile hat 8 Felder, die Kopfzeile 7" in text
    assert (
        "Zeile 60000, Spalte 'fall_id': Schlüssel doppelt in dieser Datei: 'J5' (schon in Zeile 7)"
        in text
    )


def test_large_csv_short_row_reads_with_empty_values(tmp_path: Path) -> None:
    rows = [f"J{i};33;stationaer;nein;2021-01-05;;110" for i in range(5)]
    rows[2] = "J2;33;stationaer;nein;2021-01-05"
    _write_jh(tmp_path / "jugendhilfe_2021-04-15.csv", rows)
    data = read_raw(tmp_path, RAUMGLIEDERUNG)
    jh = data.tables["jugendhilfe"].set_index("fall_id")
    assert jh.loc["J2", "sozialraum"] == "ohne Zuordnung"
    assert len(jh) == 5


def test_windows_1252_is_read(tmp_path: Path) -> None:
    text = "beratung_id;beginn;sozialraum\nH1;2021-01-05;Böfingen\n"
    (tmp_path / "hilfen_vor_dem_fall_2021-04-15.csv").write_bytes(text.encode("cp1252"))
    data = read_raw(tmp_path, RAUMGLIEDERUNG)
    assert data.tables["hilfen_vor_dem_fall"]["sozialraum"].tolist() == ["Böfingen"]
    assert data.files["encoding"].tolist() == ["cp1252"]


def test_openpyxl_reads_what_calamine_refuses(tmp_path: Path, monkeypatch) -> None:
    frame = pd.DataFrame({"beratung_id": ["H1"], "beginn": ["2021-01-05"], "sozialraum": ["West"]})
    (tmp_path / "hilfen_vor_dem_fall_2021-04-15.xlsx").write_bytes(_xlsx_bytes(frame, 18700))

    def refuse(path, blaetter=None):
        raise ValueError("kaputt")

    monkeypatch.setattr(excel, "_read_calamine", refuse)
    data = read_raw(tmp_path, RAUMGLIEDERUNG)
    assert data.tables["hilfen_vor_dem_fall"]["beratung_id"].tolist() == ["H1"]
    assert data.warnings == [
        "hilfen_vor_dem_fall_2021-04-15.xlsx: mit dem schnellen Excel-Leser (calamine) nicht "
        "lesbar (kaputt); langsamer mit openpyxl gelesen. Speichert die Fachanwendung die Datei "
        "neu als .xlsx (oder als CSV), geht es wieder schnell"
    ]


def test_an_unreadable_xlsx_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "hilfen_vor_dem_fall_2021-04-15.xlsx").write_bytes(b"PK\x03\x04 kein Excel")
    with pytest.raises(InvalidInput) as exc:
        read_raw(tmp_path, RAUMGLIEDERUNG)
    (p,) = exc.value.problems
    assert p.datei == "hilfen_vor_dem_fall_2021-04-15.xlsx"
    assert p.meldung.startswith("Excel-Datei nicht lesbar (")


def _mit_dimension(src: bytes, ref: str) -> bytes:
    """The workbook with its first sheet's <dimension> replaced (it may say anything)."""
    import io
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data
                )
                assert n == 1
            zout.writestr(info, data)
    return out.getvalue()


def test_openpyxl_goes_by_the_cells_not_by_a_dimension_that_says_otherwise(
    tmp_path: Path, monkeypatch
) -> None:
    """A file calamine refuses whose <dimension> claims the whole grid: openpyxl, the fallback,
    would pad every row to 16,384 columns (and a long sheet to billions of cells)."""
    frame = pd.DataFrame(
        {"beratung_id": ["H1", "H2"], "beginn": ["2021-01-05", ""], "sozialraum": ["West", "Ost"]}
    )
    echt = _xlsx_bytes(frame, 18700)
    (tmp_path / "a.xlsx").write_bytes(echt)
    (tmp_path / "b.xlsx").write_bytes(_mit_dimension(echt, "A1:XFD1048576"))
    erwartet = excel._read_calamine_frame(tmp_path / "a.xlsx")[1]

    def refuse(path, blaetter=None):
        raise ValueError("kaputt")

    monkeypatch.setattr(excel, "_read_calamine", refuse)
    for name in ("a.xlsx", "b.xlsx"):
        _, text, _ = excel._read_openpyxl(tmp_path / name)
        assert text is not None and text.shape == erwartet.shape
        assert text.equals(erwartet)
