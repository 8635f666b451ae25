"""Text-only sheets are read straight into Arrow by fastexcel; what comes out is the text the
calamine reader gives (:func:`kennzahlen.reading.xlsx._read_calamine`), and every sheet the fast
way cannot read alike (a number, a date, a second sheet, a range not starting at A1) goes the
other way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from kennzahlen.reading import xlsx, xlsxgroesse


def _mappe(path: Path, blaetter: dict[str, dict[str, object] | list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, inhalt in blaetter.items():
        ws = wb.create_sheet(name)
        if isinstance(inhalt, dict):
            for zelle, wert in inhalt.items():
                ws[zelle] = wert
        else:
            for r in inhalt:
                ws.append(r)
    wb.save(path)
    return path


def _spalten(gelesen: tuple) -> tuple:
    name, cols, extra = gelesen
    return name, [c.to_pylist() for c in cols], extra


def _schnell(path: Path) -> tuple | None:
    return xlsx._read_fastexcel(path, xlsxgroesse.ausdehnungen(path))


TEXT = [
    ["Fall_ID", "Datum", "Stadtviertel_NR", "Bemerkung"],
    ["A-1", "02.07.2019", "155", "Straße "],
    ["A-2", "2023-03-01 00:00:00", "140", ""],
    ["A-3", "2023-03-01 13:05:00", "", "  "],
    ["", "", "", ""],
    ["A-4", "x:y", "230", "ä\u0308"],
]


def test_text_sheet_is_read_the_fast_way_with_the_same_text(tmp_path: Path) -> None:
    path = _mappe(tmp_path / "a.xlsx", {"Daten": TEXT})
    (blatt,) = xlsxgroesse.ausdehnungen(path)
    assert (blatt.spalten, blatt.zeilen) == (4, 6)
    schnell = _schnell(path)
    assert schnell is not None, "a text-only sheet from A1 must take the fast way"
    assert _spalten(schnell) == _spalten(xlsx._read_calamine(path))
    name, cols, _ = _spalten(schnell)
    assert name == "Daten"
    # as the other reader: a text that reads as a date and time loses the time
    assert cols[1] == ["Datum", "02.07.2019", "2023-03-01", "2023-03-01", "", "x:y"]
    assert cols[3][1:3] == ["Straße ", ""]


def test_whole_reader_gives_the_same_text_either_way(tmp_path: Path, monkeypatch) -> None:
    path = _mappe(tmp_path / "a.xlsx", {"Daten": TEXT})
    schnell = xlsx.read_xlsx_text(path)
    monkeypatch.setattr(xlsx, "_read_fastexcel", lambda *_: None)
    langsam = xlsx.read_xlsx_text(path)
    assert schnell[0] is not None and langsam[0] is not None
    assert schnell[0][0] == langsam[0][0]
    assert schnell[0][1].equals(langsam[0][1])
    assert list(schnell[0][2]) == list(langsam[0][2])
    assert (schnell[1], schnell[2]) == (langsam[1], langsam[2])


@pytest.mark.parametrize(
    "blaetter",
    [
        {"Daten": [["id", "n"], ["a", 1]]},  # a number
        {"Daten": [["id", "datum"], ["a", dt.date(2023, 1, 31)]]},  # a date
        {"Daten": [["id", "flag"], ["a", True]]},  # a truth value
        {"Daten": {"B2": "kopf", "C3": "x"}},  # the range starts at B2, not A1
        {"Daten": TEXT, "Notiz": [["mehr"]]},  # a second sheet
    ],
    ids=["zahl", "datum", "wahrheitswert", "nicht-ab-A1", "zweites-blatt"],
)
def test_other_sheets_go_the_other_way_with_the_same_text(tmp_path: Path, blaetter) -> None:
    path = _mappe(tmp_path / "b.xlsx", blaetter)
    assert _schnell(path) is None
    text, probleme, _ = xlsx.read_xlsx_text(path)
    alt = xlsx._read_calamine_frame(path)
    if text is not None:
        assert text[0] == [str(v) for v in alt[1].iloc[0]]


def test_text_that_reads_like_a_cell_type_does_not_pass_a_number(tmp_path: Path) -> None:
    """A text cell whose text is the XML of a text cell's type, beside a number: the number is
    still formatted the other way."""
    rows = [["id", "n"], ['a t="s"', 1], ['t="inlineStr"', 2.5]]
    path = _mappe(tmp_path / "c.xlsx", {"Daten": rows})
    assert _schnell(path) is None
    text, _, _ = xlsx.read_xlsx_text(path)
    assert text is not None and text[1].column(1).to_pylist() == ["1", "2.5"]


def test_header_of_numbers_and_numbers_below_go_the_other_way(tmp_path: Path) -> None:
    path = _mappe(tmp_path / "d.xlsx", {"Daten": [[2019, "x"], [2020, "y"]]})
    assert _schnell(path) is None
    text, _, _ = xlsx.read_xlsx_text(path)
    assert text is not None and text[0] == ["2019", "x"]


def test_what_fastexcel_cannot_read_calamine_reads(tmp_path: Path, monkeypatch) -> None:
    """fastexcel failing on a file (an error, or a Rust panic) is not the file's fault: the
    calamine reader reads it, and no warning says it was slow."""
    import fastexcel

    path = _mappe(tmp_path / "e.xlsx", {"Daten": TEXT})

    def kaputt(*_a, **_k):
        raise BaseException("panic in Rust")  # pyo3's PanicException derives from BaseException

    monkeypatch.setattr(fastexcel, "read_excel", kaputt)
    text, probleme, hinweise = xlsx.read_xlsx_text(path)
    assert text is not None and text[0] == TEXT[0]
    assert probleme == [] and hinweise == []
