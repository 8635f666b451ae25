"""What an analyst names, resolved against the pool: Kennzahlen, areas, Ebenen and periods.

Every name the API (:mod:`kennzahlen.api.abfragen`, :mod:`kennzahlen.api.werkbank`) takes goes
through here.
A name the pool does not know raises a :class:`NichtGefunden` with a German message that says
what exists and which valid name comes nearest ("meinten Sie 'West'?"); the API never answers
an unknown name with ``None`` or an empty frame.

- Kennzahlen by id or by catalog title, case-insensitive where unambiguous.
- Areas: ``Gesamtstadt``, a Sozialraum (also ``ohne Zuordnung``) or a Stadtviertel by number or
  name, case-insensitive, umlauts also as ae/oe/ue, spaces and punctuation ignored
  ("nord ost" = "Nord/Ost"). A name that is both a Sozialraum and a Stadtviertel means the
  Sozialraum.
- Periods in every form :func:`kennzahlen.core.periods.periode_lesen` reads, matched to the pool
  periods of each Kennzahl (:func:`kennzahlen.core.periods.passende_perioden`).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import pandas as pd

from kennzahlen.catalog.geography import raumgliederung, sozialraeume
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core import fmt
from kennzahlen.core.namen import satz, schluessel
from kennzahlen.core.periods import (
    Periodenangabe,
    PeriodenFormatError,
    ist_quartal,
    letzter_tag,
    naechste_perioden,
    passende_perioden,
    periode_lesen,
)
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG

#: the Ebenen of the pool, in the order tables show them
EBENEN = ("sozialraum", "stadtviertel", "gesamtstadt")


class NichtGefunden(KeyError):
    """The pool has nothing under a name the analyst gave; the message says what exists."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class KennzahlUnbekannt(NichtGefunden):
    """No Kennzahl of this id or title (``kz.katalog()`` lists them)."""


class RaumUnbekannt(NichtGefunden):
    """No area of this name or number, or no such Ebene."""


class PeriodeUnbekannt(NichtGefunden, ValueError):
    """A period that is no year, quarter or day, or one the pool has no values for."""


class KeinWert(NichtGefunden):
    """Every name is valid, but the pool has no value for the combination (never a made-up 0)."""


# ------------------------------------------------------------------------------ suggestions
def _liste(namen: Sequence[str], hoechstens: int = 12) -> str:
    shown = ", ".join(f"'{x}'" for x in namen[:hoechstens])
    return shown + (f" … ({len(namen)} insgesamt)" if len(namen) > hoechstens else "")


# ------------------------------------------------------------------------------ Kennzahlen
def kennzahl_ids(pool: pd.DataFrame, kennzahl: str | Sequence[str]) -> list[str]:
    """The Kennzahl ids named by id or catalog title, in the order given.

    A Kennzahl of the catalog without pool rows raises :class:`KeinWert` (with the catalog's
    reason when it is not collected yet); an unknown name :class:`KennzahlUnbekannt`.
    """
    namen = [kennzahl] if isinstance(kennzahl, str) else list(kennzahl)
    if not namen:
        raise KennzahlUnbekannt("Keine Kennzahl angegeben: kz.katalog() listet alle.")
    im_pool = list(pool["kennzahl"].unique())
    katalog = {k.id: k for k in load_catalog().kennzahlen}
    out = []
    for name in namen:
        kid = _kennzahl_id(name, im_pool, katalog)
        if kid is None:
            raise KennzahlUnbekannt(_unbekannt_text(name, im_pool, katalog))
        if kid not in im_pool:
            k = katalog[kid]
            grund = (
                f"noch nicht erhoben: {k.grund.strip().rstrip('.')}"
                if not k.erhoben
                else "die Lieferungen decken noch keinen ganzen Zeitraum ab (siehe "
                "kz.load_pool(table='abdeckung'))"
            )
            raise KeinWert(
                f"Kennzahl '{kid}' ({k.titel}) steht im Katalog, hat im Datenpool aber keine "
                f"Werte – {grund}."
            )
        out.append(kid)
    return list(dict.fromkeys(out))


def _kennzahl_id(name: str, im_pool: list[str], katalog: dict) -> str | None:
    """The id a name means: an id (any case), a catalog title, or the one title it begins."""
    if name in im_pool:
        return name
    key = schluessel(name)
    ids = {schluessel(i): i for i in [*katalog, *im_pool]}
    titel = {schluessel(k.titel): k.id for k in katalog.values()}
    anfang = [i for t, i in titel.items() if key and t.startswith(key)]
    return ids.get(key) or titel.get(key) or (anfang[0] if len(anfang) == 1 else None)


def _unbekannt_text(name: str, im_pool: list[str], katalog: dict) -> str:
    namen_alle = [*im_pool, *(k.titel for k in katalog.values())]
    text = satz(f"Kennzahl '{name}' gibt es nicht", name, namen_alle)
    key = schluessel(name)
    darin = [k.id for k in katalog.values() if key and key in schluessel(f"{k.id} {k.titel}")]
    if len(darin) > 1 and text.endswith("."):
        text += f" '{name}' steckt in {_liste(darin, 8)}."
    return text + " kz.katalog() listet alle Kennzahlen mit Titel und Einheit."


# ------------------------------------------------------------------------------ areas
@dataclass(frozen=True)
class Raum:
    """An area as the pool names it: Ebene, code (``raum`` column) and display name."""

    ebene: str
    code: str
    name: str


