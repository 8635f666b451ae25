"""A Kennzahl's sentence: its value for the area, the city, the highest and lowest Sozialraum."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import Kennzahl
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.products.wirkung.werte import (
    DATENSCHUTZ,
    _nicht_ausgewiesen,
    _wert_text,
    erreicht,
    tabellen_wert,
    zielwert_neu,
    zielwert_text,
)


def aussage(
    k: Kennzahl,
    jahr: str,
    werte: pd.Series,
    raum: str = GESAMTSTADT,
    gesperrt: list[str] | tuple[str, ...] = (),
    intervalle: Mapping[str, tuple[float, float]] | None = None,
) -> str:
    """A German statement in the paper's manner about one Kennzahl in one year.

    ``werte`` holds only values that may be published; ``gesperrt`` names the areas whose
    value is hidden (disclosure control): the sentence says so and never names or compares
    a hidden value. ``intervalle``: the 95 % intervals of the published values
    (:mod:`kennzahlen.products.wirkung.unsicherheit`); a missed Zielwert is then said to be
    missed surely or not surely, with the interval.
    """
    werte = werte.dropna()
    gesperrt = [a for a in gesperrt if a not in werte.index]
    sr = [s for s in sozialraeume() if s in werte.index]
    sr_gesperrt = [s for s in sozialraeume() if s in gesperrt]
    g_da = GESAMTSTADT in werte.index
    if (
        not g_da
        and GESAMTSTADT not in gesperrt
        and (raum == GESAMTSTADT or raum not in werte.index)
    ):
        return f"Für {jahr} liegen keine Werte vor."
    ivs = {a: v for a, v in (intervalle or {}).items() if a in werte.index}
    lage = _Lage(werte, gesperrt, sr, sr_gesperrt, werte.get(GESAMTSTADT), ivs)
    if k.zielwert_im(jahr) is None:
        return _ohne_ziel(k, jahr, raum, lage)
    if raum != GESAMTSTADT:
        return _ziel_raum(k, jahr, raum, lage)
    return _ziel_stadt(k, jahr, lage)


@dataclass(frozen=True)
class _Lage:
    """What may be said: the published values, the hidden areas, the Sozialräume with a value
    and those hidden, and the city's value when it is published."""

    werte: pd.Series
    gesperrt: list[str]
    sr: list[str]
    sr_gesperrt: list[str]
    g: float | None  # the city's value (None: hidden or missing)
    ivs: Mapping[str, tuple[float, float]] = field(default_factory=dict)


def _sicher(
    k: Kennzahl, jahr: str, lage: _Lage, a: str, wert: float | None, kurz: bool = False
) -> str:
    """' und sicher verfehlt (95-%-Intervall …)' / ', aber nicht sicher verfehlt (…)' for a
    missed Zielwert with a published interval; '' otherwise. ``kurz``: ' (95-%-Intervall …:
    nicht sicher verfehlt)'."""
    from kennzahlen.products.wirkung import unsicherheit

    if wert is None or a not in lage.ivs or erreicht(k, wert, jahr) is not False:
        return ""
    wort = unsicherheit.zielvergleich(k, jahr, wert, lage.ivs[a])
    text = unsicherheit.intervall_text(k, lage.ivs[a])
    if kurz:
        return f" (95-%-Intervall {text}: {'sicher ' if wort == 'verfehlt' else ''}{wort})"
    if wort == "verfehlt":
        return f" und sicher verfehlt (95-%-Intervall {text})"
    return f", aber nicht sicher verfehlt (95-%-Intervall {text})"


def _ziel_mit(ziel: str, neu: str) -> str:
    """'85 %' or, set anew that year, '85 % (neu seit 2023, bis 2022: 90 %)'."""
    return f"{ziel} ({neu})" if neu else ziel


def mit_name(k: Kennzahl, satz: str) -> str:
    """The sentence led by the Kennzahl it speaks of (for key messages read without the
    section's heading): 'Anteil der Hilfen vor dem Fall an allen Hilfen: Im Jahr …'."""
    return f"{k.titel}: {satz}"


def _verb(k: Kennzahl) -> dict[bool, str]:
    return {
        True: "erreicht",
        False: "unterschritten" if k.richtung == "hoeher_besser" else "überschritten",
    }


