"""Earlier publications of a period, checked together with a new one, and the differences a
publication shows by definition.

**Several publications of a year.** Produkt 3 of a year goes out again with later quarters and
after pool rebuilds; a late export changes a few counts in between. A reader who lays the
publications side by side knows that cases were added, not taken away: every count of the later
publication is the earlier one plus the late cases. So the plan models publication ``j`` (0 = the
first) with *layers* of atoms: layer 0 holds the cases of the first publication, layer ``i`` the
cases added before publication ``i``; a count of publication ``j`` is the sum of its atoms in
layers 0 to ``j``. All layers are whole numbers >= 0: an attacker with that knowledge (and the
symbols of every publication) is what :func:`kennzahlen.disclosure.plan.build_plan` protects
against. Where a count of a table got *smaller* between two publications (a correction, a case
moved), the reader cannot assume added cases only: the layers of that table start anew there
(the two publications are independent for it).

**Differences by definition.** A share shows Zähler and Nenner; its Gegenwert (Nenner − Zähler,
"38 of 40" gives "2 without") is a count too. More generally, when the cases of one published
count are part of another's by definition, their difference is published: it is protected like
any count from 1 to k−1 (``gegenwert: true`` in ``config/disclosure.yaml``).
"""

from __future__ import annotations

from collections.abc import Sequence

from kennzahlen.disclosure.atoms import (
    AtomModel,
    Eintrag,
    Gezeigt,
    Gruppe,
    Lift,
    Zelle,
    _small,
    _vorsperre,
    zellen_bilden,
)

#: how much a status tells a reader (several places of one cell: the most telling one counts)
_AUSSAGE = {"wert": 3, "klein": 2, "gesperrt": 1, "frei": 0}


class Schichten:
    """The atoms of several publications of one period side by side (see the module docstring).

    ``pubs``: the entries of every publication, oldest first, the new one last. ``getrennt``:
    all tables start anew in every layer (independent publications), the fallback where the
    layered model does not fit the data.
    """

    def __init__(self, model: AtomModel, pubs: Sequence[Sequence[Eintrag]], getrennt: bool = False):
        self.model = model
        self.n = len(model.atoms)
        self.start: list[dict[tuple, int]] = [{}]
        for j in range(1, len(pubs)):
            neu = set(model.bases) if getrennt else self._kleiner(pubs[j - 1], pubs[j])
            self.start.append(
                {key: j if key in neu else self.start[j - 1].get(key, 0) for key in model.bases}
            )

    def _kleiner(self, vorher: Sequence[Eintrag], nachher: Sequence[Eintrag]) -> set[tuple]:
        """The tables (base keys) with a count that got smaller between two publications."""
        alt = {(e.kennzahl, e.teil, e.raum): e.wert for e in vorher if e.wert is not None}
        out: set[tuple] = set()
        for e in nachher:
            w = alt.get((e.kennzahl, e.teil, e.raum))
            if w is None or e.wert is None or e.wert >= w - 1e-9:
                continue
            for a in self.model.atoms_of(e.terms, e.periodizitaet, e.raum):
                out.add(self.model.atoms[a][0])
        return out

    def lift(self, j: int) -> Lift:
        """The atoms of a count in publication ``j``: its atoms in every layer up to ``j``."""
        start, n, atoms = self.start[j], self.n, self.model.atoms

        def lifted(at: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(
                sorted(a + i * n for a in at for i in range(start.get(atoms[a][0], 0), j + 1))
            )

        return lifted


def fruehere_zellen(
    frueher: Sequence[Sequence[Gezeigt]],
    schichten: Schichten,
    zellen: list[Zelle],
    orte: dict[tuple[str, str, str], int | None],
    k: int,
    null_sichtbar: bool,
) -> list[list[Zelle]]:
    """The counts of every earlier publication (``fest``: what they showed cannot change), per
    publication; a place of the new one that an earlier one hid is hidden again (``_vorsperre``).
    """

    out = []
    verborgen: set[tuple[str, str, str]] = set()
    for j, pub in enumerate(frueher):
        status: dict[tuple[str, str, str], Gezeigt] = {
            (g.eintrag.kennzahl, g.eintrag.teil, g.eintrag.raum): g for g in pub
        }
        alte, _ = zellen_bilden([g.eintrag for g in pub], schichten.model, schichten.lift(j))
        for z in alte:
            g = max((status[o] for o in z.orte), key=lambda g: _AUSSAGE.get(g.status, 0))
            z.status, z.verdeckt, z.fest = g.status, g.verdeckt, True
        verborgen |= {o for o, g in status.items() if g.status not in ("wert", "leer")}
        out.append(alte)
    for ort in verborgen:
        i = orte.get(ort)
        if i is not None:
            _vorsperre(zellen[i], k, null_sichtbar)
    return out


def gegenwerte(zellen: Sequence[Zelle], k: int, null_sichtbar: bool) -> list[Gruppe]:
    """The differences of published counts nested by definition whose value is small: a share's
    Gegenwert (Nenner − Zähler) and any count that is part of another."""
    out, seen = [], set()
    mengen = [(z, frozenset(z.atoms)) for z in zellen if z.atoms]
    for a, sa in mengen:
        for b, sb in mengen:
            if not sa < sb:
                continue
            rest = tuple(sorted(sb - sa))
            w = b.wert - a.wert
            if rest in seen or not _small(w, k, null_sichtbar):
                continue
            seen.add(rest)
            (ka, ta, ra), (kb, tb, rb) = a.orte[0], b.orte[0]
            out.append(Gruppe(f"Gegenwert: {kb} {tb} ({rb}) − {ka} {ta} ({ra})", rb, rest, w))
    return out


__all__ = ["Lift", "Schichten", "fruehere_zellen", "gegenwerte"]
