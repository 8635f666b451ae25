"""How far the sheets of an XLSX file reach, found before any reader holds them.

calamine (and openpyxl) hold a sheet as a dense range from its first to its last used cell. One
value typed into cell XFD1048576 of a hand-kept sheet makes that 17 billion cells: calamine asks
for about 550 GB and the process dies (SIGABRT, no Python exception to catch). So the sheets'
XML is scanned first, in chunks and without building cells, and a sheet that reaches beyond
:data:`MAX_SPALTEN` columns or :data:`MAX_ZELLEN` cells is refused with its name and its farthest
cell. The ``<dimension>`` element is not trusted: it may say anything.

The scan has to see every cell as the readers see it (calamine, and openpyxl where calamine
fails; tests/test_reading_xlsxgroesse.py runs both on hand-made files in a child process):

* The fast path (numpy over the bytes) takes a sheet whose every ``<c>`` start tag carries
  exactly one plain reference ``r="A1"`` (any case: calamine reads ``xfd1048576`` as XFD1048576;
  any XML white space before ``r``; single or double quotes) and whose ``<row r="…">`` numbers
  are plain digits. The rows of ``<row r>`` count too (openpyxl fills the rows up to it).
* Anything else goes to the exact path (ElementTree over the whole sheet): cells without a
  reference (a reader places them after the previous cell of the row, or in the row that
  ``<row r>`` names), references written with spaces around ``=``, entities, comments, CDATA,
  namespace prefixes, another encoding than UTF-8. It places every cell as calamine does and as
  openpyxl does and keeps the farther of the two.
* Refused as bad input, naming file, sheet and cell: a reference beyond Excel's grid (column
  XFD, row 1,048,576: calamine counts ``ZZZZ1`` as column 475,254 and ``A999999999`` as a
  billion rows), a reference neither reader understands (``$A$1``, ``A0``), a cell with two
  references (calamine takes the last one), and a sheet that is no well-formed XML where the
  exact path has to read it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np

#: the widest sheet read (a delivery has about ten columns)
MAX_SPALTEN = 1_000
#: the most cells a sheet's range may span: 1,048,576 rows (Excel's most) × 28 columns
MAX_ZELLEN = 30_000_000
#: Excel's grid: the readers know nothing beyond it, and a reference beyond it is refused
EXCEL_SPALTEN = 16_384
EXCEL_ZEILEN = 1_048_576
_CHUNK = 8 << 20
_PAD = 16  # zero bytes around a piece: every look-around stays inside the buffer
_IST_WS = np.zeros(256, dtype=bool)  # XML white space
_IST_WS[[0x20, 0x09, 0x0A, 0x0D]] = True
_NAMENSENDE = _IST_WS.copy()  # what ends an element name: white space, '>', '/'
_NAMENSENDE[[0x3E, 0x2F]] = True


def _fenster(buf: np.ndarray, breite: int) -> np.ndarray:
    """A view of ``buf``: row i holds buf[i : i + breite] (one gather takes whole windows)."""
    return np.lib.stride_tricks.sliding_window_view(buf, breite)


# eight bytes at a time: '0' in each byte; added to a byte below 10 (a digit less '0') it stays
# below 0x80; the high bit of each byte; per number of digits d, the d leading bytes
_NULLEN = np.uint64(0x3030303030303030)
_PLUS = np.uint64(0x7676767676767676)
_HOCH = np.uint64(0x8080808080808080)
_OBEN = np.array([(2**64 - 1) ^ ((1 << (64 - 8 * d)) - 1) for d in range(8)], dtype=np.uint64)
_LT, _EQ, _COLON, _GT = 0x3C, 0x3D, 0x3A, 0x3E
_LT_C = 0x633C  # '<c' as a little-endian 16-bit number
_LT_R = 0x723C  # '<r'
_BEZUG = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_ZEILE = re.compile(r"[0-9]{1,7}")


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


class Unlesbar(Exception):
    """A sheet that no reader may be given: the German sentence names sheet and cell."""


class _Genau(Exception):
    """The fast scan cannot vouch for this sheet: the exact path decides."""


def spaltenname(n: int) -> str:
    """Column number -> letters (1 -> 'A', 16384 -> 'XFD')."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out or "A"