def _ziel_raum(k: Kennzahl, jahr: str, raum: str, lage: _Lage) -> str:
    """A Sozialraum's value against the target, and the city's."""
    werte, gesperrt, g = lage.werte, lage.gesperrt, lage.g
    ziel, verb, neu = zielwert_text(k, jahr), _verb(k), zielwert_neu(k, jahr)
    if raum in werte.index:
        own = werte[raum]
        text = (
            f"Im Jahr {jahr} wurde der Zielwert von {_ziel_mit(ziel, neu)} im Sozialraum {raum} "
            f"mit {_wert_text(k, own, jahr)} {verb[bool(erreicht(k, own, jahr))]}"
            + _sicher(k, jahr, lage, raum, own)
        )
    elif raum in gesperrt:
        text = (
            f"Im Jahr {jahr} ist der Wert für den Sozialraum {raum} {DATENSCHUTZ} "
            f"(Zielwert {ziel}{', ' + neu if neu else ''})"
        )
    else:
        text = (
            f"Für den Sozialraum {raum} liegt {jahr} kein Wert vor "
            f"(Zielwert {ziel}{', ' + neu if neu else ''})"
        )
    if g is not None:
        return (
            text + f"; die Gesamtstadt hat ihn mit {_wert_text(k, g, jahr)} "
            f"{verb[bool(erreicht(k, g, jahr))]}{_sicher(k, jahr, lage, GESAMTSTADT, g, True)}."
        )
    if GESAMTSTADT in gesperrt:
        return text + f"; der Wert der Gesamtstadt ist {DATENSCHUTZ}."
    return text + "."


def _ziel_stadt(k: Kennzahl, jahr: str, lage: _Lage) -> str:
    """The city's value against the target, and the Sozialräume that missed it."""
    werte, sr, sr_gesperrt, g = lage.werte, lage.sr, lage.sr_gesperrt, lage.g
    ziel, verb, neu = zielwert_text(k, jahr), _verb(k), zielwert_neu(k, jahr)
    if g is not None:
        text = (
            f"Im Jahr {jahr} wurde der Zielwert von {_ziel_mit(ziel, neu)} für die Gesamtstadt mit "
            f"{_wert_text(k, g, jahr)} {verb[bool(erreicht(k, g, jahr))]}"
            + _sicher(k, jahr, lage, GESAMTSTADT, g)
        )
    else:
        text = (
            f"Im Jahr {jahr} ist der Wert für die Gesamtstadt {DATENSCHUTZ} "
            f"(Zielwert {ziel}{', ' + neu if neu else ''})"
        )
    verfehlt = [s for s in sr if erreicht(k, werte[s], jahr) is False]
    geheim = _nicht_ausgewiesen(sr_gesperrt)
    alle = "alle ausgewiesenen Sozialräume" if sr_gesperrt else "alle Sozialräume"
    if not sr:
        return text + (f"; {geheim}." if geheim else ".")
    if not verfehlt:
        text += f"; {alle} erfüllten den Zielwert"
    elif len(verfehlt) == len(sr) > 1:
        lo, hi = min(werte[s] for s in sr), max(werte[s] for s in sr)
        text += (
            f"; auch {alle} lagen darunter (zwischen {_wert_text(k, lo, jahr)} und "
            f"{_wert_text(k, hi, jahr)})"
        )
    else:
        teile = ", ".join(
            f"in {s} mit {_wert_text(k, werte[s], jahr)}{_sicher(k, jahr, lage, s, werte[s], True)}"
            for s in verfehlt
        )
        text += f"; {teile} {verb[False]}"
    return text + (f"; {geheim}." if geheim else ".")


def _ohne_ziel(k: Kennzahl, jahr: str, raum: str, lage: _Lage) -> str:
    """A Kennzahl without a target: the area's value, the city's, the highest and lowest."""
    werte, gesperrt, sr, sr_gesperrt = lage.werte, lage.gesperrt, lage.sr, lage.sr_gesperrt
    g = lage.g
    hoch = max(sr, key=lambda s: werte[s]) if sr else None
    tief = min(sr, key=lambda s: werte[s]) if sr else None
    wer = "die Gesamtstadt" if raum == GESAMTSTADT else f"den Sozialraum {raum}"
    own = g if raum == GESAMTSTADT else werte.get(raum)
    if own is not None and not pd.isna(own):
        text = f"Im Jahr {jahr} lag der Wert für {wer} bei {tabellen_wert(k, own)}"
    elif (raum if raum != GESAMTSTADT else GESAMTSTADT) in gesperrt:
        text = f"Im Jahr {jahr} ist der Wert für {wer} {DATENSCHUTZ}"
    else:
        text = f"Für {wer} liegt {jahr} kein Wert vor"
    if raum != GESAMTSTADT:
        text += (
            f" (Gesamtstadt {tabellen_wert(k, g)})"
            if g is not None
            else (f" (Gesamtstadt: {DATENSCHUTZ})" if GESAMTSTADT in gesperrt else "")
        )
    if hoch and tief and hoch != tief:
        unter = "unter den ausgewiesenen Sozialräumen " if sr_gesperrt else ""
        text += (
            f"; {unter}am höchsten in {hoch} ({tabellen_wert(k, werte[hoch])}), "
            f"am niedrigsten in {tief} ({tabellen_wert(k, werte[tief])})"
        )
    geheim = [s for s in sr_gesperrt if s != raum]
    if geheim:
        text += f"; {_nicht_ausgewiesen(geheim)}"
    return text + ". Für diese Kennzahl ist kein Zielwert festgelegt."
