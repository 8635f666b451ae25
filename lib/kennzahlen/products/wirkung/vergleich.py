"""Produkt 3: a Kennzahl's city value against the comparison rings (delivery ``vergleichswerte``).

Only a published value is compared: the Gesamtstadt's value of the comparison year as the year's
publication plan shows it (``eigener_wert``, given by the caller; a hidden value gets no rank).
The other cities' values are published by their rings; they carry nothing of the city's small
counts.

The comparison is the same in every report of a year (issue 28: it does not depend on the
Sozialraum): the comparison year and the HTML are kept for the process, by the comparison values'
file (or content), the Kennzahl's whole catalog entry, the year, the own value and the city's name
(:data:`GRENZE_RINGE`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

import pandas as pd

from kennzahlen.catalog.geography import stadt
from kennzahlen.catalog.model import Kennzahl
from kennzahlen.pool.vergleichswerte import TABELLE, laden
from kennzahlen.products import ringvergleich

#: comparison years and HTML kept (each an entry); least recently used dropped first
GRENZE_RINGE = 512
_RINGE: OrderedDict[Hashable, str | None] = OrderedDict()


def ring_html(
    k: Kennzahl, jahr: str, pool_dir: object, eigener_wert: Callable[[str], float | None]
) -> str:
    """The comparison of a Kennzahl as report HTML: a sentence and a table ('' without values).
    ``eigener_wert(jahr)``: the city's published value of a year (None: hidden or none)."""
    from kennzahlen.products.wirkung.werte import kennzahl_schluessel

    vw = laden(pool_dir)  # type: ignore[arg-type]
    basis = (_herkunft(vw), kennzahl_schluessel(k), str(jahr))
    vj = _behalten(("jahr", *basis), lambda: ringvergleich.vergleichsjahr(vw, k, jahr))
    if vj is None:
        return ""
    eigen = eigener_wert(vj)
    ort = stadt()
    return _behalten(("html", *basis, vj, eigen, ort), lambda: _html(vw, k, jahr, vj, eigen, ort))


def _herkunft(vw: pd.DataFrame) -> tuple:
    """What the comparison values are: the file of the pool version they were read from (path,
    inode, size, modification time: what :func:`kennzahlen.pool.load.load_pool` keeps its read
    tables by), else their content (frames given directly)."""
    from kennzahlen.products.memo import fingerprint

    ordner = vw.attrs.get("pool_ordner")
    if ordner:
        datei = Path(ordner) / f"{TABELLE}.parquet"
        try:
            st = datei.stat()
        except OSError:
            pass
        else:
            return ("datei", str(datei), st.st_ino, st.st_size, st.st_mtime_ns)
    return ("inhalt", fingerprint(vw))


def _html(vw, k: Kennzahl, jahr: str, vj: str, eigen: float | None, ort: str) -> str:
    satz = ringvergleich.satz(vw, k, str(jahr), vj, eigen, ort)
    tab = ringvergleich.tabelle(vw, k, vj, eigen, ort)
    if tab.empty:
        return ""
    return ringvergleich.vergleich_html(tab, satz)


def _behalten(key: Hashable, machen: Callable[[], str | None]):
    """``machen()``, kept under ``key`` (at most :data:`GRENZE_RINGE` entries)."""
    if key in _RINGE:
        _RINGE.move_to_end(key)
        return _RINGE[key]
    wert = _RINGE[key] = machen()
    while len(_RINGE) > GRENZE_RINGE:
        _RINGE.popitem(last=False)
    return wert
