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


ZAHLEN = [
    ["id", "n", "betrag", "leer", "klein"],
    ["a", 1, 2.5, None, 1e-05],
    ["b", 146.0, -0.0, None, 0.1],
    ["c", None, 1e16, None, 123456789.125],
    ["d", 2**53 + 2, 1 / 3, None, -7],
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


@pytest.mark.parametrize(
    "rows", [TEXT, ZAHLEN, [[" id ", "Straße\nNr", "ä\u0308"], ["a", "b", "c"]]]
)
def test_whole_reader_gives_the_same_text_either_way(tmp_path: Path, monkeypatch, rows) -> None:
    path = _mappe(tmp_path / "a.xlsx", {"Daten": rows})
    assert _schnell(path) is not None
    schnell = xlsx.read_xlsx_text(path)
    monkeypatch.setattr(xlsx, "_read_fastexcel", lambda *_: None)
    langsam = xlsx.read_xlsx_text(path)
    assert schnell[0] is not None and langsam[0] is not None
    assert schnell[0][0] == langsam[0][0]
    assert schnell[0][1].equals(langsam[0][1])
    assert list(schnell[0][2]) == list(langsam[0][2])
    assert (schnell[1], schnell[2]) == (langsam[1], langsam[2])


def test_numbers_under_a_header_are_read_the_fast_way_as_the_other_reader_writes_them(
    tmp_path: Path,
) -> None:
    path = _mappe(tmp_path / "z.xlsx", {"Daten": ZAHLEN})
    schnell = _schnell(path)
    assert schnell is not None, "text and number columns under a text header go the fast way"
    assert _spalten(schnell) == _spalten(xlsx._read_calamine(path))
    _, cols, _ = _spalten(schnell)
    assert cols[1] == ["n", "1", "146", "", "9007199254740994"]
    assert cols[2][1:3] == ["2.5", "0"]
    assert cols[3] == ["leer", "", "", "", ""]
    assert cols[4][1] == "1e-05"


@pytest.mark.parametrize(
    "blaetter",
    [
        {"Daten": [["id", "n"], ["a", 1], [2, "b"]]},  # text and numbers in one column
        {"Daten": [["id", "datum"], ["a", dt.date(2023, 1, 31)]]},  # a date
        {"Daten": [["id", "zeit"], ["a", dt.time(12, 30)]]},  # a time
        {"Daten": [["id", "flag"], ["a", True]]},  # a truth value
        {"Daten": {"B2": "kopf", "C3": "x"}},  # the range starts at B2, not A1
        {"Daten": TEXT, "Notiz": [["mehr"]]},  # a second sheet
        {"Daten": [["id", "id"], ["a", "b"]]},  # a repeated header
        {"Daten": [["id", "id_1", "id"], ["a", "b", "c"]]},  # ... beside one fastexcel would make
        {"Daten": [["id", None, "x"], ["a", "b", "c"]]},  # an empty header
        {"Daten": [["id", 2019], ["a", "b"]]},  # a header that is a number
        {"Daten": [["id", True], ["a", "b"]]},  # a header that is a truth value
        {"Daten": [["id", dt.datetime(2023, 1, 2, 3, 4)], ["a", "b"]]},  # ... a date and time
    ],
    ids=[
        "text-und-zahl",
        "datum",
        "uhrzeit",
        "wahrheitswert",
        "nicht-ab-A1",
        "zweites-blatt",
        "kopf-doppelt",
        "kopf-wie-umbenannt",
        "kopf-leer",
        "kopf-zahl",
        "kopf-wahrheitswert",
        "kopf-zeitpunkt",
    ],
)
def test_other_sheets_go_the_other_way(tmp_path: Path, blaetter) -> None:
    path = _mappe(tmp_path / "b.xlsx", blaetter)
    assert _schnell(path) is None
    gelesen = xlsx._read_calamine(path, xlsxgroesse.ausdehnungen(path))
    assert _spalten(gelesen) == _spalten(xlsx._read_calamine(path))


def test_a_text_that_reads_like_xml_changes_nothing(tmp_path: Path) -> None:
    rows = [["id", "n"], ['a t="s"', 1], ['<c t="b"><v>1</v></c>', 2.5]]
    path = _mappe(tmp_path / "c.xlsx", {"Daten": rows})
    schnell = _schnell(path)
    assert schnell is not None and _spalten(schnell) == _spalten(xlsx._read_calamine(path))
    assert _spalten(schnell)[1][1] == ["n", "1", "2.5"]


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
