"""The size scan before the Excel readers (issue 28): every cell reference the readers understand
is counted as they count it, or the file is refused, naming file, sheet and cell.

Each sheet is written by hand (zipfile), so the XML is exactly as given. What calamine and
openpyxl really make of it runs in a child process with a memory limit: calamine aborts the
whole process (SIGABRT) on a range it cannot allocate, and pytest must survive that.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from kennzahlen.reading import xlsxgroesse
from kennzahlen.reading.xlsx import read_xlsx_text

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
KOPF = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>b</t></is></c></row>'
)
ZELLE = "<is><t>x</t></is></c>"  # the rest of an inline text cell after its start tag
DATEI = "ampel_schaltungen_2021-04-15.xlsx"


def _xlsx(
    path: Path,
    zeilen: str,
    *,
    blatt: str = "Daten",
    member: str = "xl/worksheets/sheet1.xml",
    ziel: str = "worksheets/sheet1.xml",
    xml: bytes | None = None,
) -> Path:
    """An XLSX with one sheet whose <sheetData> holds ``zeilen`` (or whose XML is ``xml``)."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{NS}" xmlns:r="{rel}"><sheets>'
            f'<sheet name="{blatt}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="{ziel}"/></Relationships>',
        )
        if xml is None:
            xml = f'<worksheet xmlns="{NS}"><sheetData>{zeilen}</sheetData></worksheet>'.encode()
        z.writestr(member, xml)
    return path


