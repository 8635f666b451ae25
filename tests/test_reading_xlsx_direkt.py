"""XLSX cells read straight from python-calamine give the same text as pandas' calamine reader
(the way before): numbers, dates, times, empty and NA cells, blank lines, further sheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from kennzahlen.reading import xlsx


def _mappe(path: Path, blaetter: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in blaetter.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def _gleich(path: Path) -> tuple:
    neu, alt = xlsx._read_calamine_frame(path), xlsx._read_calamine_pandas(path)
    assert (neu[0], neu[2]) == (alt[0], alt[2])
    assert neu[1] is not None and alt[1] is not None
    assert neu[1].equals(alt[1]) and neu[1].index.equals(alt[1].index)
    assert list(neu[1].columns) == list(alt[1].columns)
    return neu


def test_cells_as_text_like_pandas(tmp_path: Path) -> None:
    rows = [
        ["id", "betrag", "datum", "zeit", "flag", "leer"],
        [1, 2.5, dt.date(2023, 1, 31), dt.datetime(2023, 2, 1, 0, 0), True, None],
        [2.0, 1e16, dt.datetime(2023, 2, 1, 13, 5), dt.time(12, 30), False, "NA"],
        [None, None, None, None, None, None],
        ["x", -0.0, "2023-03-01 00:00:00", "a:b", "", "  "],
    ]
    blaetter = {"Daten": rows, "Notiz": [["NA"], [None], ["n/a"]], "Mehr": [[None, "Text"]]}
    name, text, extra = _gleich(_mappe(tmp_path / "a.xlsx", blaetter))
    assert name == "Daten" and extra == ["Mehr"]
    assert list(text.iloc[1]) == ["1", "2.5", "2023-01-31", "2023-02-01", "True", ""]
    assert list(text.iloc[2])[:2] == ["2", "10000000000000000"]
    assert list(text.iloc[2])[3:] == ["12:30:00", "False", "NA"]
    assert list(text.iloc[4])[2] == "2023-03-01"


def test_one_column_sheet_keeps_blank_lines_like_pandas(tmp_path: Path) -> None:
    rows = [["id"], ["1"], [None], [" "], ["2"]]
    _name, text, _extra = _gleich(_mappe(tmp_path / "b.xlsx", {"Blatt": rows}))
    assert list(text[0]) == ["id", "1", "", "", "2"]
