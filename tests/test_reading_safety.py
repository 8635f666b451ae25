"""Bad input named clearly: UTF-16/32, header-only exports, extra sheets, Unicode NFC names."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_reading import JH_HEADER, RAUMGLIEDERUNG, problems_of, read, write

from kennzahlen.cli import cli

ROWS = "J1;27;ambulant;nein;2021-01-05;;110\nJ2;31;stationaer;nein;2021-02-01;;130\n"


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
    from kennzahlen.reading import read_raw

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
