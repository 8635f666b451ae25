"""Bad input named clearly: UTF-16/32, header-only exports, extra sheets, Unicode NFC names."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_reading import JH_HEADER, RAUMGLIEDERUNG, problems_of, read, write

from kennzahlen.cli import cli

ROWS = "J1;27;ambulant;nein;2021-01-05;;110\nJ2;34;stationaer;nein;2021-02-01;;130\n"


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
        ("utf-32", "UTF-32"),
    ],
)
def test_wide_encodings_are_named_not_garbled(tmp_path: Path, encoding: str, name: str) -> None:
    write(tmp_path, "jugendhilfe_2021-04-15.csv", JH_HEADER + ROWS, encoding=encoding)
    problems = problems_of(tmp_path)
    assert len(problems) == 1, "\n".join(map(str, problems))
    assert f"als {name} gespeichert" in problems[0].meldung and "UTF-8" in problems[0].meldung
    assert problems[0].wert == name


def test_header_only_export_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "jugendhilfe_2021-04-15.csv", JH_HEADER)
    write(tmp_path, "jugendhilfe_2021-01-15.csv", JH_HEADER + ROWS)
    data = read(tmp_path)
    assert len(data.tables["jugendhilfe"]) == 2
    assert [w for w in data.warnings if "nur die Kopfzeile" in w] == [
        "jugendhilfe_2021-04-15.csv: enthält nur die Kopfzeile, keine Datenzeilen (0 Zeilen "
        "gelesen); bitte prüfen, ob der Export vollständig ist"
    ]


def test_extra_sheets_with_content_are_a_warning(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    for line in (JH_HEADER + ROWS).splitlines():
        ws.append(line.split(";"))
    wb.create_sheet("Leer")
    wb.create_sheet("Nachträge").append(["J3", 27, "ambulant", "nein", "2021-03-01", None, "110"])
    wb.save(tmp_path / "jugendhilfe_2021-04-15.xlsx")
    data = read(tmp_path)
    assert len(data.tables["jugendhilfe"]) == 2
    assert data.warnings == [
        "jugendhilfe_2021-04-15.xlsx: hat weitere Tabellenblätter mit Inhalt ('Nachträge'); "
        "gelesen wird "
        "nur das erste ('Export'). Gehören Daten dorthin, bitte alles auf das erste Blatt legen"
    ]


def test_warnings_reach_the_build_log(demo_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in demo_raw.iterdir():
        (raw / f.name).symlink_to(f)
    header = (
        demo_raw
        / sorted(p.name for p in demo_raw.iterdir() if p.name.startswith("jugendhilfe_"))[0]
    )
    (raw / "jugendhilfe_2024-01-30.csv").write_bytes(header.read_bytes().splitlines()[0] + b"\n")
    res = CliRunner().invoke(cli, ["pool", "--raw", str(raw), "--out", str(tmp_path / "pool")])
    assert res.exit_code == 0, res.output
    assert "Warnung: jugendhilfe_2024-01-30.csv: enthält nur die Kopfzeile" in res.output


def test_names_are_compared_after_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Böfingen")
    header = "beratung_id;beginn;sozialraum\n"
    write(
        tmp_path,
        "hilfen_vor_dem_fall_2021-04-15.csv",
        header + f"H1;2021-01-05;{nfd}\nH2;2021-01-06;Böfingen\n",
    )
    data = read(tmp_path)
    assert data.tables["hilfen_vor_dem_fall"]["sozialraum"].tolist() == ["Böfingen", "Böfingen"]


def test_a_decomposed_raumgliederung_matches_composed_data(tmp_path: Path) -> None:
    from kennzahlen.reading.raw import read_raw

    rg = RAUMGLIEDERUNG.copy()
    rg["sozialraum"] = [unicodedata.normalize("NFD", s) for s in rg["sozialraum"]]
    write(
        tmp_path,
        "hilfen_vor_dem_fall_2021-04-15.csv",
        "beratung_id;beginn;sozialraum\nH1;2021-01-05;Böfingen\n",
    )
    write(tmp_path, "jugendhilfe_2021-04-15.csv", JH_HEADER + ROWS)
    data = read_raw(tmp_path, rg)
    assert data.tables["hilfen_vor_dem_fall"]["sozialraum"].tolist() == ["Böfingen"]
    assert data.tables["jugendhilfe"]["sozialraum"].tolist() == ["Mitte/Ost", "Böfingen"]


def test_a_nul_byte_in_a_case_id_is_bad_input_not_a_second_case(tmp_path: Path) -> None:
    """'J1' and 'J1<NUL>' used to be two cases; now the file names line, column and value."""
    write(
        tmp_path,
        "jugendhilfe_2021-04-15.csv",
        JH_HEADER + ROWS + "J1\0;27;ambulant;nein;2021-01-05;;110\n",
    )
    problems = problems_of(tmp_path)
    assert [(p.zeile, p.spalte, p.wert) for p in problems] == [(4, "fall_id", "J1\\x00")]
    assert str(problems[0]).startswith(
        "jugendhilfe_2021-04-15.csv, Zeile 4, Spalte 'fall_id': Steuerzeichen im Wert "
        "'J1\\x00' (NUL)"
    )


def test_control_characters_in_names_and_free_text(tmp_path: Path) -> None:
    """A name or code with a control character is named once (not also as an unknown code); a
    line break typed into a free-text cell stays text, an escape character does not."""
    write(
        tmp_path,
        "hilfen_vor_dem_fall_2021-04-15.csv",
        "beratung_id;beginn;sozialraum\nH1;2021-01-05;Böfingen\x1b\nH2;2021-01-06;Böfingen\n",
    )
    write(
        tmp_path,
        "ampel_schaltungen_2021-04-15.csv",
        "quartal;sozialraum;arbeitsfeld;farbe;begruendung;geschaltet_am\n"
        "2021-Q1;West;egh;rot;Text\x07;2021-04-02\n"
        '2021-Q1;Böfingen;jh;rot;"Zwei Fälle\r\nneu";2021-04-02\n',
    )
    problems = {(p.datei.split("_2021")[0], p.zeile, p.spalte) for p in problems_of(tmp_path)}
    assert problems == {
        ("ampel_schaltungen", 2, "begruendung"),
        ("hilfen_vor_dem_fall", 2, "sozialraum"),
    }


def _schaltungen_xlsx(path: Path, zelle: str | None = None, blatt2: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Schaltungen"
    ws.append(["quartal", "sozialraum", "arbeitsfeld", "farbe", "begruendung", "geschaltet_am"])
    ws.append(["2021-Q1", "West", "jh", "rot", "Zwei neue Fälle", "2021-04-02"])
    if zelle:
        ws[zelle] = "vertippt"
    if blatt2:
        wb.create_sheet("Notizen")[blatt2] = "vertippt"
    wb.save(path)
    return path


@pytest.mark.parametrize(("zelle", "blatt2"), [("XFD1048576", None), (None, "XFD1048576")])
def test_a_stray_value_far_out_is_bad_input_not_an_abort(tmp_path: Path, zelle, blatt2) -> None:
    """One value in XFD1048576 of a hand-kept sheet: calamine allocated the dense range (about
    550 GB) and the pool build died with SIGABRT; on a second sheet a PanicException escaped."""
    _schaltungen_xlsx(tmp_path / "ampel_schaltungen_2021-04-15.xlsx", zelle, blatt2)
    problems = problems_of(tmp_path)
    blatt = "Notizen" if blatt2 else "Schaltungen"
    assert [str(p) for p in problems] == [
        f"ampel_schaltungen_2021-04-15.xlsx: Das Tabellenblatt '{blatt}' reicht bis Zelle "
        "XFD1048576 (1.048.576 Zeilen × 16.384 Spalten); so weit liest das Programm nicht "
        "(höchstens 1.000 Spalten und 30.000.000 Zellen). Meist steht ein einzelner Wert weit "
        "außerhalb der Tabelle: bitte in Excel mit Strg+Ende suchen, die Zeilen und Spalten "
        "danach löschen und die Datei neu speichern."
    ]


def test_cells_without_reference_are_placed_as_a_reader_places_them(tmp_path: Path) -> None:
    """The reference ``r="A1"`` is optional: a sheet of 2,000 empty rows and a row of 20,000
    cells without references reaches as far, and is refused too (no reference to trust)."""
    import zipfile

    from kennzahlen.reading import xlsxgroesse

    src = _schaltungen_xlsx(tmp_path / "vorlage.xlsx")
    ziel = tmp_path / "ampel_schaltungen_2021-04-15.xlsx"
    zeile = "<row>" + "<c t='inlineStr'><is><t>x</t></is></c>" * 20_000 + "</row>"
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{'<row/>' * 2_000}{zeile}</sheetData></worksheet>"
    ).encode()
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(ziel, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            daten = a.read(info)
            b.writestr(info, sheet if info.filename == "xl/worksheets/sheet1.xml" else daten)
    (a,) = xlsxgroesse.ausdehnungen(ziel)
    assert (a.blatt, a.spalten, a.zeilen) == ("Schaltungen", 20_000, 2_001)
    assert "reicht bis Zelle ACOF2001" in str(problems_of(tmp_path)[0])
    assert xlsxgroesse.spaltenname(20_000) == "ACOF"
    src.unlink()


def test_whatever_the_readers_throw_is_bad_input_naming_the_file(tmp_path: Path, monkeypatch):
    """pyo3's PanicException derives from BaseException, not Exception: it escaped the reader."""
    from kennzahlen.reading import xlsx as excel

    class PanicException(BaseException):  # what pyo3_runtime raises for a Rust panic
        pass

    def panic(_path):
        raise PanicException("chunk size must be non-zero")

    monkeypatch.setattr(excel, "_read_calamine", panic)
    monkeypatch.setattr(excel, "_read_openpyxl", panic)
    _schaltungen_xlsx(tmp_path / "ampel_schaltungen_2021-04-15.xlsx")
    assert [str(p) for p in problems_of(tmp_path)] == [
        "ampel_schaltungen_2021-04-15.xlsx: Excel-Datei nicht lesbar (chunk size must be "
        "non-zero); bitte als .xlsx neu speichern oder als CSV exportieren."
    ]