_KIND = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    from pathlib import Path
    from kennzahlen.reading import xlsx
    from kennzahlen.reading.xlsxgroesse import Ausdehnung
    for leser in sys.argv[2:]:
        try:
            if leser == "fastexcel":  # as if the scan had let the sheet pass
                gelesen = xlsx._read_fastexcel(Path(sys.argv[1]), [Ausdehnung("Daten", 1, 1)])
                _, rows, _ = gelesen if gelesen else (None, [], None)
            else:
                _, rows, _ = getattr(xlsx, "_read_" + leser)(Path(sys.argv[1]))
            if isinstance(rows, list):
                form = [len(rows[0]) if rows else 0, len(rows)]
            else:
                form = [0, 0] if rows is None else [rows.shape[0], rows.shape[1]]
            print(json.dumps([leser, "gelesen", form]), flush=True)
        except MemoryError:
            print(json.dumps([leser, "zu gross", None]), flush=True)
        except BaseException as exc:
            print(json.dumps([leser, "Fehler", str(exc)[:80]]), flush=True)
    """
)


def _leser(path: Path, *leser: str) -> dict[str, tuple[str, object]]:
    """What the project's readers (python-calamine, fastexcel, openpyxl; without the scan) make
    of the file, each as (outcome, [rows, columns] or the error): 'abgebrochen' when the process
    died (then the readers after it did not run)."""
    leser = leser or ("calamine",)
    proc = subprocess.run(
        [sys.executable, "-c", _KIND, str(path), *leser],
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = {z[0]: (z[1], z[2]) for z in map(json.loads, proc.stdout.splitlines())}
    if proc.returncode:
        for name in leser:
            out.setdefault(name, ("abgebrochen", proc.returncode))
    return out


def _problem(path: Path) -> str | None:
    text, problems, _ = read_xlsx_text(path)
    assert (text is None) == bool(problems)
    return str(problems[0]) if problems else None


ZU_WEIT = (
    "{datei}: Das Tabellenblatt 'Daten' reicht bis Zelle {zelle} ({zeilen} Zeilen × {spalten} "
    "Spalten); so weit liest das Programm nicht (höchstens 1.000 Spalten und 30.000.000 Zellen). "
    "Meist steht ein einzelner Wert weit außerhalb der Tabelle: bitte in Excel mit Strg+Ende "
    "suchen, die Zeilen und Spalten danach löschen und die Datei neu speichern."
)
XFD = ZU_WEIT.format(datei=DATEI, zelle="XFD1048576", zeilen="1.048.576", spalten="16.384")
JENSEITS = (
    f"{DATEI}: Im Tabellenblatt 'Daten' liegt {{was}} außerhalb dessen, was Excel kennt "
    "(Spalten A bis XFD, Zeilen 1 bis 1.048.576); so eine Datei hat Excel nicht geschrieben. "
    "Bitte den Export wiederholen oder die Datei in Excel öffnen und neu speichern."
)
OHNE_BEZUG = "<c t='inlineStr'>" + ZELLE

#: (name, rows after the header, the problem, what calamine does without the scan)
FAELLE = [
    # lower case: calamine reads 'xfd1048576' as XFD1048576
    ("klein", f'<row r="2"><c r="xfd1048576" t="inlineStr">{ZELLE}</row>', XFD, "abgebrochen"),
    # any XML white space before r=
    ("tab", f'<row r="2"><c\tr="XFD1048576" t="inlineStr">{ZELLE}</row>', XFD, "abgebrochen"),
    ("lf", f'<row r="2"><c\nr="XFD1048576" t="inlineStr">{ZELLE}</row>', XFD, "abgebrochen"),
    ("cr", f'<row r="2"><c\rr="XFD1048576" t="inlineStr">{ZELLE}</row>', XFD, "abgebrochen"),
    ("apostroph", f"<row r='2'><c r='XFD1048576' t='inlineStr'>{ZELLE}</row>", XFD, "abgebrochen"),
    (
        "leer_um_gleich",
        f'<row r="2"><c r = "XFD1048576" t="inlineStr">{ZELLE}</row>',
        XFD,
        "abgebrochen",
    ),
    (
        "leer_nach_gleich",
        f'<row r="2"><c r=\n"XFD1048576" t="inlineStr">{ZELLE}</row>',
        XFD,
        "abgebrochen",
    ),
    (
        "r_nicht_zuerst",
        f'<row r="2"><c t="inlineStr" s="0"\n r="XFD1048576">{ZELLE}</row>',
        XFD,
        "abgebrochen",
    ),
    # cells without a reference, a line break or tab right after '<c': placed one after the
    # other in the row that <row r> names
    (
        "ohne_bezug_lf",
        '<row r="1048576">'
        + "<c\nt='inlineStr'>"
        + ZELLE * 1
        + ("<c\n>" + "<v>1</v></c>") * 16_383
        + "</row>",
        XFD,
        "abgebrochen",
    ),
    (
        "ohne_bezug_tab",
        '<row r="1048576">' + ("<c\t><v>1</v></c>") * 16_384 + "</row>",
        XFD,
        "abgebrochen",
    ),
    # <row r> places the cells without a reference: 1,048,576 rows × 29 columns
    (
        "zeile_r",
        '<row r="1048576">' + OHNE_BEZUG * 29 + "</row>",
        ZU_WEIT.format(datei=DATEI, zelle="AC1048576", zeilen="1.048.576", spalten="29"),
        None,
    ),
    # beyond Excel's grid: calamine counts on (a billion rows, 475,254 columns)
    (
        "neun_ziffern",
        f'<row r="2"><c r="A999999999" t="inlineStr">{ZELLE}</row>',
        JENSEITS.format(was='die Zelle r="A999999999"'),
        "abgebrochen",
    ),
    (
        "acht_ziffern",
        f'<row r="2"><c r="A10485770" t="inlineStr">{ZELLE}</row>',
        JENSEITS.format(was='die Zelle r="A10485770"'),
        None,
    ),
    (
        "vier_buchstaben",
        f'<row r="2"><c r="ZZZZ2" t="inlineStr">{ZELLE}</row>',
        JENSEITS.format(was='die Zelle r="ZZZZ2"'),
        None,
    ),
    (
        "zeile_jenseits",
        '<row r="999999999">' + OHNE_BEZUG + "</row>",
        JENSEITS.format(was='die Zeile r="999999999"'),
        "abgebrochen",
    ),
    # two references: calamine takes the last one, openpyxl refuses the XML
    (
        "doppelt",
        f'<row r="2"><c r="A2" r="XFD1048576" t="inlineStr">{ZELLE}</row>',
        f"{DATEI}: Im Tabellenblatt 'Daten' hat eine Zelle zwei Bezüge (r=\"A2\" und "
        'r="XFD1048576"); calamine nimmt den letzten, openpyxl keinen. Bitte die Datei in Excel '
        "öffnen und neu speichern.",
        "abgebrochen",
    ),
    # calamine fails on the entity, openpyxl (its fallback) reads XFD1048576
    ("entity", f'<row r="2"><c r="&#88;FD1048576" t="inlineStr">{ZELLE}</row>', XFD, None),
    # a reference neither reader understands
    (
        "dollar",
        f'<row r="2"><c r="$XFD$1048576" t="inlineStr">{ZELLE}</row>',
        f"{DATEI}: Im Tabellenblatt 'Daten' hat eine Zelle den Bezug r=\"$XFD$1048576\", den kein "
        "Excel-Leser versteht (erwartet wie 'A1' oder 'XFD1048576'). Bitte die Datei in Excel "
        "öffnen und neu speichern.",
        None,
    ),
    # a comment is markup the fast scan does not follow
    (
        "kommentar",
        f'<!-- <c r="A2"> --><row r="2"><c r="XFD1048576" t="inlineStr">{ZELLE}</row>',
        XFD,
        "abgebrochen",
    ),
]


@pytest.mark.parametrize(
    ("name", "zeilen", "problem", "calamine"), FAELLE, ids=[f[0] for f in FAELLE]
)
def test_what_the_readers_count_the_scan_counts(tmp_path: Path, name, zeilen, problem, calamine):
    path = _xlsx(tmp_path / DATEI, KOPF + zeilen)
    assert _problem(path) == problem
    if calamine is not None:
        assert _leser(path)["calamine"][0] == calamine
        assert _leser(path, "fastexcel")["fastexcel"][0] == calamine


def test_a_prefixed_sheet_is_counted(tmp_path: Path) -> None:
    """calamine matches element names without their prefix: '<x:c r="…">' is a cell."""
    zeilen = (
        (KOPF + f'<row r="2"><c r="XFD1048576" t="inlineStr">{ZELLE}</row>')
        .replace("<", "<x:")
        .replace("<x:/", "</x:")
    )
    xml = f'<x:worksheet xmlns:x="{NS}"><x:sheetData>{zeilen}</x:sheetData></x:worksheet>'
    path = _xlsx(tmp_path / DATEI, "", xml=xml.encode())
    assert _problem(path) == XFD
    assert _leser(path)["calamine"][0] == "abgebrochen"


def test_utf16_sheet_is_counted(tmp_path: Path) -> None:
    xml = (
        f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{NS}"><sheetData>{KOPF}'
        f'<row r="2"><c r="XFD1048576" t="inlineStr">{ZELLE}</row></sheetData></worksheet>'
    )
    path = _xlsx(tmp_path / DATEI, "", xml=xml.encode("utf-16"))
    assert _problem(path) == XFD


def test_a_sheet_the_exact_path_cannot_parse_is_refused(tmp_path: Path) -> None:
    """A cell without a reference sends the sheet to the exact path; broken XML there is bad
    input (calamine's parser is more lenient than ElementTree: the scan must not skip it)."""
    zeilen = f"<row r='2'>{OHNE_BEZUG}<c t='inlineStr'><is><t>&nbsp;</t></is></c></row>"
    path = _xlsx(tmp_path / DATEI, KOPF + zeilen)
    problem = _problem(path)
    assert problem is not None and problem.startswith(
        f"{DATEI}: Das Tabellenblatt 'Daten' ist kein sauberes XML (ein unbekanntes Entity, "
        "XML-Zeile 1, Zeichen "
    )


@pytest.mark.parametrize(
    ("member", "ziel"),
    [
        ("xl/worksheets/SHEET1.XML", "worksheets/sheet1.xml"),
        ("xl/daten/blatt.xml", "daten/blatt.xml"),
        ("xl/daten/blatt.xml", "/xl/daten/blatt.xml"),
    ],
)
def test_the_sheet_is_found_where_calamine_finds_it(tmp_path: Path, member, ziel) -> None:
    zeilen = KOPF + f'<row r="2"><c r="XFD1048576" t="inlineStr">{ZELLE}</row>'
    path = _xlsx(tmp_path / DATEI, zeilen, member=member, ziel=ziel)
    assert _problem(path) == XFD
    assert _leser(path)["calamine"][0] == "abgebrochen"  # the scan before looked elsewhere


def test_plain_sheets_keep_their_extent(tmp_path: Path) -> None:
    """The fast path on what Excel writes: the farthest cell, any order of the rows."""
    zeilen = (
        KOPF
        + f'<row r="7" spans="1:3"><c r="C7" s="1" t="inlineStr">{ZELLE}</row>'
        + f'<row r="3"><c r="a3" t="inlineStr">{ZELLE}<c r="AB3"><v>1</v></c></row>'
    )
    (a,) = xlsxgroesse.ausdehnungen(_xlsx(tmp_path / DATEI, zeilen))
    assert (a.blatt, a.spalten, a.zeilen) == ("Daten", 28, 7)


def test_text_that_looks_like_a_reference_is_text(tmp_path: Path) -> None:
    text = '<c r="B2" t="inlineStr"><is><t> r="XFD1048576" &lt;c r="ZZ9"</t></is></c>'
    zeilen = KOPF + f'<row r="2"><c r="A2" t="inlineStr">{ZELLE}{text}</row>'
    (a,) = xlsxgroesse.ausdehnungen(_xlsx(tmp_path / DATEI, zeilen))
    assert (a.spalten, a.zeilen) == (2, 2)
    assert _problem(tmp_path / DATEI) is None


def test_cells_without_reference_as_calamine_places_them(tmp_path: Path) -> None:
    """Row 5 by its r, the next row counted on, columns after the previous cell of the row."""
    zeilen = (
        KOPF
        + f'<row r="5"><c r="C5"><v>1</v></c>{OHNE_BEZUG}{OHNE_BEZUG}</row>'
        + f"<row>{OHNE_BEZUG}</row>"
    )
    path = _xlsx(tmp_path / DATEI, zeilen)
    (a,) = xlsxgroesse.ausdehnungen(path)
    assert (a.spalten, a.zeilen) == (5, 6)
    assert _leser(path, "openpyxl", "calamine") == {
        "openpyxl": ("gelesen", [6, 5]),
        "calamine": ("gelesen", [6, 5]),
    }


def test_rows_without_r_are_counted_as_openpyxl_counts_them(tmp_path: Path) -> None:
    """openpyxl (the reader when calamine fails) numbers a row without r after the row before
    and fills the rows up to it: past row 1,048,575 two such rows reach row 1,048,577."""
    zeilen = KOPF + '<row r="1048575"></row><row></row><row/>'
    (a,) = xlsxgroesse.ausdehnungen(_xlsx(tmp_path / DATEI, zeilen))
    assert (a.spalten, a.zeilen) == (2, 1_048_577)
    (a,) = xlsxgroesse.ausdehnungen(_xlsx(tmp_path / DATEI, KOPF + '<row r="1048575"></row>'))
    assert (a.spalten, a.zeilen) == (2, 1_048_575)
