"""How far the sheets of an XLSX file reach, found before any reader holds them.

calamine (and openpyxl) hold a sheet as a dense range from its first to its last used cell. One
value typed into cell XFD1048576 of a hand-kept sheet makes that 17 billion cells: calamine asks
for about 550 GB and the process dies (SIGABRT, no Python exception to catch). So the sheets'
XML is scanned first, in chunks and without building cells: the column and row of every cell
reference (``r="XFD1048576"``, found with numpy), and, for cells written without a reference,
their place counted as a reader would (ElementTree, only for such files). A sheet that reaches
beyond :data:`MAX_SPALTEN` columns or :data:`MAX_ZELLEN` cells is refused with its name and
its farthest cell. The ``<dimension>`` element is not trusted: it may say anything.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np

#: the widest sheet read (a delivery has about ten columns)
MAX_SPALTEN = 1_000
#: the most cells a sheet's range may span: 1,048,576 rows (Excel's most) × 28 columns
MAX_ZELLEN = 30_000_000
_CHUNK = 8 << 20
_TAIL = 24  # bytes carried into the next chunk: a reference never spans more
_R = np.frombuffer(b' r="', dtype=np.uint8)
_ZELLE = (b"<c ", b"<c>", b"<c/")


@dataclass(frozen=True)
class Ausdehnung:
    """The farthest column and row that a sheet's cells reach (1-based)."""

    blatt: str
    spalten: int
    zeilen: int

    @property
    def zellen(self) -> int:
        return self.spalten * self.zeilen

    @property
    def zelle(self) -> str:
        """The farthest corner as Excel names it, e.g. 'XFD1048576'."""
        return f"{spaltenname(self.spalten)}{self.zeilen}"


def spaltenname(n: int) -> str:
    """Column number -> letters (1 -> 'A', 16384 -> 'XFD')."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out or "A"


def _refs(buf: np.ndarray, stop: int) -> tuple[int, int, int]:
    """Max column, max row and number of cell references whose ``r="`` starts before ``stop``."""
    n = min(stop, len(buf) - _TAIL)  # a reference reads up to 15 bytes past its start
    if n <= 0:
        return 0, 0, 0
    hit = (buf[:n] == _R[0]) & (buf[1 : n + 1] == _R[1])
    hit &= (buf[2 : n + 2] == _R[2]) & (buf[3 : n + 3] == _R[3])
    p = np.flatnonzero(hit) + 4
    if not len(p):
        return 0, 0, 0
    spalte = np.zeros(len(p), dtype=np.int64)
    weiter = np.ones(len(p), dtype=bool)
    for k in range(3):  # up to three letters: 'A' .. 'XFD'
        ch = buf[p + k]
        weiter &= (ch >= 65) & (ch <= 90)
        spalte = np.where(weiter, spalte * 26 + (ch.astype(np.int64) - 64), spalte)
    zeile = np.zeros(len(p), dtype=np.int64)
    q = p + (spalte > 0) + (spalte > 26) + (spalte > 702)  # where the digits begin
    weiter = np.ones(len(p), dtype=bool)
    for k in range(8):
        d = buf[q + k].astype(np.int64) - 48
        weiter &= (d >= 0) & (d <= 9)
        zeile = np.where(weiter, zeile * 10 + d, zeile)
    zellen = spalte > 0
    return int(spalte.max(initial=0)), int(zeile.max(initial=0)), int(zellen.sum())


def _scan(fh) -> tuple[int, int, int, int]:
    """Over a sheet's XML: max column and row of the references, references, cell elements."""
    spalten = zeilen = refs = elemente = 0
    rest = b""
    while True:
        data = fh.read(_CHUNK)
        last = not data
        chunk = rest + data
        stop = len(chunk) if last else max(0, len(chunk) - _TAIL)
        buf = np.frombuffer(chunk + b"\0" * _TAIL if last else chunk, dtype=np.uint8)
        s, z, r = _refs(buf, stop)
        spalten, zeilen, refs = max(spalten, s), max(zeilen, z), refs + r
        elemente += sum(chunk[: stop + len(m) - 1].count(m) for m in _ZELLE)
        if last:
            return spalten, zeilen, refs, elemente
        rest = chunk[stop:]


def _gezaehlt(fh) -> tuple[int, int]:
    """Max column and row as a reader places cells written without a reference (slow: only for
    such files)."""
    spalten = zeilen = zeile = 0
    spalte = 0
    for _, el in ET.iterparse(fh, events=("start",)):
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "row":
            r = el.get("r")
            zeile = int(r) if r and r.isdigit() else zeile + 1
            spalte = 0
        elif tag == "c":
            ref = re.fullmatch(r"([A-Z]{1,3})(\d+)", el.get("r") or "")
            if ref:
                spalte = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(ref[1])))
                zeile = max(zeile, int(ref[2]))
            else:
                spalte += 1
            spalten, zeilen = max(spalten, spalte), max(zeilen, zeile)
        el.clear()
    return spalten, zeilen


def _blattnamen(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet XML file in the archive -> the sheet's name as Excel shows it."""
    try:
        ns_r = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        ziel = {r.get("Id"): r.get("Target", "") for r in rels}
        wb = ET.fromstring(book.read("xl/workbook.xml"))
        out: dict[str, str] = {}
        for sheet in wb.iter():
            if sheet.tag.endswith("}sheet") and sheet.get(ns_r) in ziel:
                target = ziel[sheet.get(ns_r)].lstrip("/")
                name = sheet.get("name", "")
                out[target if target.startswith("xl/") else f"xl/{target}"] = name
        return out
    except (KeyError, ET.ParseError):
        return {}


def ausdehnungen(path: Path) -> list[Ausdehnung]:
    """How far each sheet of an XLSX file reaches (empty when the file is no readable archive:
    the readers then say so themselves)."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return []
    with book:
        namen = _blattnamen(book)
        out = []
        for info in book.infolist():
            name = info.filename
            if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", name):
                continue
            try:
                with book.open(info) as fh:
                    spalten, zeilen, refs, elemente = _scan(fh)
                if elemente > refs:
                    with book.open(info) as fh:
                        spalten, zeilen = _gezaehlt(fh)
            except (zipfile.BadZipFile, OSError, ET.ParseError, RuntimeError):
                continue  # a broken part: the reader names the file
            out.append(Ausdehnung(namen.get(name, Path(name).stem), spalten, zeilen))
        return out


def zu_gross(path: Path) -> str | None:
    """The German problem when a sheet reaches too far to be read, else None."""
    return pruefe(path)[0]


def pruefe(path: Path) -> tuple[str | None, list[Ausdehnung]]:
    """The German problem when a sheet reaches too far to be read (else None), and how far each
    sheet reaches (one scan for both)."""
    from kennzahlen.core.fmt import zahl

    alle = ausdehnungen(path)
    for a in alle:
        if a.spalten > MAX_SPALTEN or a.zellen > MAX_ZELLEN:
            return (
                f"Das Tabellenblatt '{a.blatt}' reicht bis Zelle {a.zelle} ({zahl(a.zeilen)} "
                f"Zeilen × {zahl(a.spalten)} Spalten); so weit liest das Programm nicht "
                f"(höchstens {zahl(MAX_SPALTEN)} Spalten und {zahl(MAX_ZELLEN)} Zellen). Meist "
                "steht ein einzelner Wert weit außerhalb der Tabelle: bitte in Excel mit "
                "Strg+Ende suchen, die Zeilen und Spalten danach löschen und die Datei neu "
                "speichern."
            ), alle
    return None, alle
