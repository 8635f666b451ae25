"""Reading and validating the raw deliveries (kennzahlen.reading.raw).

The bad-input corpus lives in tests/corpus/bad/<defect>/<table>_<stand>.csv: one small file
per kind of defect; CORPUS below says which problem each must produce.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kennzahlen.core.schema import OHNE_ZUORDNUNG, TABLES, output_dtypes
from kennzahlen.reading.problems import InvalidInput, Problem
from kennzahlen.reading.raw import RawData, read_file, read_raw

CORPUS = Path(__file__).parent / "corpus" / "bad"

# A small, fixed Raumgliederung (a part of Ulm's) so that the tests do not depend on config/.
RAUMGLIEDERUNG = pd.DataFrame(
    {
        "stadtviertel_nr": ["110", "111", "130", "140", "141", "150", "180"],
        "stadtviertel": [
            "Altstadt",
            "Neustadt",
            "Eichenplatz",
            "Nördliche Wagnerstraße",
            "Blaubeurer Straße-Gewerbegebiet",
            "Mähringer Weg",
            "Alt-Wiblingen",
        ],
        "stadtteil": [
            "Mitte",
            "Mitte",
            "Böfingen",
            "Weststadt",
            "Weststadt",
            "Eselsberg",
            "Wiblingen",
        ],
        "sozialraum": [
            "Mitte/Ost",
            "Mitte/Ost",
            "Böfingen",
            "West",
            "West",
            "Eselsberg",
            "Wiblingen",
        ],
    }
)


def problems_of(raw_dir: Path) -> list[Problem]:
    with pytest.raises(InvalidInput) as info:
        read_raw(raw_dir, RAUMGLIEDERUNG)
    return info.value.problems


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def read(folder: Path) -> RawData:
    return read_raw(folder, RAUMGLIEDERUNG)


# --------------------------------------------------------------------------------------
# the bad-input corpus: one defect per folder, exact place and message

# folder: (file, line, column, value, fragment of str(problem))
# fmt: off
CORPUS_EXPECTED = {
    "missing_column": (
        "haushalte_2021-01-10.csv", 1, "haushaltstyp", None,
        "haushalte_2021-01-10.csv, Zeile 1, Spalte 'haushaltstyp': Pflichtspalte fehlt",
    ),
    "bad_date": (
        "jugendhilfe_2021-01-15.csv", 7, "ende", "31.02.2021",
        "jugendhilfe_2021-01-15.csv, Zeile 7, Spalte 'ende': Datum nicht lesbar: '31.02.2021' "
        "(erwartet JJJJ-MM-TT oder TT.MM.JJJJ)",
    ),
    "bad_number": (
        "bevoelkerung_2021-02-01.csv", 4, "anzahl", "12,5",
        "bevoelkerung_2021-02-01.csv, Zeile 4, Spalte 'anzahl': Keine ganze Zahl: '12,5'",
    ),
    "negative_count": (
        "transferleistungen_2021-04-10.csv", 3, "personen", "-3",
        "transferleistungen_2021-04-10.csv, Zeile 3, Spalte 'personen': Anzahl negativ: '-3'",
    ),
    "unknown_stadtviertel": (
        "wohnraumsicherung_2021-07-05.csv", 5, "stadtviertel_nr", "999",
        "wohnraumsicherung_2021-07-05.csv, Zeile 5, Spalte 'stadtviertel_nr': "
        "Stadtviertel unbekannt: '999'",
    ),
    "unknown_sozialraum": (
        "teilhabeteam_2021-10-04.csv", 3, "sozialraum", "Nordstadt",
        "teilhabeteam_2021-10-04.csv, Zeile 3, Spalte 'sozialraum': "
        "Sozialraum unbekannt: 'Nordstadt'",
    ),
    "unknown_category": (
        "sozialhilfe_2022-01-12.csv", 4, "leistung", "pflegegeld",
        "sozialhilfe_2022-01-12.csv, Zeile 4, Spalte 'leistung': Unbekannter Code: 'pflegegeld'",
    ),
    "ende_before_beginn": (
        "fallmanagement_2022-04-08.csv", 3, "ende", "2021-12-31",
        "fallmanagement_2022-04-08.csv, Zeile 3, Spalte 'ende': Ende vor Beginn: '2021-12-31' "
        "liegt vor beginn '2022-01-15'",
    ),
    "duplicate_key": (
        "beratungen_altenhilfe_2022-07-06.csv", 5, "beratung_id", "B-0002",
        "beratungen_altenhilfe_2022-07-06.csv, Zeile 5, Spalte 'beratung_id': "
        "Schlüssel doppelt in dieser Datei: 'B-0002' (schon in Zeile 3)",
    ),
    "duplicate_key_count": (
        "haushalte_2022-01-15.csv", 4, "stichtag, stadtviertel_nr, haushaltstyp",
        "31.12.2021 / 110 / einpersonen",
        "haushalte_2022-01-15.csv, Zeile 4, Spalte 'stichtag, stadtviertel_nr, haushaltstyp': "
        "Schlüssel doppelt in dieser Datei: '31.12.2021 / 110 / einpersonen' (schon in Zeile 2)",
    ),
    "empty_required": (
        "hilfen_vor_dem_fall_2022-10-05.csv", 4, "beginn", "",
        "hilfen_vor_dem_fall_2022-10-05.csv, Zeile 4, Spalte 'beginn': Pflichtwert fehlt",
    ),
    "bad_boolean": (
        "beratungen_altenhilfe_2023-01-09.csv", 2, "vermeidung_stationaer", "vielleicht",
        "beratungen_altenhilfe_2023-01-09.csv, Zeile 2, Spalte 'vermeidung_stationaer': "
        "Ja/Nein-Wert nicht lesbar: 'vielleicht'",
    ),
    "alter_out_of_range": (
        "bevoelkerung_2022-01-20.csv", 6, "alter", "111",
        "bevoelkerung_2022-01-20.csv, Zeile 6, Spalte 'alter': "
        "Wert außerhalb des erlaubten Bereichs 0–110: '111'",
    ),
    "empty_begruendung": (
        "ampel_schaltungen_2022-04-20.csv", 3, "begruendung", "",
        "ampel_schaltungen_2022-04-20.csv, Zeile 3, Spalte 'begruendung': Pflichtwert fehlt",
    ),
    "bad_quarter": (
        "ampel_schaltungen_2022-07-20.csv", 2, "quartal", "2022-Q5",
        "ampel_schaltungen_2022-07-20.csv, Zeile 2, Spalte 'quartal': "
        "Quartal nicht lesbar: '2022-Q5'",
    ),
    "too_many_fields": (
        "ampel_schaltungen_2022-10-20.csv", 2, None, None,
        "ampel_schaltungen_2022-10-20.csv, Zeile 2: Die Zeile hat 7 Felder, die Kopfzeile 6",
    ),
    "bad_file_date": (
        "jugendhilfe_2021-02-30.csv", None, None, "jugendhilfe_2021-02-30.csv",
        "jugendhilfe_2021-02-30.csv: Das Datum im Dateinamen ist kein gültiges Datum",
    ),
    "stand_in_future": (
        "jugendhilfe_2099-04-12.csv", None, None, "2099-04-12",
        "jugendhilfe_2099-04-12.csv: Der Stand im Dateinamen (12.04.2099) liegt nach dem Tag des "
            "Laufs",
    ),
    "same_stand": (
        "jugendhilfe_2023-04-12.csv", None, None, "jugendhilfe_2023-04-12.xlsx",
        "jugendhilfe_2023-04-12.csv: Zwei Exporte der Tabelle 'jugendhilfe' mit demselben Stand "
            "12.04.2023",
    ),
    # the steering tables (kennzahlen.steuerung): lists from config and rules across a row
    "rolle_ist_person": (
        "massnahmen_2024-01-20.csv", 3, "verantwortlich", "Frau Müller",
        "massnahmen_2024-01-20.csv, Zeile 3, Spalte 'verantwortlich': Rolle unbekannt: "
        "'Frau Müller'; hier steht eine Rolle, nie der Name einer Person (erlaubt: "
        "Abteilungsleitung, Sozialraumteamleitung,",
    ),
    "frist_vor_quartal": (
        "massnahmen_2024-01-20.csv", 2, "frist", "30.11.2022",
        "massnahmen_2024-01-20.csv, Zeile 2, Spalte 'frist': Frist vor dem Quartal: '30.11.2022' "
        "liegt vor dem Beginn von 2023-Q3",
    ),
    "erledigt_ohne_ergebnis": (
        "massnahmen_2024-01-20.csv", 2, "ergebnis", "",
        "massnahmen_2024-01-20.csv, Zeile 2, Spalte 'ergebnis': Status erledigt braucht ein "
        "Ergebnis",
    ),
    "erlaeuterung_ohne_bezug": (
        "erlaeuterungen_2024-01-20.csv", 3, "kennzahl", "",
        "erlaeuterungen_2024-01-20.csv, Zeile 3, Spalte 'kennzahl': Bezug fehlt: bitte entweder "
        "kennzahl",
    ),
    "unknown_kennzahl": (
        "erlaeuterungen_2024-01-20.csv", 2, "kennzahl", "jh_hze_stationaer_neu",
        "erlaeuterungen_2024-01-20.csv, Zeile 2, Spalte 'kennzahl': Kennzahl unbekannt: "
        "'jh_hze_stationaer_neu' (erlaubt ist eine id aus config/kennzahlen.yaml",
    ),
    "unknown_gebiet": (
        "erlaeuterungen_2024-01-20.csv", 2, "sozialraum", "Ulm",
        "erlaeuterungen_2024-01-20.csv, Zeile 2, Spalte 'sozialraum': Gebiet unbekannt: 'Ulm' "
        "(erlaubt: Böfingen, Eselsberg, Mitte/Ost, West, Wiblingen oder Gesamtstadt)",
    ),
    "bad_decimal": (
        "personal_2024-01-10.csv", 3, "vzae", "3,5 VZÄ",
        "personal_2024-01-10.csv, Zeile 3, Spalte 'vzae': Keine Zahl: '3,5 VZÄ' (erwartet z. B. "
        "2,5 oder 2.5",
    ),
    "negative_vzae": (
        "personal_2024-01-10.csv", 2, "vzae", "-1",
        "personal_2024-01-10.csv, Zeile 2, Spalte 'vzae': Wert negativ: '-1'",
    ),
    "unknown_dienst": (
        "personal_2024-01-10.csv", 2, "dienst", "Jugendgerichtshilfe",
        "personal_2024-01-10.csv, Zeile 2, Spalte 'dienst': Dienst unbekannt: "
        "'Jugendgerichtshilfe' (erlaubt: SD-F, Fallmanagement EGH, Teilhabeteam, Fallmanagement AH",
    ),
    "teile_groesser_als_ganzes": (
        "transferleistungen_2022-01-20.csv", 2, "personen", "180",
        "transferleistungen_2022-01-20.csv, Zeile 2, Spalte 'personen': Teile größer als das "
        "Ganze: sgb2_u15 in Zeile 3 (120) + sgb2_arbeitslos in Zeile 4 (90) ergeben 210, aber "
        "leistung 'sgb2' hat nur 180",
    ),
    # a structural zero (schema.Festlegung): the BTHG makes besondere Wohnform stationär
    "unmoegliche_kombination": (
        "sozialhilfe_2022-01-12.csv", 3, "setting", "ambulant",
        "sozialhilfe_2022-01-12.csv, Zeile 3, Spalte 'setting': Unmögliche Kombination: "
        "leistung 'egh_besondere_wohnform' mit setting 'ambulant' (erlaubt: stationaer)",
    ),
    "vergleich_andere_fassung": (
        "vergleichswerte_2024-01-10.csv", 3, "katalogversion", "1",
        "vergleichswerte_2024-01-10.csv, Zeile 3, Spalte 'katalogversion': Definition passt nicht: "
        "der Wert nennt Fassung 1, der Katalog rechnet 'egh_z2_anteil_nahfeld' 2023 in Fassung 2 "
        "(Definition ab 2022-Q3)",
    ),
    "vergleich_jahr_mit_bruch": (
        "vergleichswerte_2024-01-10.csv", 3, "jahr", "2022",
        "Kein Vergleich für 2022 möglich: die Definition von 'egh_z2_anteil_nahfeld' wechselt in "
        "diesem Jahr (2022-Q3)",
    ),
    "vergleich_wert_passt_nicht": (
        "vergleichswerte_2024-01-10.csv", 2, "wert", "0,7",
        "Wert passt nicht zu Zähler und Nenner: 30 / 50 = 0.6, geliefert 0,7",
    ),
    "ausgaben_netto_falsch": (
        "ausgaben_2023-04-20.csv", 3, "netto", "203000,00",
        "ausgaben_2023-04-20.csv, Zeile 3, Spalte 'netto': Netto passt nicht zu brutto − "
        "einnahmen: '203000,00', aber 250000,00 − 20000,00 = 230000,00",
    ),
    "ausgaben_zeitraum": (
        "ausgaben_2024-01-25.csv", 3, "periode", "2023-Q5",
        "ausgaben_2024-01-25.csv, Zeile 3, Spalte 'periode': Zeitraum nicht lesbar: '2023-Q5' "
        "(erwartet ein Jahr JJJJ oder ein Quartal JJJJ-Qn)",
    ),
    "ausgaben_hilfeart_arbeitsfeld": (
        "ausgaben_2023-07-18.csv", 3, "arbeitsfeld", "egh",
        "Unmögliche Kombination: hilfeart 'hze' mit arbeitsfeld 'egh' (erlaubt: jh). Hilfen zur "
        "Erziehung und Hilfen für UMA sind Jugendhilfe",
    ),
    "xlsx_bezug_doppelt": (
        "ampel_schaltungen_2021-04-15.xlsx", None, None, None,
        "ampel_schaltungen_2021-04-15.xlsx: Im Tabellenblatt 'Schaltungen' hat eine Zelle zwei "
            'Bezüge (r="A3" und r="XFD1048576"); calamine nimmt den letzten, openpyxl keinen.',
    ),
    "xlsx_bezug_klein": (
        "ampel_schaltungen_2021-04-15.xlsx", None, None, None,
        "ampel_schaltungen_2021-04-15.xlsx: Das Tabellenblatt 'Schaltungen' reicht bis Zelle "
            "XFD1048576 (1.048.576 Zeilen × 16.384 Spalten)",
    ),
    "utf16": (
        "jugendhilfe_2021-04-15.csv", None, None, "UTF-16",
        "jugendhilfe_2021-04-15.csv: Die Datei ist als UTF-16 gespeichert; gelesen werden UTF-8 "
            "und Windows-1252"
        ,
    ),
}
# fmt: on


@pytest.mark.parametrize("defect", sorted(CORPUS_EXPECTED))
def test_corpus_file_gives_exactly_its_problem(defect: str) -> None:
    datei, zeile, spalte, wert, fragment = CORPUS_EXPECTED[defect]
    problems = problems_of(CORPUS / defect)
    assert len(problems) == 1, "\n".join(map(str, problems))
    p = problems[0]
    assert (p.datei, p.zeile, p.spalte, p.wert) == (datei, zeile, spalte, wert)
    assert fragment in str(p)


def test_every_corpus_folder_has_an_expectation() -> None:
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert folders - {"several"} == set(CORPUS_EXPECTED)


def test_all_problems_of_all_files_are_listed() -> None:
    with pytest.raises(InvalidInput) as info:
        read_raw(CORPUS / "several", RAUMGLIEDERUNG)
    exc = info.value
    got = [(p.datei, p.zeile, p.spalte, p.wert) for p in exc.problems]
    j = "jugendhilfe_2021-04-15.csv"
    assert got == [
        (j, 3, "paragraph", "28"),
        (j, 4, "setting", "stationär"),
        (j, 5, "uma", "weiß nicht"),
        (j, 5, "ende", "2021-02-01"),
        (j, 5, "stadtviertel_nr", "777"),
        (j, 6, "fall_id", "J-2001"),
        ("transferleistungen_2021-04-10.csv", 1, "personen", None),
    ]
    lines = str(exc).splitlines()
    assert lines[0] == "7 Probleme in den Rohdaten:"
    assert lines[1:] == [str(p) for p in exc.problems]


def test_problem_str_without_line_and_column() -> None:
    assert str(Problem("a.csv", None, None, None, "kaputt")) == "a.csv: kaputt"
    assert str(InvalidInput([Problem("a.csv", 2, "x", "1", "m")])).splitlines() == [
        "1 Problem in den Rohdaten:",
        "a.csv, Zeile 2, Spalte 'x': m",
    ]


def test_invalid_input_survives_pickling() -> None:
    import pickle

    exc = InvalidInput(
        [Problem("a.csv", 2, "x", "1", "m"), Problem("b.csv", None, None, None, "n")]
    )
    back = pickle.loads(pickle.dumps(exc))
    assert back.problems == exc.problems
    assert str(back) == str(exc)


@pytest.mark.parametrize("make", ["missing", "empty", "only_other_files"])
def test_no_delivery_is_one_clear_problem(tmp_path: Path, make: str) -> None:
    raw = tmp_path / "raw"
    if make != "missing":
        raw.mkdir()
    if make == "only_other_files":
        write(raw, "README.md", "# Rohdaten\n")
        write(raw, "notizen.txt", "x")
    problems = problems_of(raw)
    assert len(problems) == 1
    assert "Keine Lieferung" in problems[0].meldung
    assert str(raw) in problems[0].meldung


# --------------------------------------------------------------------------------------
# good input

JH_HEADER = "fall_id;paragraph;setting;uma;beginn;ende;stadtviertel_nr\n"

# one minimal, valid delivery per table
GOOD = {
    "bevoelkerung": "stichtag;stadtviertel_nr;alter;geschlecht;staatsangehoerigkeit;"
    "migrationshintergrund;anzahl\n2021-12-31;110;5;w;deutsch;nein;7\n",
    "haushalte": "stichtag;stadtviertel_nr;haushaltstyp;anzahl\n2021-12-31;110;einpersonen;9\n",
    "transferleistungen": "stichtag;stadtviertel_nr;leistung;personen\n2021-12-31;;sgb2;3\n",
    "jugendhilfe": JH_HEADER + "J1;27;ambulant;nein;2021-01-01;;110\n",
    "hilfen_vor_dem_fall": "beratung_id;beginn;sozialraum\nH1;2021-02-01;West\n",
    "sozialhilfe": "fall_id;leistung;setting;beginn;ende;stadtviertel_nr\n"
    "S1;gsi;ambulant;2021-01-01;2021-06-30;130\n",
    "fallmanagement": "fall_id;bereich;beginn;ende;stadtviertel_nr\nF1;ah;2021-01-01;;150\n",
    "beratungen_altenhilfe": "beratung_id;datum;stadtviertel_nr;vermeidung_stationaer;"
    "verbleib_haeuslichkeit\nB1;2021-03-01;180;ja;nein\n",
    "teilhabeteam": "beratung_id;datum;sozialraum;ressourcen\nT1;2021-03-01;;nahfeld\n",
    "wohnraumsicherung": "meldung_id;datum;art;meldende_stelle;stadtviertel_nr\n"
    "W1;2021-03-01;mietschulden;uws;141\n",
    "ampel_schaltungen": "quartal;sozialraum;arbeitsfeld;farbe;begruendung;geschaltet_am\n"
    '2021-q4;Wiblingen;JH;Gelb;"Neue Wohngruppe; Anstieg erwartet";2022-01-10\n',
    "erlaeuterungen": "quartal;sozialraum;kennzahl;arbeitsfeld;text;rolle;datum\n"
    "2021-Q4;Gesamtstadt;jh_hze_stationaer;;Zwei Geschwistergruppen;fachkoordination  JUGENDHILFE;"
    "2022-01-10\n",
    "massnahmen": "massnahme_id;quartal;sozialraum;arbeitsfeld;anlass;massnahme;verantwortlich;"
    "frist;status;erledigt_am;ergebnis\n"
    "M-1;2021-Q4;West;ah;Rot;Fallkonferenz;Fachplanung Altenhilfe;31.03.2022;offen;;\n",
    "personal": "stichtag;sozialraum;dienst;vzae\n2021-12-31;West;sd-f;4,5\n",
    "vergleichswerte": "kennzahl;jahr;ring;vergleich;wert;zaehler;nenner;quelle;katalogversion\n"
    "EGH_Z7_Besondere_Wohnform_je_1000;2021;Ring BW;Stadt A;3,25;;;Ringbericht 2021;1\n",
    "ausgaben": "Periode;Arbeitsfeld;Hilfeart;Setting;Sozialraum;Brutto;Einnahmen;Netto\n"
    "2021-q4;JH;HzE;stationaer;;1234567,89;1234,5;1233333.39\n",
}


def test_every_table_read_with_contract_columns_and_dtypes(tmp_path: Path) -> None:
    assert set(GOOD) == set(TABLES)
    for name, text in GOOD.items():
        write(tmp_path, f"{name}_2022-01-15.csv", text)
    data = read(tmp_path)
    assert set(data.tables) == set(TABLES)
    for name, df in data.tables.items():
        expected = output_dtypes(TABLES[name])
        assert list(df.columns) == list(expected) == TABLES[name].output_columns
        assert {c: str(t) for c, t in df.dtypes.items()} == {
            c: str(pd.Series(dtype=t).dtype) for c, t in expected.items()
        }, name
        assert len(df) == 1
        assert (df["stand"] == pd.Timestamp("2022-01-15")).all()
        assert (df["datei"] == f"{name}_2022-01-15.csv").all()
    ampel = data.tables["ampel_schaltungen"].iloc[0]
    assert (ampel["quartal"], ampel["arbeitsfeld"], ampel["farbe"]) == ("2021-Q4", "jh", "gelb")
    assert ampel["begruendung"] == "Neue Wohngruppe; Anstieg erwartet"
    assert data.tables["transferleistungen"]["sozialraum"].tolist() == [OHNE_ZUORDNUNG]
    assert data.tables["teilhabeteam"]["sozialraum"].tolist() == [OHNE_ZUORDNUNG]
    assert data.tables["sozialhilfe"]["sozialraum"].tolist() == ["Böfingen"]
    # configured spelling of roles and services; decimal comma
    assert data.tables["erlaeuterungen"]["rolle"].tolist() == ["Fachkoordination Jugendhilfe"]
    assert data.tables["erlaeuterungen"]["arbeitsfeld"].isna().all()
    assert data.tables["massnahmen"]["anlass"].tolist() == ["rot"]
    assert data.tables["personal"][["dienst", "vzae"]].values.tolist() == [["SD-F", 4.5]]
    vergleich = data.tables["vergleichswerte"]
    assert vergleich[["kennzahl", "jahr", "wert"]].values.tolist() == [
        ["egh_z7_besondere_wohnform_je_1000", 2021, 3.25]
    ]
    assert vergleich["zaehler"].isna().all()
    # ausgaben: a quarter in capitals, codes in lower case, amounts in either notation
    a = data.tables["ausgaben"].iloc[0]
    assert (a["periode"], a["arbeitsfeld"], a["hilfeart"], a["sozialraum"]) == (
        "2021-Q4",
        "jh",
        "hze",
        OHNE_ZUORDNUNG,
    )
    assert (a["brutto"], a["einnahmen"], a["netto"]) == (1234567.89, 1234.5, 1233333.39)


def test_table_without_file_is_empty_with_dtypes(tmp_path: Path) -> None:
    write(tmp_path, "jugendhilfe_2022-01-15.csv", GOOD["jugendhilfe"])
    data = read(tmp_path)
    for name, df in data.tables.items():
        if name == "jugendhilfe":
            continue
        assert df.empty
        assert list(df.columns) == TABLES[name].output_columns
        assert {c: str(t) for c, t in df.dtypes.items()} == {
            c: str(pd.Series(dtype=t).dtype) for c, t in output_dtypes(TABLES[name]).items()
        }


def test_utf8_bom_with_semicolon(tmp_path: Path) -> None:
    write(tmp_path, "jugendhilfe_2021-01-15.csv", GOOD["jugendhilfe"], encoding="utf-8-sig")
    data = read(tmp_path)
    assert data.tables["jugendhilfe"]["fall_id"].tolist() == ["J1"]
    row = data.files.iloc[0]
    assert (row["encoding"], row["trennzeichen"], row["format"]) == ("utf-8-sig", ";", "csv")


def test_cp1252_with_comma_and_umlauts(tmp_path: Path) -> None:
    text = "beratung_id,beginn,sozialraum\nH1,2021-02-01,Böfingen\nH2,02.03.2021,Mitte/Ost\n"
    write(tmp_path, "hilfen_vor_dem_fall_2021-04-01.csv", text, encoding="cp1252")
    data = read(tmp_path)
    df = data.tables["hilfen_vor_dem_fall"]
    assert df["sozialraum"].tolist() == ["Böfingen", "Mitte/Ost"]
    assert df["beginn"].tolist() == [pd.Timestamp("2021-02-01"), pd.Timestamp("2021-03-02")]
    row = data.files.iloc[0]
    assert (row["encoding"], row["trennzeichen"]) == ("cp1252", ",")


def test_both_date_styles_in_one_file(tmp_path: Path) -> None:
    text = (
        JH_HEADER
        + "J1;27;ambulant;nein;2021-01-05;31.03.2021;110\n"
        + ("J2;27;ambulant;nein;5.1.2021;2021-03-31;110\n")
    )
    write(tmp_path, "jugendhilfe_2021-04-15.csv", text)
    df = read(tmp_path).tables["jugendhilfe"]
    assert df["beginn"].tolist() == [pd.Timestamp("2021-01-05")] * 2
    assert df["ende"].tolist() == [pd.Timestamp("2021-03-31")] * 2
    assert str(df["beginn"].dtype) == "datetime64[ns]"


def test_mixed_case_headers_extra_columns_and_codes(tmp_path: Path) -> None:
    text = (
        " Fall_ID ;Kommentar;PARAGRAPH;Setting;UMA;Beginn;Ende;Stadtviertel_Nr;Sachbearbeitung\n"
        "  J1 ;irgendwas;35A; Stationaer ;JA;2021-01-05;;  110 ;Frau X\n"
    )
    write(tmp_path, "jugendhilfe_2021-04-15.csv", text)
    df = read(tmp_path).tables["jugendhilfe"]
    assert list(df.columns) == TABLES["jugendhilfe"].output_columns
    row = df.iloc[0]
    assert (row["fall_id"], row["paragraph"], row["setting"], row["uma"]) == (
        "J1",
        "35a",
        "stationaer",
        True,
    )
    assert (row["stadtviertel_nr"], row["sozialraum"]) == ("110", "Mitte/Ost")
    assert pd.isna(row["ende"])


@pytest.mark.parametrize(
    ("text", "value"),
    [(t, True) for t in ("ja", "JA", "j", "J", "1", "true", "True", "TRUE")]
    + [(t, False) for t in ("nein", "Nein", "n", "N", "0", "false", "False", "FALSE")],
)
def test_booleans_in_all_styles(tmp_path: Path, text: str, value: bool) -> None:
    write(
        tmp_path, "jugendhilfe_2021-04-15.csv", JH_HEADER + f"J1;27;ambulant;{text};2021-01-05;;\n"
    )
    df = read(tmp_path).tables["jugendhilfe"]
    assert df["uma"].tolist() == [value]
    assert df["uma"].dtype == bool


def test_empty_stadtviertel_is_ohne_zuordnung(tmp_path: Path) -> None:
    text = JH_HEADER + "J1;27;ambulant;nein;2021-01-05;;\nJ2;27;ambulant;nein;2021-01-05;;141\n"
    write(tmp_path, "jugendhilfe_2021-04-15.csv", text)
    df = read(tmp_path).tables["jugendhilfe"]
    assert df["stadtviertel_nr"].isna().tolist() == [True, False]
    assert df["sozialraum"].tolist() == [OHNE_ZUORDNUNG, "West"]


def test_excel_style_numbers_become_codes(tmp_path: Path) -> None:
    text = JH_HEADER + "J1;27.0;ambulant;nein;2021-01-05;;110.0\n"
    write(tmp_path, "jugendhilfe_2021-04-15.csv", text)
    # a Raumgliederung read with numeric dtypes works as well
    rg = RAUMGLIEDERUNG.assign(stadtviertel_nr=RAUMGLIEDERUNG["stadtviertel_nr"].astype(float))
    df = read_raw(tmp_path, rg).tables["jugendhilfe"]
    assert (df["paragraph"].iloc[0], df["stadtviertel_nr"].iloc[0]) == ("27", "110")
    assert df["sozialraum"].iloc[0] == "Mitte/Ost"


def test_ohne_zuordnung_accepted_as_sozialraum(tmp_path: Path) -> None:
    text = "beratung_id;datum;sozialraum;ressourcen\nT1;2021-03-01;ohne Zuordnung;nahfeld\n"
    write(tmp_path, "teilhabeteam_2021-04-01.csv", text)
    assert read(tmp_path).tables["teilhabeteam"]["sozialraum"].tolist() == [OHNE_ZUORDNUNG]


def test_xlsx_with_real_dates_and_numbers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Fall_ID", "paragraph", "setting", "uma", "beginn", "ende", "stadtviertel_nr"])
    ws.append(["J1", 35, "ambulant", True, dt.datetime(2021, 1, 5), None, 110.0])
    ws.append([1002, "35a", "stationaer", "nein", "07.02.2021", dt.date(2021, 3, 31), "141"])
    ws.append([None] * 7)  # an empty row in between is skipped
    ws.append(["J4", 27, "ambulant", 0, "2021-02-01", None, None])
    wb.save(tmp_path / "jugendhilfe_2021-04-15.xlsx")
    data = read(tmp_path)
    df = data.tables["jugendhilfe"]
    assert df["fall_id"].tolist() == ["J1", "1002", "J4"]
    assert df["paragraph"].tolist() == ["35", "35a", "27"]
    assert df["uma"].tolist() == [True, False, False]
    assert df["beginn"].tolist() == [
        pd.Timestamp("2021-01-05"),
        pd.Timestamp("2021-02-07"),
        pd.Timestamp("2021-02-01"),
    ]
    assert df["ende"].iloc[1] == pd.Timestamp("2021-03-31")
    assert df["stadtviertel_nr"].iloc[0] == "110"
    assert df["sozialraum"].tolist() == ["Mitte/Ost", "West", OHNE_ZUORDNUNG]
    row = data.files.iloc[0]
    assert (row["format"], row["zeilen"]) == ("xlsx", 3)


def test_xlsx_problem_names_the_sheet_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["beratung_id", "beginn", "sozialraum"])
    ws.append(["H1", dt.datetime(2021, 1, 5), "West"])
    ws.append([None, None, None])
    ws.append(["H2", "kein Datum", "West"])
    wb.save(tmp_path / "hilfen_vor_dem_fall_2021-04-15.xlsx")
    problems = problems_of(tmp_path)
    assert [(p.datei, p.zeile, p.spalte, p.wert) for p in problems] == [
        ("hilfen_vor_dem_fall_2021-04-15.xlsx", 4, "beginn", "kein Datum")
    ]


def test_blank_lines_keep_physical_line_numbers(tmp_path: Path) -> None:
    text = "beratung_id;beginn;sozialraum\nH1;2021-01-05;West\n\n;;\nH2;2021-13-01;West\n"
    write(tmp_path, "hilfen_vor_dem_fall_2021-04-15.csv", text)
    problems = problems_of(tmp_path)
    assert [(p.zeile, p.spalte, p.wert) for p in problems] == [(5, "beginn", "2021-13-01")]


def test_superseding_across_exports(tmp_path: Path) -> None:
    old = JH_HEADER + (
        "J1;27;ambulant;nein;2021-01-05;;110\n"  # open in the older export
        "J2;31;ambulant;nein;2021-02-01;;130\n"  # missing in the newer export
    )
    new = JH_HEADER + (
        "J1;27;ambulant;nein;2021-01-05;2021-05-31;110\n"  # closed in the newer export
        "J3;34;stationaer;ja;2021-06-01;;\n"
    )
    write(tmp_path, "jugendhilfe_2021-04-15.csv", old)
    write(tmp_path, "jugendhilfe_2021-07-15.csv", new)
    data = read(tmp_path)
    df = data.tables["jugendhilfe"].set_index("fall_id")
    assert sorted(df.index) == ["J1", "J2", "J3"]
    assert df.at["J1", "ende"] == pd.Timestamp("2021-05-31")
    assert df.at["J1", "datei"] == "jugendhilfe_2021-07-15.csv"
    assert df.at["J2", "datei"] == "jugendhilfe_2021-04-15.csv"
    assert pd.isna(df.at["J2", "ende"])
    assert df.at["J3", "stand"] == pd.Timestamp("2021-07-15")
    files = data.files.set_index("datei")
    assert files["zeilen"].to_dict() == {
        "jugendhilfe_2021-04-15.csv": 2,
        "jugendhilfe_2021-07-15.csv": 2,
    }
    assert files["zeilen_verwendet"].to_dict() == {
        "jugendhilfe_2021-04-15.csv": 1,
        "jugendhilfe_2021-07-15.csv": 2,
    }


def test_superseding_count_table_by_all_dimensions(tmp_path: Path) -> None:
    header = "stichtag;stadtviertel_nr;haushaltstyp;anzahl\n"
    write(
        tmp_path,
        "haushalte_2022-02-01.csv",
        header + "2021-12-31;110;einpersonen;100\n2021-12-31;;einpersonen;4\n"
        "2021-12-31;110;alleinerziehend;7\n",
    )
    # the newer export corrects two cells (one with unknown address), in the other date style
    write(
        tmp_path,
        "haushalte_2022-05-01.csv",
        header + "31.12.2021;110;einpersonen;101\n31.12.2021;;einpersonen;5\n",
    )
    df = read(tmp_path).tables["haushalte"]
    got = {
        (
            r.stadtviertel_nr if isinstance(r.stadtviertel_nr, str) else None,
            r.haushaltstyp,
        ): r.anzahl
        for r in df.itertuples()
    }
    assert got == {
        ("110", "einpersonen"): 101,
        (None, "einpersonen"): 5,
        ("110", "alleinerziehend"): 7,
    }


def test_two_exports_of_one_table_with_the_same_stand_are_bad_input(tmp_path: Path) -> None:
    """Which of the two would win is a guess: the build refuses and names both files."""
    write(
        tmp_path,
        "jugendhilfe_2023-04-12.csv",
        JH_HEADER + "J1;27;ambulant;nein;2021-01-01;;110\n",
    )
    wb = openpyxl.Workbook()
    wb.active.append(JH_HEADER.strip().split(";"))
    wb.active.append(["J1", "27", "stationaer", "nein", "2021-01-01", None, "110"])
    wb.save(tmp_path / "jugendhilfe_2023-04-12.xlsx")
    write(
        tmp_path, "jugendhilfe_2023-07-10.csv", JH_HEADER + "J1;27;ambulant;nein;2021-01-01;;110\n"
    )
    problems = problems_of(tmp_path)
    assert [(p.datei, p.zeile, p.spalte, p.wert) for p in problems] == [
        ("jugendhilfe_2023-04-12.csv", None, None, "jugendhilfe_2023-04-12.xlsx")
    ]
    text = str(problems[0])
    assert "Zwei Exporte der Tabelle 'jugendhilfe' mit demselben Stand 12.04.2023" in text
    assert "jugendhilfe_2023-04-12.csv und jugendhilfe_2023-04-12.xlsx" in text


def test_a_stand_after_the_day_of_the_build_is_bad_input(tmp_path: Path) -> None:
    write(tmp_path, "jugendhilfe_2023-04-12.csv", GOOD["jugendhilfe"])
    write(tmp_path, "jugendhilfe_2032-04-12.csv", GOOD["jugendhilfe"])  # typing error: 2032
    with pytest.raises(InvalidInput) as info:
        read_raw(tmp_path, RAUMGLIEDERUNG, heute=dt.date(2023, 5, 2))
    (p,) = info.value.problems
    assert (p.datei, p.zeile, p.spalte, p.wert) == (
        "jugendhilfe_2032-04-12.csv",
        None,
        None,
        "2032-04-12",
    )
    assert "liegt nach dem Tag des Laufs (02.05.2023)" in str(p)
    # a Stand on the day of the build itself is fine
    (tmp_path / "jugendhilfe_2032-04-12.csv").unlink()
    assert len(read_raw(tmp_path, RAUMGLIEDERUNG, heute=dt.date(2023, 4, 12)).files) == 1


def test_non_matching_files_warn_and_are_not_read(tmp_path: Path) -> None:
    write(tmp_path, "jugendhilfe_2021-04-15.csv", GOOD["jugendhilfe"])
    write(tmp_path, "notizen.csv", "das ist; kein Export\n")
    write(tmp_path, "jugendhilfe.csv", "kaputt\n")
    write(tmp_path, "jugendhilfe_2021-04-15.txt", "kaputt\n")
    write(tmp_path, "README.md", "# Rohdaten\n")
    write(tmp_path, ".gitkeep", "")
    write(tmp_path, ".~lock.jugendhilfe_2021-04-15.csv#", "x")
    data = read(tmp_path)
    assert data.files["datei"].tolist() == ["jugendhilfe_2021-04-15.csv"]
    assert len(data.warnings) == 3
    for name in ("notizen.csv", "jugendhilfe.csv", "jugendhilfe_2021-04-15.txt"):
        assert any(w.startswith(f"{name}:") and "nicht gelesen" in w for w in data.warnings)


def test_header_only_file_is_fine(tmp_path: Path) -> None:
    write(tmp_path, "jugendhilfe_2021-04-15.csv", JH_HEADER)
    data = read(tmp_path)
    assert data.tables["jugendhilfe"].empty
    assert data.files["zeilen"].tolist() == [0]


def test_empty_file_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "jugendhilfe_2021-04-15.csv", "")
    problems = problems_of(tmp_path)
    assert [(p.datei, p.zeile) for p in problems] == [("jugendhilfe_2021-04-15.csv", 1)]


def test_empty_key_is_reported_once_not_as_duplicate(tmp_path: Path) -> None:
    text = JH_HEADER + ";27;ambulant;nein;2021-01-05;;\n;27;ambulant;nein;2021-01-05;;\n"
    write(tmp_path, "jugendhilfe_2021-04-15.csv", text)
    problems = problems_of(tmp_path)
    assert [(p.zeile, p.spalte) for p in problems] == [(2, "fall_id"), (3, "fall_id")]
    assert all("Pflichtwert fehlt" in p.meldung for p in problems)


def test_bad_key_values_are_not_also_reported_as_duplicates(tmp_path: Path) -> None:
    header = "stichtag;stadtviertel_nr;haushaltstyp;anzahl\n"
    text = header + "2021-12-31;999;einpersonen;1\n2021-12-31;999;einpersonen;2\n"
    write(tmp_path, "haushalte_2022-02-01.csv", text)
    problems = problems_of(tmp_path)
    assert [(p.zeile, p.spalte) for p in problems] == [
        (2, "stadtviertel_nr"),
        (3, "stadtviertel_nr"),
    ]


def test_unreadable_date_in_required_column_is_reported_once(tmp_path: Path) -> None:
    write(tmp_path, "jugendhilfe_2021-04-15.csv", JH_HEADER + "J1;27;ambulant;nein;gestern;;\n")
    problems = problems_of(tmp_path)
    assert [(p.zeile, p.spalte, p.wert) for p in problems] == [(2, "beginn", "gestern")]
    assert "Datum nicht lesbar" in problems[0].meldung


def test_read_file_gives_one_file_before_superseding(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "jugendhilfe_2021-04-15.csv",
        JH_HEADER + "J1;27;ambulant;nein;2021-01-05;;110\nJ2;99;ambulant;nein;2021-01-05;;\n",
    )
    frame, problems = read_file(path, TABLES["jugendhilfe"], RAUMGLIEDERUNG)
    assert [(p.zeile, p.spalte) for p in problems] == [(3, "paragraph")]
    assert frame["fall_id"].tolist() == ["J1"]  # the row with a problem is left out
    assert list(frame.columns) == TABLES["jugendhilfe"].output_columns
    assert frame["stand"].tolist() == [pd.Timestamp("2021-04-15")]


def test_default_raumgliederung_comes_from_config(tmp_path: Path) -> None:
    from kennzahlen.catalog.geography import raumgliederung

    rg = raumgliederung()
    nr, sozialraum = rg["stadtviertel_nr"].iloc[0], rg["sozialraum"].iloc[0]
    write(
        tmp_path,
        "jugendhilfe_2021-04-15.csv",
        JH_HEADER + f"J1;27;ambulant;nein;2021-01-05;;{nr}\n",
    )
    df = read_raw(tmp_path).tables["jugendhilfe"]
    assert df["sozialraum"].tolist() == [sozialraum]


@settings(max_examples=30, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_both_date_styles_parse_to_the_same_day(day: dt.date) -> None:
    from kennzahlen.reading.checks import _parse_dates

    s = pd.Series([day.isoformat(), day.strftime("%d.%m.%Y"), f"{day.day}.{day.month}.{day.year}"])
    assert _parse_dates(s).tolist() == [pd.Timestamp(day)] * 3


def test_structural_zeros_judged_per_combination_give_the_per_row_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The structural zeros of a table without row rules are judged once per distinct
    combination of the columns they read (not per row): every file's problems the same as the
    per-row rules give them (lines, values, messages, order), also with empty, unknown and
    untrimmed codes and several refused combinations in two files."""
    import random

    from kennzahlen.reading import stapel

    rnd = random.Random(28)
    paragraphen = ["27", "29", "31", "33", "34", "99", "", " 34"]
    settings_ = ["ambulant", "stationaer", "teilstationaer", "", "Ambulant", "stationaer "]
    for stand in ("2021-04-15", "2021-07-15"):
        lines = [
            f"J{i};{rnd.choice(paragraphen)};{rnd.choice(settings_)};nein;2021-01-05;;110"
            for i in range(400)
        ]
        write(tmp_path, f"jugendhilfe_{stand}.csv", JH_HEADER + "\n".join(lines) + "\n")
    per_kombination = problems_of(tmp_path)
    assert sum("Unmögliche Kombination" in p.meldung for p in per_kombination) > 50
    monkeypatch.setattr(stapel, "_nur_festlegungen", lambda table: False)
    assert problems_of(tmp_path) == per_kombination


