"""Amounts in Euro in a public product: the attacker over the published amounts.

An amount (the net spending of a Kennzahl in Euro, per area) is no count of cases, so it is not
part of the publication plan's cells: a report shows it only where the plan shows the cases it
pays for (:func:`kennzahlen.products.wirkung.plan.euro_sichtbar`). One or two cases' spending is a
person's spending, so the amount is hidden exactly where the count of its cases is hidden.

That alone is not the proof: amounts add up too (the Sozialräume to the Gesamtstadt, a Hilfeart
to its Arbeitsfeld). Like the counts, every published amount is a sum of *atoms* (the ``ausgaben``
table cut by the filters of all published amounts, per area, :class:`AtomModel`), and the
attacker (:class:`~kennzahlen.disclosure.attack.Attacker`: whole Euro >= 0, every shown amount an
equation) must not narrow a hidden amount to one value. :func:`errechenbar` names the hidden
amounts it does pin down (none, when the plan hides the cases of a row in at least two places, as
it does for every protected count). Negative amounts (a year of more Erstattungen than spending)
leave the attacker's model (amounts >= 0); then every row is checked on its own: a hidden amount
is pinned when it is the only hidden one of a row whose total is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kennzahlen.catalog.model import Catalog, Term
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.disclosure.atoms import AtomModel
from kennzahlen.disclosure.attack import Attacker, Knowledge


@dataclass(frozen=True)
class Betrag:
    """One published amount: a Kennzahl's Zähler in Euro in one area, and whether it is shown."""

    kennzahl: str
    raum: str
    terms: tuple[Term, ...]
    periodizitaet: str
    wert: float
    sichtbar: bool


def errechenbar(
    betraege: Sequence[Betrag], catalog: Catalog, jahr: str, raeume: Sequence[str]
) -> list[Betrag]:
    """The hidden amounts a reader pins down to one value from the shown ones (empty: safe).

    ``raeume``: the areas that add up to Gesamtstadt (Sozialräume and 'ohne Zuordnung').
    """
    if not any(not b.sichtbar for b in betraege):
        return []
    if any(b.wert < 0 for b in betraege):
        return _zeilenweise(betraege)
    att, atome = _angreifer(betraege, catalog, jahr, raeume)
    gezeigt = {a for a, b in zip(atome, betraege, strict=True) if b.sichtbar and a}
    return [
        b
        for a, b in zip(atome, betraege, strict=True)
        if not b.sichtbar and a and (a in gezeigt or att.disclosed(a, b.wert))
    ]


def intervalle(
    betraege: Sequence[Betrag], catalog: Catalog, jahr: str, raeume: Sequence[str]
) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """What a reader can still believe of each hidden amount: (kennzahl, raum) -> (min, max)
    (max None: unbounded; both None where negative amounts leave the model)."""
    versteckt = [b for b in betraege if not b.sichtbar]
    if not versteckt:
        return {}
    if any(b.wert < 0 for b in betraege):
        return {(b.kennzahl, b.raum): (None, None) for b in versteckt}
    att, atome = _angreifer(betraege, catalog, jahr, raeume)
    out: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for a, b in zip(atome, betraege, strict=True):
        if not b.sichtbar and a:
            out[(b.kennzahl, b.raum)] = att.interval(a)
    return out


def _angreifer(
    betraege: Sequence[Betrag], catalog: Catalog, jahr: str, raeume: Sequence[str]
) -> tuple[Attacker, list[tuple[int, ...]]]:
    """The attacker over the amounts (shown: an equation; hidden: any whole Euro >= 0) and the
    atoms of each amount."""
    model = AtomModel(
        catalog, [(t, b.periodizitaet) for b in betraege for t in b.terms], jahr, raeume
    )
    atome = [model.atoms_of(b.terms, b.periodizitaet, b.raum) for b in betraege]
    # one amount shown anywhere is shown (the same atoms in two Kennzahlen: one number)
    gezeigt = {a: b.wert for a, b in zip(atome, betraege, strict=True) if b.sichtbar and a}
    wissen = [Knowledge(a, "wert", w) for a, w in gezeigt.items()]
    wissen += [
        Knowledge(a, "frei")
        for a, b in zip(atome, betraege, strict=True)
        if not b.sichtbar and a and a not in gezeigt
    ]
    return Attacker(wissen, k=2), atome


def _zeilenweise(betraege: Sequence[Betrag]) -> list[Betrag]:
    """Each Kennzahl's row on its own: the only hidden amount of a row with its total shown."""
    out = []
    for kid in {b.kennzahl for b in betraege}:
        zeile = [b for b in betraege if b.kennzahl == kid]
        versteckt = [b for b in zeile if not b.sichtbar]
        summe = any(b.raum == GESAMTSTADT and b.sichtbar for b in zeile)
        if len(versteckt) == 1 and summe:
            out += versteckt
    return out