def _spaltennummer(buchstaben: str) -> int:
    n = 0
    for ch in buchstaben.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _bezug(blatt: str, ref: str) -> tuple[int, int]:
    """A cell reference as (column, row), both 1-based; refused when no reader understands it
    the same way or it lies beyond Excel's grid."""
    m = _BEZUG.fullmatch(ref)
    if m is None:
        grob = re.fullmatch(r"([A-Za-z]+)([0-9]+)", ref)
        if grob is None:
            raise Unlesbar(
                f"Im Tabellenblatt '{blatt}' hat eine Zelle den Bezug r=\"{ref[:40]}\", den kein "
                "Excel-Leser versteht (erwartet wie 'A1' oder 'XFD1048576'). Bitte die Datei in "
                "Excel öffnen und neu speichern."
            )
        m = grob
    spalte, zeile = _spaltennummer(m[1]), int(m[2])
    if not (1 <= spalte <= EXCEL_SPALTEN and 1 <= zeile <= EXCEL_ZEILEN):
        _jenseits(blatt, f'die Zelle r="{ref[:40]}"')
    return spalte, zeile


def _zeilennummer(blatt: str, r: str) -> int:
    """The number of ``<row r="…">``; refused unless plain digits within Excel's grid."""
    if _ZEILE.fullmatch(r) is None or not 1 <= int(r) <= EXCEL_ZEILEN:
        if re.fullmatch(r"[0-9]+", r):
            _jenseits(blatt, f'die Zeile r="{r[:40]}"')
        raise Unlesbar(
            f"Im Tabellenblatt '{blatt}' hat eine Zeile die Nummer r=\"{r[:40]}\", die kein "
            "Excel-Leser gleich versteht. Bitte die Datei in Excel öffnen und neu speichern."
        )
    return int(r)


def _jenseits(blatt: str, was: str) -> None:
    from kennzahlen.core.fmt import zahl

    raise Unlesbar(
        f"Im Tabellenblatt '{blatt}' liegt {was} außerhalb dessen, was Excel kennt (Spalten A "
        f"bis XFD, Zeilen 1 bis {zahl(EXCEL_ZEILEN)}); so eine Datei hat Excel nicht "
        "geschrieben. Bitte den Export wiederholen oder die Datei in Excel öffnen und neu "
        "speichern."
    )


