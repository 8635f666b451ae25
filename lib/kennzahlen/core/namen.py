"""Names as a reader types them: compared without case, umlauts and punctuation, and the nearest
valid names for a German "meinten Sie …?" in every error that names something unknown."""

from __future__ import annotations

import difflib
import re
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