@pytest.mark.parametrize("ordered", [False, True])
def test_unused_categories_dropped_as_pandas_does(ordered: bool) -> None:
    """``raw._ohne_unbenutzte`` (counted, not sorted) equals ``cat.remove_unused_categories()``:
    categories in their order, empty values kept, nothing unused, nothing used."""
    import numpy as np

    from kennzahlen.reading.raw import _ohne_unbenutzte

    rng = np.random.default_rng(6)
    cats = pd.Index(["d", "a", "c", "b", "e"], dtype="str")
    for codes in (
        rng.integers(-1, 5, 1000),
        rng.choice([-1, 1, 3], 1000),
        np.arange(5).repeat(3),
        np.full(4, -1),
        np.zeros(0, dtype=int),
    ):
        s = pd.Series(pd.Categorical.from_codes(codes, categories=cats, ordered=ordered))
        got, expected = _ohne_unbenutzte(s), s.cat.remove_unused_categories()
        pd.testing.assert_series_equal(got, expected)
        assert list(got.cat.categories) == list(expected.cat.categories)


def test_each_table_is_superseded_before_the_next_is_read(
    small_demo_raw: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Superseding runs right after a table is read: its parts (the rows of every export) are
    freed before the next table's exports are read, and the tables are those of superseding at
    the end."""
    import weakref

    from kennzahlen.reading import raw as modul

    real = modul._read_table
    alive: list[weakref.ref] = []
    still_alive_at_next_table: list[int] = []

    def watching(entries, table, ctx, cache, results):
        still_alive_at_next_table.append(sum(r() is not None for r in alive))
        parts = real(entries, table, ctx, cache, results)
        alive.extend(weakref.ref(p) for p in parts)
        return parts

    monkeypatch.setattr(modul, "_read_table", watching)
    data = read_raw(small_demo_raw)
    assert len(still_alive_at_next_table) > 10 and len(alive) > 10
    assert still_alive_at_next_table == [0] * len(still_alive_at_next_table)
    monkeypatch.setattr(modul, "_read_table", real)
    for name, frame in read_raw(small_demo_raw).tables.items():
        pd.testing.assert_frame_equal(data.tables[name], frame)


def test_an_id_column_without_empty_values_is_not_copied_to_parse_it() -> None:
    """An id's typed value is its text: without empty values the text itself is taken (a
    million ids: 45 MB not copied); an empty value is still missing."""
    from kennzahlen.reading.checks import _parse_column

    col = TABLES["jugendhilfe"].column("fall_id")
    text = pd.Series(["J1", "J2", "J3"], dtype="str")
    assert _parse_column(text, col) is text
    mit_leer = _parse_column(pd.Series(["J1", ""], dtype="str"), col)
    assert mit_leer.iloc[0] == "J1" and pd.isna(mit_leer.iloc[1]) and mit_leer.dtype == "str"
