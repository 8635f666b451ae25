"""Test helper: a reader who knows the law, against everything Produkt 3 publishes for a year.

The reader reads the published tables (what every report of the year shows: Zähler and Nenner
per Kennzahl and area, as ``kennzahl_tabelle(...).anzeige``), of one publication or of several
publications of the same year (the year is published again with later quarters and after pool
rebuilds). It knows:

* the definitions: every count is a sum of atoms of the catalog's cross-classification, and the
  atoms a structural zero of the schema excludes (besondere Wohnform ambulant, …) are 0;
* the symbols: '<3' is 1 or 2, 'x' is 0 or at least 3 (a small count shown as 'x' is any whole
  number: the audit says which), 'nicht bewertet' is any whole number;
* between two publications of a year, cases were only added (late exports): every atom of the
  later one is at least the earlier one's (``x_spaet = x_frueh + d``, ``d >= 0``).

It is stronger than a reader in one point: it knows which 'x' is a Gegensperrung. A *finding* is
a hidden count, a 'nicht bewertet' count, or the difference of two published counts nested by
definition (a share's Gegenwert Nenner − Zähler, a margin such as WfbM = Nenner egh_z3 − Nenner
egh_z4) that the reader narrows to one value – for the differences, to one value from 1 to k−1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from kennzahlen import disclosure_atoms as da
from kennzahlen.attack import Attacker, Knowledge
from kennzahlen.catalog import load_catalog
from kennzahlen.geography import sozialraeume
from kennzahlen.products import wirkung
from kennzahlen.schema import OHNE_ZUORDNUNG

Ort = tuple[str, str, str]  # (kennzahl, Zähler/Nenner, area)
TEILE = ("Zähler", "Nenner")


@dataclass
class Veroeffentlichung:
    """One publication of a year: what it shows per place, the true counts, the small counts
    shown as 'x'."""

    zeichen: dict[Ort, str]
    wahr: dict[Ort, float]
    verdeckt: set[Ort] = field(default_factory=set)


def zahl(text: str) -> int | None:
    """A shown count ('1.234') as a number; None for a symbol."""
    t = text.replace(".", "")
    return int(t) if t.isdigit() else None


def lesen(pool: pd.DataFrame, jahr: str) -> Veroeffentlichung:
    """What the reports of the year publish from this pool (every report shows every area)."""
    zeichen, wahr, verdeckt = {}, {}, set()
    for k in wirkung.kennzahlen_p3(jahr):
        if not k.erhoben:
            continue
        t = wirkung.kennzahl_tabelle(pool, k, jahr)
        for teil in TEILE:
            if teil not in t.anzeige.columns:
                continue
            col = "zaehler" if teil == "Zähler" else "nenner"
            for raum, text in t.anzeige[teil].items():
                zeichen[(k.id, teil, raum)] = str(text)
                wahr[(k.id, teil, raum)] = float(t.werte.loc[raum, col])
                z = t.plan.zelle(k.id, teil, raum) if t.plan is not None else None
                if z is not None and z.verdeckt:
                    verdeckt.add((k.id, teil, raum))
    return Veroeffentlichung(zeichen, wahr, verdeckt)


def _status(text: str, verdeckt: bool) -> str | None:
    if zahl(text) is not None:
        return "wert"
    if text == "<3":
        return "klein"
    if text == "x":
        return "frei" if verdeckt else "gesperrt"
    if text == wirkung.NICHT_BEWERTET:
        return "frei"
    return None  # '–': no value


def _modell(jahr: str) -> da.AtomModel:
    kz = [k for k in wirkung.kennzahlen_p3(jahr) if k.erhoben]
    return da.AtomModel(
        load_catalog(),
        [(t, k.periodizitaet) for k in kz for t in [*k.zaehler, *k.nenner]],
        jahr,
        [*sozialraeume(), OHNE_ZUORDNUNG],
    )


def befunde(pubs: Sequence[Veroeffentlichung], jahr: str, k: int = 3) -> list[str]:
    """Everything the reader pins down over all publications of the year together (empty: safe)."""
    model, cat = _modell(jahr), load_catalog()
    n = len(model.atoms)
    wissen: list[Knowledge] = []
    ziele: list[tuple[str, tuple[int, ...], float, bool]] = []  # name, atoms, truth, only small
    for j, pub in enumerate(pubs):
        orte: dict[Ort, tuple[int, ...]] = {}
        for (kid, teil, raum), text in pub.zeichen.items():
            st = _status(text, (kid, teil, raum) in pub.verdeckt)
            kz = cat.get(kid)
            basis = model.atoms_of(
                kz.zaehler if teil == "Zähler" else kz.nenner, kz.periodizitaet, raum
            )
            if st is None or not basis:
                continue
            atoms = tuple(sorted(a + i * n for i in range(j + 1) for a in basis))
            orte[(kid, teil, raum)] = atoms
            wissen.append(Knowledge(atoms, st, zahl(text)))  # type: ignore[arg-type]
            if st != "wert":
                ziele.append(
                    (
                        f"{j}: {kid} {teil} {raum} ({text})",
                        atoms,
                        pub.wahr[(kid, teil, raum)],
                        False,
                    )
                )
        for a, atoms_a in orte.items():
            for b, atoms_b in orte.items():
                rest = tuple(sorted(set(atoms_b) - set(atoms_a)))
                if a == b or not rest or not set(atoms_a) < set(atoms_b):
                    continue
                w = pub.wahr[b] - pub.wahr[a]
                if 1 <= w <= k - 1:
                    ziele.append((f"{j}: {b} − {a} = {w:g}", rest, w, True))
    att = Attacker(wissen, k)
    out = []
    seen = set()
    for name, atoms, wahr, nur_klein in ziele:
        if atoms in seen:
            continue
        seen.add(atoms)
        lo, hi = att.interval(atoms)
        assert lo <= wahr and (hi is None or wahr <= hi), (name, lo, hi)  # the truth fits
        if hi is not None and lo == hi and (not nur_klein or 1 <= lo <= k - 1):
            out.append(f"{name}: errechenbar = {lo:g}")
    return out
