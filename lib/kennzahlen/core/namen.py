"""Names as a reader types them and as files: the nearest valid names for a German "meinten Sie …?",
the file-name form (``slug``), Unicode NFC, and the control characters no name, id or header may
hold."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable


def schluessel(text: object) -> str:
    """A name as compared: case, umlauts (ä = ae), spaces and punctuation do not matter."""
    s = str(text).strip().casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    return re.sub(r"[\W_]+", "", s)


def vorschlag(text: object, namen: Iterable[str], n: int = 3) -> str:
    """' – meinten Sie 'West'?' for the valid names nearest to ``text`` ('' when none is near)."""
    namen = list(dict.fromkeys(str(x) for x in namen))
    nach_schluessel: dict[str, str] = {}
    for name in namen:
        nach_schluessel.setdefault(schluessel(name), name)
    nah = difflib.get_close_matches(schluessel(text), list(nach_schluessel), n=n, cutoff=0.6)
    if not nah:
        return ""
    namen_nah = [f"'{nach_schluessel[k]}'" for k in nah]
    text = namen_nah[0] if len(nah) == 1 else ", ".join(namen_nah[:-1]) + " oder " + namen_nah[-1]
    return f" – meinten Sie {text}?"


def satz(text: str, name: object, namen: Iterable[str]) -> str:
    """``text`` with the suggestion for ``name`` as its end: "… gibt es nicht – meinten Sie
    'West'?" or "… gibt es nicht."."""
    return text + (vorschlag(name, namen) or ".")


#: the names of the control characters that people meet (others are named by code point)
_NAMEN = {
    "\r": "Wagenrücklauf (CR)",
    "\n": "Zeilenumbruch (LF)",
    "\t": "Tabulator",
    "\0": "NUL",
}
#: a control character (C0, DEL, C1) or a Unicode line or paragraph separator
STEUERZEICHEN = "[\x00-\x1f\x7f-\x9f\u2028\u2029]"


def slug(name: str) -> str:
    """A file-name-safe form of an area name: 'Nord / Ost' -> 'nord-ost', 'Süd' -> 'sued'."""
    s = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def verwechselbar(name: str) -> str:
    """The form under which two area names cannot be told apart as reports: the slug without its
    hyphens ('Nord-Ost', 'Nord/Ost' and 'NORD OST' give 'nordost'; 'Gesamt-Stadt' is
    'Gesamtstadt')."""
    return slug(name).replace("-", "")


def nfc(text: str) -> str:
    """A name in Unicode NFC form (an umlaut typed with a combining mark equals the composed
    one)."""
    return unicodedata.normalize("NFC", str(text))


def steuerzeichen(text: str) -> list[str]:
    """The control characters in a text, each named once ('Zeilenumbruch (LF)', 'NUL',
    'U+0007'); empty when there is none."""
    out: list[str] = []
    for ch in re.findall(STEUERZEICHEN, str(text)):
        name = _NAMEN.get(ch, f"U+{ord(ch):04X}")
        if name not in out:
            out.append(name)
    return out


def sichtbar(text: str) -> str:
    """A text with its control characters written out ('A\\x00B'), for a message."""
    return re.sub(STEUERZEICHEN, lambda m: repr(m.group())[1:-1], str(text))