def bekannte_raeume(pool: pd.DataFrame | None = None) -> list[Raum]:
    """Every area the city's Raumgliederung and the pool know, in table order."""
    rg = raumgliederung()
    out = [Raum("sozialraum", s, s) for s in [*sozialraeume(), OHNE_ZUORDNUNG]]
    out += [
        Raum("stadtviertel", nr, name)
        for nr, name in zip(rg["stadtviertel_nr"], rg["stadtviertel"], strict=True)
    ]
    out.append(Raum("gesamtstadt", GESAMTSTADT, GESAMTSTADT))
    if pool is not None and "raum" in pool:
        known = {(r.ebene, r.code) for r in out}
        extra = pool[["ebene", "raum"]].drop_duplicates()
        out += [
            Raum(e, c, c)
            for e, c in zip(extra["ebene"], extra["raum"], strict=True)
            if (e, c) not in known
        ]
    return out


def raeume(pool: pd.DataFrame | None, raum: object) -> list[Raum]:
    """The areas named (one name or number, or a list), in the order given."""
    einer = isinstance(raum, str | numbers.Integral)
    # anything else is a list of names (list() refuses what is none)
    namen = [raum] if einer else list(cast("Iterable[object]", raum))
    bekannt = bekannte_raeume(pool)
    index: dict[str, Raum] = {}
    for r in bekannt:  # Sozialräume first: a name that is both means the Sozialraum
        index.setdefault(schluessel(r.name), r)
        if r.ebene == "stadtviertel":
            index.setdefault(schluessel(r.code), r)
            index.setdefault("sv" + schluessel(r.code.lstrip("0")), r)
    out = []
    for name in namen:
        treffer = index.get(schluessel(name)) or index.get("sv" + schluessel(str(name).lstrip("0")))
        if treffer is None:
            sr = [x.name for x in bekannt if x.ebene != "stadtviertel"]
            _stadtteil(name)
            raise RaumUnbekannt(
                satz(f"Raum '{name}' gibt es nicht", name, [x.name for x in bekannt])
                + f" Bekannt sind {_liste(sr)} und die Stadtviertel nach Nummer oder Name "
                f"(kz.raumgliederung())."
            )
        out.append(treffer)
    return list(dict.fromkeys(out))


def _stadtteil(name: object) -> None:
    """A Stadtteil is no area of the pool: say which Stadtviertel it holds."""
    rg = raumgliederung()
    teil = rg[rg["stadtteil"].map(schluessel) == schluessel(name)]
    if teil.empty:
        return
    sv = ", ".join(
        f"{n} {s}" for n, s in zip(teil["stadtviertel_nr"], teil["stadtviertel"], strict=True)
    )
    raise RaumUnbekannt(
        f"'{name}' ist ein Stadtteil; der Datenpool hat Werte je Stadtviertel, Sozialraum und "
        f"Gesamtstadt. Der Stadtteil {teil['stadtteil'].iloc[0]} umfasst die Stadtviertel {sv} "
        f"(Sozialraum {', '.join(dict.fromkeys(teil['sozialraum']))})."
    )


def ebenen(ebene: str | Sequence[str]) -> list[str]:
    """The Ebenen named (case-insensitive), checked."""
    namen = [ebene] if isinstance(ebene, str) else list(ebene)
    out = []
    for name in namen:
        e = str(name).strip().casefold()
        if e not in EBENEN:
            raise RaumUnbekannt(
                satz(f"Ebene '{name}' gibt es nicht", name, EBENEN)
                + f" Erlaubt: {_liste(list(EBENEN))}."
            )
        out.append(e)
    return out


# ------------------------------------------------------------------------------ periods
def lesen(periode: object) -> Periodenangabe:
    """:func:`kennzahlen.core.periods.periode_lesen`, raising :class:`PeriodeUnbekannt`."""
    try:
        return periode_lesen(periode)
    except PeriodenFormatError as exc:
        raise PeriodeUnbekannt(str(exc)) from None


def art_text(vorhanden: Sequence[str]) -> str:
    """What kind of periods a Kennzahl has: 'Jahreswerte', 'Quartalswerte' or 'Stichtage'."""
    p = str(vorhanden[0]) if len(vorhanden) else ""
    if len(p) == 4:
        return "Jahreswerte"
    return "Quartalswerte" if ist_quartal(p) else "Werte an Stichtagen"


def perioden_text(perioden: Sequence[str]) -> str:
    """Pool periods in German, for messages: '31.12.2019, 31.12.2020'."""
    return ", ".join(fmt.periode(p) for p in perioden)


def perioden_fuer(vorhanden: Sequence[str], periode: object, wofuer: str) -> list[str]:
    """The pool periods among ``vorhanden`` (one Kennzahl's) that ``periode`` names.

    ``periode`` is one period or a list; ``wofuer`` names the Kennzahl in the message.
    """
    angaben = periode if isinstance(periode, list | tuple | set | pd.Index) else [periode]
    vorhanden = sorted(set(vorhanden), key=letzter_tag)
    out: list[str] = []
    for angabe in angaben:
        a = lesen(angabe)
        treffer = passende_perioden(a, vorhanden)
        if not treffer:
            raise PeriodeUnbekannt(_fehlt_text(a, vorhanden, wofuer))
        out += treffer
    return sorted(set(out), key=letzter_tag)


def _fehlt_text(a: Periodenangabe, vorhanden: Sequence[str], wofuer: str) -> str:
    if not vorhanden:
        return f"Für {wofuer} hat der Datenpool keine Perioden."
    nah = naechste_perioden(a, vorhanden)
    return (
        f"Für {wofuer} gibt es keinen Wert für '{a.text}': im Datenpool {art_text(vorhanden)} "
        f"von {fmt.periode(vorhanden[0])} bis {fmt.periode(vorhanden[-1])} "
        f"({len(vorhanden)} Perioden) – am nächsten: {perioden_text(nah)}."
    )
