"""Kennzahlen that change over time: definitions and Zielwerte with ``gueltig_ab``, added and
dropped Kennzahlen (``config/kennzahlen.yaml``).

A change in the catalog must not rewrite history. So a Kennzahl keeps its first ``definition``
and ``zielwert`` and lists later ones with the period they apply from:

- ``definitionen``: ``[{gueltig_ab: 2022-Q3, definition: …, aenderung: …}]``. Each later
  definition is a break in the series (Zeitreihenbruch): charts draw it and say under them what
  changed; values before and after are only partly comparable.
- ``zielwerte``: ``[{gueltig_ab: 2023, wert: 0.85, grund: …}]``. A year (and each quarter of it)
  is judged against the Zielwert valid in that year; ``wert: null`` ends a Zielwert.
- ``aufgenommen`` / ``gestrichen``: the first year the Kennzahl belongs to the catalog, and the
  first year it no longer does. Reports of other years leave it out.

The *Fassung* of a Kennzahl is the number of its definition: 1 for ``definition``, 2 for the
first entry of ``definitionen``, and so on. A comparison value of another city (the delivery
``vergleichswerte``) names the Fassung it was computed by; it is comparable only when that is the
catalog's Fassung of the year (:func:`fassung_im`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, field_validator

from kennzahlen.core import periods
from kennzahlen.core.configfile import StrictModel


class Definitionsversion(StrictModel):
    """A later definition of a Kennzahl, valid from a quarter on (a break in the series)."""

    gueltig_ab: str
    definition: str = Field(min_length=1)
    aenderung: str = Field(min_length=1)

    @field_validator("gueltig_ab", mode="before")
    @classmethod
    def _quartal(cls, v: object) -> str:
        text = str(v).strip().upper()
        if not periods.ist_quartal(text):
            raise ValueError(f"gueltig_ab '{v}' ist kein Quartal (JJJJ-Qn, z. B. 2022-Q3)")
        return text


class Zielwertaenderung(StrictModel):
    """A Zielwert valid from a year on (``wert: null``: from then on no Zielwert)."""

    gueltig_ab: int = Field(ge=1900, le=2100)
    wert: float | None
    grund: str = ""


@dataclass(frozen=True)
class Bruch:
    """A break in a Kennzahl's series: from which quarter, the new definition and what changed."""

    quartal: str
    definition: str
    aenderung: str

    @property
    def jahr(self) -> int:
        """The year the break falls in."""
        return int(self.quartal[:4])

    @property
    def quartal_nr(self) -> int:
        """The quarter (1–4) of the year the new definition starts in."""
        return int(self.quartal[-1])


def jahr_von(periode: object) -> int:
    """The year of a pool period: 'YYYY', 'YYYY-Qn' or a Stichtag 'YYYY-MM-DD'."""
    return int(periods.jahr_von(periode))


def quartal_von(periode: object) -> str:
    """The quarter of a pool period ('YYYY' counts as its 4th quarter, a day its quarter)."""
    text = str(periode)
    return periods.quartal_von(text) or periods.quartal_von_tag(text)


def probleme(k) -> list[str]:
    """What is wrong with a Kennzahl's versions (order, years, values); German, one per problem."""
    out: list[str] = []
    quartale = [d.gueltig_ab for d in k.definitionen]
    if quartale != sorted(set(quartale)):
        out.append("definitionen: gueltig_ab aufsteigend und ohne Doppelte angeben")
    jahre = [z.gueltig_ab for z in k.zielwerte]
    if jahre != sorted(set(jahre)):
        out.append("zielwerte: gueltig_ab aufsteigend und ohne Doppelte angeben")
    if any(z.wert is not None for z in k.zielwerte) and k.richtung in (None, "keine"):
        out.append("ein zielwert braucht eine richtung (hoeher_besser/niedriger_besser)")
    if k.einheit in ("anteil", "quote"):
        for z in k.zielwerte:
            if z.wert is not None and not 0 <= z.wert <= 1:
                out.append(
                    f"zielwerte ab {z.gueltig_ab}: {z.wert:g} liegt nicht zwischen 0 und 1: "
                    "Anteile als Bruch angeben (80 % = 0.80)"
                )
    if k.aufgenommen is not None and k.gestrichen is not None and k.gestrichen <= k.aufgenommen:
        out.append(f"gestrichen ({k.gestrichen}) muss nach aufgenommen ({k.aufgenommen}) liegen")
    erste = [*(int(q[:4]) for q in quartale), *jahre]
    if k.aufgenommen is not None and any(j < k.aufgenommen for j in erste):
        out.append(f"eine Version gilt vor dem Jahr der Aufnahme ({k.aufgenommen})")
    if k.gestrichen is not None and any(j >= k.gestrichen for j in erste):
        out.append(f"eine Version gilt erst nach der Streichung ({k.gestrichen})")
    return out


def zielwert_im(k, jahr: object) -> float | None:
    """The Zielwert valid in a year (or in the year of a period)."""
    j = jahr_von(jahr)
    wert = k.zielwert
    for z in k.zielwerte:
        if z.gueltig_ab <= j:
            wert = z.wert
    return wert


def zielwert_seit(k, jahr: object) -> int | None:
    """The year from which the Zielwert of ``jahr`` applies (None: from the start)."""
    j = jahr_von(jahr)
    seit = None
    for z in k.zielwerte:
        if z.gueltig_ab <= j:
            seit = z.gueltig_ab
    return seit


def definition_im(k, periode: object) -> str:
    """The definition valid in a period (the quarter of the period decides)."""
    q = quartal_von(periode)
    text = k.definition
    for d in k.definitionen:
        if d.gueltig_ab <= q:
            text = d.definition
    return text


def fassung_am(k, periode: object) -> int:
    """The number of the definition valid in a period (1 = ``definition``)."""
    q = quartal_von(periode)
    return 1 + sum(1 for d in k.definitionen if d.gueltig_ab <= q)


def fassung_im(k, jahr: object) -> int | None:
    """The Fassung of the Kennzahl's value for a year: of its Stichtag (31.12.) for a stock, else
    the one valid all year; None when the definition changes within the year (the year's value
    mixes two Fassungen)."""
    j = jahr_von(jahr)
    ende = fassung_am(k, f"{j}-Q4")
    if k.periodizitaet in ("stichtag_jahr", "stichtag_quartal"):
        return ende
    return ende if fassung_am(k, f"{j}-Q1") == ende else None


def brueche(k, bis: object | None = None) -> list[Bruch]:
    """The breaks in the series, up to the period ``bis`` (all without it)."""
    grenze = quartal_von(bis) if bis is not None else "9999-Q4"
    return [
        Bruch(d.gueltig_ab, d.definition, d.aenderung)
        for d in k.definitionen
        if d.gueltig_ab <= grenze
    ]


def gilt_im(k, jahr: object) -> bool:
    """Whether the Kennzahl belongs to the catalog in a year (aufgenommen <= year < gestrichen)."""
    j = jahr_von(jahr)
    return (k.aufgenommen is None or k.aufgenommen <= j) and (
        k.gestrichen is None or j < k.gestrichen
    )
