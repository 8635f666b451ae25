"""The Kennzahlensteckbrief fields of the catalog: what every Kennzahl a report shows must say.

A sheet per Kennzahl (as Berlin's MSS indicator sheets and Fingertips' metadata) tells a reader
why the number matters, which way is good, where it comes from, how often it is renewed, what it
cannot say and how it could be gamed. The catalog (``config/kennzahlen.yaml``) holds these texts
next to the definition; a Kennzahl that a product shows (``produkt:``) without one of them is
refused on load, with the entry's line, like every other catalog error.

``richtung`` is the polarity: ``hoeher_besser``, ``niedriger_besser`` or ``keine`` (a context
number no one steers, e.g. the population; it is never judged against a Zielwert).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

#: the sheet's text fields a shown Kennzahl must fill: field -> what to write (in the message)
PFLICHTFELDER: dict[str, str] = {
    "quelle": "aus welchem Fachverfahren die Daten kommen",
    "begruendung": "warum die Kennzahl zählt, in Klartext",
    "aktualisierung": "wie oft und zu welchem Stichtag sie neu geliefert wird",
    "vorbehalte": "was sie nicht aussagt, worauf beim Lesen zu achten ist",
}
#: required for Kennzahlen that steer (Produkt 3 and the Ampel): how the number could be gamed
FEHLANREIZE_PRODUKTE = (3, 4)
#: the polarity values and their words on the sheet
RICHTUNGEN: dict[str, str] = {
    "hoeher_besser": "Ein höherer Wert ist besser.",
    "niedriger_besser": "Ein niedrigerer Wert ist besser.",
    "keine": "Keine Wertung: eine Kontextzahl, die beschreibt, aber nicht gesteuert wird.",
}


class _Eintrag(Protocol):
    """What the check reads of a catalog entry (read-only)."""

    @property
    def produkt(self) -> Iterable[int]: ...
    @property
    def richtung(self) -> str | None: ...
    @property
    def fehlanreize(self) -> str: ...


def probleme(k: _Eintrag) -> list[str]:
    """What a shown Kennzahl's sheet lacks (empty: complete; a Kennzahl no product shows needs
    no sheet)."""
    if not k.produkt:
        return []
    out = [
        f"Steckbrief: {feld} fehlt oder ist leer ({was})"
        for feld, was in PFLICHTFELDER.items()
        if not str(getattr(k, feld) or "").strip()
    ]
    if k.richtung is None:
        out.append(
            "Steckbrief: richtung fehlt (hoeher_besser, niedriger_besser oder keine für eine "
            "Kontextzahl)"
        )
    if set(k.produkt) & set(FEHLANREIZE_PRODUKTE) and not k.fehlanreize.strip():
        out.append(
            "Steckbrief: fehlanreize fehlt oder ist leer (eine steuernde Kennzahl sagt, wie sie "
            "sich schönen ließe, ohne dass sich die Lage bessert)"
        )
    return out


def richtung_text(richtung: str | None) -> str:
    """The polarity as a sentence on the sheet."""
    return RICHTUNGEN.get(richtung or "keine", RICHTUNGEN["keine"])