class _Schnell:
    """The fast scan over a sheet's XML, piece by piece (each piece ends before a ``<``)."""

    def __init__(self, blatt: str) -> None:
        self.blatt = blatt
        self.spalten = 0
        self.zeilen = 0

    def stueck(self, chunk: bytes, ende: int, anfang: bool) -> None:
        """Scan ``chunk[_PAD:ende]``, a piece of complete tags (the first of the sheet when
        ``anfang``); ``chunk`` holds at least _PAD bytes more on either side. Few passes over
        the bytes: the '=' (their neighbours say which are 'r='), '<c' in pairs of bytes (two
        16-bit compares), ':' and single bytes for what sends the sheet to the exact path."""
        p = _PAD
        buf = np.frombuffer(chunk, dtype=np.uint8)
        self._schlicht(chunk, buf, ende, anfang)
        eq = np.flatnonzero(buf[p:ende] == _EQ) + p
        vor = buf[eq - 1]
        r = eq[vor == 0x72] - 1  # 'r=' (its 'r')
        andere_ws = eq[vor <= 0x20]  # '=' after white space: the exact look in _andere
        fenster = _fenster(buf, 6)[r - 5]  # '<c r' in [2:], '<row r' in [0:]
        r_vor = _IST_WS[fenster[:, 4]]
        c_tag = r_vor & (fenster[:, 3] == 0x63) & (fenster[:, 2] == _LT)
        row_tag = (
            r_vor
            & (fenster[:, 3] == 0x77)
            & (fenster[:, 2] == 0x6F)
            & (fenster[:, 1] == 0x72)
            & (fenster[:, 0] == _LT)
        )
        andere = np.concatenate([r[r_vor & ~c_tag & ~row_tag] + 1, andere_ws])
        r_c = r[c_tag]
        spalte, zeile = self._werte(buf, r_c + 2, buchstaben=True)
        _, zeilen_nr = self._werte(buf, r[row_tag] + 2, buchstaben=False)
        # '<c' at even and at odd offsets: one 16-bit compare each
        mv = memoryview(chunk)
        gerade = np.frombuffer(mv[p : p + (ende - p) // 2 * 2], dtype="<u2")
        ungerade = np.frombuffer(mv[p + 1 : p + 1 + (ende - p) // 2 * 2], dtype="<u2")
        n_lc = np.count_nonzero(gerade == _LT_C) + np.count_nonzero(ungerade == _LT_C)
        self._jede_zeile_mit_r(buf, gerade, ungerade, int(np.count_nonzero(row_tag)))
        if len(andere) or n_lc != len(r_c):
            # c start tags: '<c' then white space, '>' or '/' (not '<col', '<cfRule', …)
            c_start = np.sort(
                np.concatenate(
                    [
                        np.flatnonzero(gerade == _LT_C) * 2 + p,
                        np.flatnonzero(ungerade == _LT_C) * 2 + p + 1,
                    ]
                )
            )
            c_start = c_start[_NAMENSENDE[buf[c_start + 2]]]
            tag_von = r_c - 3
            if len(andere):
                lt = np.flatnonzero(buf[: ende + 1] == _LT)
                mehr = self._andere(buf, lt, np.sort(andere))
                if mehr:
                    s, z, t = zip(*mehr, strict=True)
                    spalte = max(spalte, *s)
                    zeile = max(zeile, *z)
                    tag_von = np.sort(np.concatenate([tag_von, np.array(t, dtype=tag_von.dtype)]))
            if len(tag_von) != len(c_start) or not np.array_equal(tag_von, c_start):
                self._doppelt(buf, tag_von)
                raise _Genau  # a cell without a reference: placed as the readers place it
        self.spalten = max(self.spalten, spalte)
        self.zeilen = max(self.zeilen, zeile, zeilen_nr)

    @staticmethod
    def _jede_zeile_mit_r(buf: np.ndarray, gerade, ungerade, mit_r: int) -> None:
        """_Genau unless every '<row' element has 'r=' as its first attribute (``mit_r`` of
        them): openpyxl counts a row without r on from the one before (and fills the rows up
        to it), which only the exact path follows."""
        n_lr = np.count_nonzero(gerade == _LT_R) + np.count_nonzero(ungerade == _LT_R)
        if n_lr == mit_r:
            return
        p = _PAD
        lr = np.concatenate(
            [np.flatnonzero(gerade == _LT_R) * 2 + p, np.flatnonzero(ungerade == _LT_R) * 2 + p + 1]
        )
        zeilen = (buf[lr + 2] == 0x6F) & (buf[lr + 3] == 0x77) & _NAMENSENDE[buf[lr + 4]]
        if np.count_nonzero(zeilen) != mit_r:
            raise _Genau

    @classmethod
    def _schlicht(cls, chunk: bytes, buf: np.ndarray, ende: int, anfang: bool) -> None:
        """_Genau for markup the fast scan does not follow: comments, CDATA, DOCTYPE (<!),
        processing instructions after the declaration (<?), namespace prefixes on c and row
        (x:c); single bytes looked for first (memchr), the pairs only where one is found."""
        p = _PAD
        nach = p
        if anfang and chunk[p : p + 64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
            nach = chunk.find(b"?>", p, ende) + 2  # after the declaration
        if chunk.find(b"!", p, ende) >= 0 and chunk.find(b"<!", p, ende) >= 0:
            raise _Genau
        if chunk.find(b"?", nach, ende) >= 0 and chunk.find(b"<?", nach, ende) >= 0:
            raise _Genau
        if cls._praefix(chunk, buf, ende):
            raise _Genau

    @staticmethod
    def _praefix(chunk: bytes, buf: np.ndarray, ende: int) -> bool:
        """Whether a ':c' or ':row' (a prefixed element name) follows a colon before ``ende``
        (the first few colons one by one: a sheet has few, in its namespaces)."""
        i = chunk.find(b":", 0, ende)
        for _ in range(64):
            if i < 0:
                return False
            if (chunk[i + 1] == 0x63 and _NAMENSENDE[chunk[i + 2]]) or (
                chunk[i + 1 : i + 4] == b"row" and _NAMENSENDE[chunk[i + 4]]
            ):
                return True
            i = chunk.find(b":", i + 1, ende)
        colon = np.flatnonzero(buf[:ende] == _COLON)
        c = (buf[colon + 1] == 0x63) & _NAMENSENDE[buf[colon + 2]]
        row = (
            (buf[colon + 1] == 0x72)
            & (buf[colon + 2] == 0x6F)
            & (buf[colon + 3] == 0x77)
            & _NAMENSENDE[buf[colon + 4]]
        )
        return bool((c | row).any())

    @staticmethod
    def _werte(buf: np.ndarray, q: np.ndarray, buchstaben: bool) -> tuple[int, int]:
        """The farthest column and row of the references whose opening quote is at ``q``: up to
        three letters (any case; none for a row), one to seven digits (no leading zero), then the
        same quote; anything else goes to the exact path, which names what it finds. The digits
        are looked at eight bytes at a time, as one 64-bit number."""
        if not len(q):
            return 0, 0
        fenster = _fenster(buf, 12)[q]  # the quote and the eleven bytes after it
        quote = fenster[:, 0]
        ok = (quote == 0x22) | (quote == 0x27)
        max_spalte = 0
        n: np.ndarray | int = 0
        if buchstaben:
            klein = (fenster[:, 1:4] | 0x20) - 0x60  # 'a' -> 1 .. 'z' -> 26
            ist = klein - 1 < 26  # (uint8: anything else wraps above)
            anzahl = ist[:, 0].astype(np.intp)
            anzahl += ist[:, 0] & ist[:, 1]
            anzahl += ist[:, 0] & ist[:, 1] & ist[:, 2]
            breit, schmal = int(anzahl.max()), int(anzahl.min())
            ok &= anzahl > 0
            werte = (klein if breit == schmal else klein[anzahl == breit]).astype(np.int64)
            spalte = werte[:, 0]
            for k in range(1, breit):
                spalte = spalte * 26 + werte[:, k]
            max_spalte = int(spalte.max(initial=0))
            # as usual as many letters everywhere: the digits in place
            n = breit if breit == schmal else anzahl
        # eight bytes from the first digit, byte k of them in bits 8k..8k+7
        if isinstance(n, int):
            v = np.ascontiguousarray(fenster[:, 1 + n : 9 + n]).view("<u8")[:, 0]
            start = q + 1 + n
        else:
            start = q + 1 + n
            v = _fenster(buf, 8)[start].view("<u8")[:, 0]
        t = v ^ _NULLEN
        keine = ((t + _PLUS) | t) & _HOCH  # per byte: 0x80 where it is no digit
        tiefste = keine & (~keine + np.uint64(1))  # the first byte that is no digit
        stelle = np.log2(np.maximum(tiefste, np.uint64(1)).astype(np.float64)).astype(np.intp)
        d = np.where(keine == 0, 8, (stelle - 7) // 8)
        ende = buf[start + np.minimum(d, 7)]
        ok &= (d >= 1) & (d <= 7) & (ende == quote) & ((v & np.uint64(0xFF)) != 0x30)
        if not ok.all():
            raise _Genau
        # the farthest row has the most digits; among those, the largest digits in turn (the
        # first digit most significant: the bytes swapped, the rest masked off)
        stellen = int(d.max())
        schluessel = v[d == stellen].byteswap() & _OBEN[stellen]
        ziffern = int(schluessel.max()).to_bytes(8, "big")[:stellen]
        zeile = int(ziffern)
        if zeile > EXCEL_ZEILEN or max_spalte > EXCEL_SPALTEN:
            raise _Genau
        return max_spalte, zeile

    def _andere(self, buf: np.ndarray, lt: np.ndarray, eq: np.ndarray) -> list:
        """The few '=' the vectors do not cover ('r=' not first in its tag, white space before
        '='): (column, row, tag start) of each further reference in a c tag."""
        raw = buf.tobytes()
        out = []
        for e in eq.tolist():
            k = int(np.searchsorted(lt, e)) - 1
            if k < 0:
                continue
            s = int(lt[k])
            tag = raw[s:e]
            if b">" in tag:
                continue  # text after a tag, not an attribute
            dq, sq = tag.count(b'"'), tag.count(b"'")
            if not ((sq == 0 and dq % 2 == 0) or (dq == 0 and sq % 2 == 0)):
                raise _Genau  # inside a value, or quotes the vectors do not follow
            if raw[e - 1 : e] in (b" ", b"\t", b"\r", b"\n"):
                if tag.split()[-1:] == [b"r"]:
                    raise _Genau  # 'r = "…"'
                continue
            element = re.match(rb"<([^\s/>]+)", tag)
            if element is None or element[1] not in (b"c", b"row"):
                continue
            m = re.match(rb"""(["'])([^"'<>]*)\1""", raw[e + 1 : e + 65])
            if m is None:
                raise _Genau
            wert = m[2].decode("latin-1")
            if element[1] == b"row":
                self.zeilen = max(self.zeilen, _zeilennummer(self.blatt, wert))
            else:
                out.append((*_bezug(self.blatt, wert), s))
        return out

    def _doppelt(self, buf: np.ndarray, tag_von: np.ndarray) -> None:
        """Refuse a cell with two references (calamine takes the last, openpyxl refuses)."""
        werte, anzahl = np.unique(tag_von, return_counts=True)
        if not len(werte) or anzahl.max() < 2:
            return
        s = int(werte[np.argmax(anzahl)])
        raw = buf.tobytes()
        ende = raw.find(b">", s)
        tag = raw[s : ende + 1 if ende >= 0 else s + 120][:120].decode("utf-8", "replace")
        refs = re.findall(r"""\sr\s*=\s*["']([^"']*)["']""", tag)
        raise Unlesbar(
            f"Im Tabellenblatt '{self.blatt}' hat eine Zelle zwei Bezüge ("
            + " und ".join(f'r="{r}"' for r in refs)
            + "); calamine nimmt den letzten, openpyxl keinen. Bitte die Datei in Excel öffnen "
            "und neu speichern."
        )


def _schnell(blatt: str, stuecke) -> tuple[int, int]:
    """Max column and row over a sheet's XML (an iterator of byte chunks), fast path only."""
    scan = _Schnell(blatt)
    rest = b""
    anfang = True
    pad = b"\0" * _PAD
    for data in stuecke:
        if anfang and not rest and (data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in data[:4]):
            raise _Genau  # UTF-16 or UTF-32: not the bytes the scan looks for
        chunk = pad + rest + data + pad
        cut = chunk.rfind(b"<", 0, len(chunk) - _PAD)
        if cut <= _PAD:
            rest = chunk[_PAD:-_PAD]
            continue
        scan.stueck(chunk, cut, anfang)
        anfang = False
        rest = chunk[cut:-_PAD]
    if rest:
        scan.stueck(pad + rest + pad, _PAD + len(rest), anfang)
    return scan.spalten, scan.zeilen


def _genau(blatt: str, fh) -> tuple[int, int]:
    """Max column and row as calamine and as openpyxl place every cell, the farther of both (slow:
    only for sheets the fast path cannot vouch for)."""
    spalten = zeilen = 0
    z_cal = s_cal = 0  # calamine: the next row and column index (0-based), an upper bound
    z_opx = s_opx = 0  # openpyxl: the row and column counters
    kinder: list[bool] = []  # per open row: whether it holds a cell (then no empty element)
    try:
        for ereignis, el in ET.iterparse(fh, events=("start", "end")):
            tag = el.tag.rsplit("}", 1)[-1]
            if ereignis == "end":
                if tag == "row":
                    if kinder and kinder.pop():
                        s_cal = 0  # '<row/>' is no row to calamine: no reset after it
                    z_cal += 1
                el.clear()
                continue
            if tag == "row":
                r = el.get("r")
                if r is None:
                    z_opx += 1
                else:
                    z_opx = _zeilennummer(blatt, r)
                    z_cal = max(z_cal, z_opx - 1)
                s_opx = 0
                zeilen = max(zeilen, z_opx)
                kinder.append(False)
            elif tag == "c":
                if kinder:
                    kinder[-1] = True
                ref = el.get("r")
                if ref is None:
                    s_opx += 1
                    spalten = max(spalten, s_opx, s_cal + 1)
                    zeilen = max(zeilen, z_opx, z_cal + 1)
                    s_cal += 1
                else:
                    spalte, zeile = _bezug(blatt, ref)
                    s_opx, s_cal = spalte, max(s_cal, spalte)
                    spalten, zeilen = max(spalten, spalte), max(zeilen, zeile)
    except ET.ParseError as exc:
        zeile, spalte = exc.position
        raise Unlesbar(
            f"Das Tabellenblatt '{blatt}' ist kein sauberes XML ({_grund(exc)}, XML-Zeile "
            f"{zeile}, Zeichen {spalte + 1}); die Excel-Leser lesen es verschieden. Bitte die "
            "Datei in Excel öffnen und neu speichern."
        ) from None
    return spalten, zeilen


def _grund(exc: ET.ParseError) -> str:
    from xml.parsers import expat

    gruende = {
        expat.errors.codes[expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE]: "ein Attribut doppelt",
        expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]: "ein unbekanntes Entity",
        expat.errors.codes[expat.errors.XML_ERROR_UNBOUND_PREFIX]: "ein unbekanntes Präfix",
    }
    return gruende.get(exc.code, str(exc).split(":")[0])


def _teile(book: zipfile.ZipFile) -> dict[str, list[zipfile.ZipInfo]]:
    """Member name as calamine finds it (any case, '\\' for '/') -> the members of that name."""
    out: dict[str, list[zipfile.ZipInfo]] = {}
    for info in book.infolist():
        out.setdefault(info.filename.replace("\\", "/").lower(), []).append(info)
    return out


def _blattnamen(book: zipfile.ZipFile, teile: dict[str, list[zipfile.ZipInfo]]) -> dict[str, str]:
    """Sheet XML member (as in :func:`_teile`) -> the sheet's name as Excel shows it."""
    try:
        ns_r = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        rels = ET.fromstring(book.read(teile["xl/_rels/workbook.xml.rels"][-1]))
        ziel = {r.get("Id"): r.get("Target", "") for r in rels}
        wb = ET.fromstring(book.read(teile["xl/workbook.xml"][-1]))
        out: dict[str, str] = {}
        for sheet in wb.iter():
            if sheet.tag.endswith("}sheet") and sheet.get(ns_r) in ziel:
                target = ziel[sheet.get(ns_r)].replace("\\", "/").lower()
                name = sheet.get("name", "")
                # relative to xl/, or absolute; both ways, whichever a reader takes
                for pfad in (target.lstrip("/"), f"xl/{target.lstrip('/')}", f"xl/{target}"):
                    out.setdefault(posixpath.normpath(pfad).lstrip("/"), name)
        return out
    except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError, zlib.error):
        return {}


def _stuecke(fh, info: zipfile.ZipInfo):
    """The inflated bytes of a member in chunks, zlib straight on the stored bytes (zipfile's
    reader costs more than the inflating); other methods through zipfile."""
    if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) or info.flag_bits & 1:
        raise NotImplementedError
    fh.seek(info.header_offset)
    kopf = fh.read(30)
    if len(kopf) != 30 or kopf[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("kein lokaler Kopf")
    fh.seek(info.header_offset + 30 + int.from_bytes(kopf[26:28], "little"))
    fh.seek(int.from_bytes(kopf[28:30], "little"), 1)
    rest = info.compress_size
    z = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    while rest > 0:
        roh = fh.read(min(rest, _CHUNK))
        if not roh:
            raise zipfile.BadZipFile("abgeschnitten")
        rest -= len(roh)
        if z is None:
            yield roh
            continue
        daten = z.decompress(roh, _CHUNK)
        while daten:
            yield daten
            daten = z.decompress(z.unconsumed_tail, _CHUNK) if z.unconsumed_tail else b""
    if z is not None:
        daten = z.flush()
        if daten:
            yield daten


def _ausdehnung(path: Path, book: zipfile.ZipFile, info: zipfile.ZipInfo, blatt: str):
    """(columns, rows) of one sheet: the fast path, else the exact one."""
    try:
        with open(path, "rb") as fh:
            try:
                return _schnell(blatt, _stuecke(fh, info))
            except NotImplementedError:
                pass
        with book.open(info) as fh:
            return _schnell(blatt, iter(lambda: fh.read(_CHUNK), b""))
    except _Genau:
        pass
    with book.open(info) as fh:
        return _genau(blatt, fh)


def ausdehnungen(path: Path) -> list[Ausdehnung]:
    """How far each sheet of an XLSX file reaches (empty when the file is no readable archive:
    the readers then say so themselves); :class:`Unlesbar` for a sheet no reader may get."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return []
    with book:
        teile = _teile(book)
        namen = _blattnamen(book, teile)
        blaetter = set(namen) | {n for n in teile if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)}
        out = []
        for name in sorted(blaetter):
            blatt = namen.get(name, Path(name).stem)
            for info in teile.get(name, []):
                try:
                    spalten, zeilen = _ausdehnung(path, book, info, blatt)
                except NotImplementedError:
                    raise Unlesbar(
                        f"Das Tabellenblatt '{blatt}' ist mit einem Verfahren gepackt, das das "
                        "Programm nicht prüfen kann; bitte die Datei in Excel als .xlsx neu "
                        "speichern."
                    ) from None
                except (zipfile.BadZipFile, OSError, zlib.error, RuntimeError):
                    continue  # a broken or locked part: the reader names the file
                out.append(Ausdehnung(blatt, spalten, zeilen))
        return out


def zu_gross(path: Path) -> str | None:
    """The German problem when a sheet reaches too far to be read (or no reader may get it),
    else None."""
    return pruefe(path)[0]


def pruefe(path: Path) -> tuple[str | None, list[Ausdehnung]]:
    """The German problem when a sheet reaches too far to be read or no reader may get it (else
    None), and how far each sheet reaches (one scan for both)."""
    from kennzahlen.core.fmt import zahl

    try:
        alle = ausdehnungen(path)
    except Unlesbar as exc:
        return str(exc), []
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
