"""The publication plan: disclosure control over everything one public audience gets for a period.

A public product (Produkt 3) shows, for one year, the same Kennzahlen in six reports
(Gesamtstadt and every Sozialraum): Zähler, Nenner and Wert per area, the Zielmatrix,
sentences and charts. A reader who combines them must not get a small count back. So the
decision which counts are shown is made once per year over *all* published counts, and every
report of that year applies the same decision.

**Cells and atoms.** Every Kennzahl is a sum of Basiszahlen (a raw table and a counting rule)
with filters (``config/kennzahlen.yaml``). The filters of all published Kennzahlen cut each raw
table into disjoint groups of cases: per filtered column the values the filters tell apart
(``leistung`` = egh_eigener_wohnraum | egh_besondere_wohnform | … , ``setting`` = ambulant |
stationaer, ``alter`` = 0–17 | 18–20 | …), crossed, per area (Sozialräume and "ohne
Zuordnung"). These groups are the *atoms*; every published count (a *cell*: Kennzahl part ×
area) is a sum of atoms, Gesamtstadt the sum over the areas. Every relation that holds by
definition follows without being written down per Kennzahl:

* rows add up to Gesamtstadt;
* the same Basiszahl + filter in two Kennzahlen is the same cell (one unknown);
* complementary filters add up (ambulant + stationär = alle; eigener Wohnraum + besondere
  Wohnform = Nenner of egh_z4);
* a share is shown only with its Zähler and Nenner both shown, so "share × Nenner" adds
  nothing a reader does not see already.

**What a reader knows.** Atoms the schema's structural zeros exclude (``schema.Festlegung``:
besondere Wohnform is stationär, …) are known zeros (:class:`AtomModel`); the reader refuses rows
that contradict them, so the data agree.

**Protection rule** (statistical offices' practice; ``docs/annahmen.md``): a count of 1 to k-1
is *sensitive*. Sensitive are the published cells, every group of the cross-classification
(atom, margin, e.g. "WfbM ohne Zuordnung" = Nenner egh_z3 − Nenner egh_z4) whose value follows
from the cells, with ``gegenwert`` every difference of two published counts nested by definition
(a share's Nenner − Zähler, :func:`kennzahlen.disclosure.frueher.gegenwerte`), and every count of
an area 'nicht bewertet' (whatever its value). No sensitive value and no hidden cell may be
narrowed by a reader to a single value (:class:`kennzahlen.disclosure.attack.Attacker`), in this
publication
and, checked together, in every earlier publication of the period
(:mod:`kennzahlen.disclosure.frueher`).

**What a reader knows from a symbol.** '<k' is 1 to k-1. 'x' is a Gegensperrung (0 or >= k) or,
rarely, a small count shown as 'x' (see below); the symbol does not say which, so 'x' tells a
reader nothing but ">= 0". The plan's attacker is stronger than that on purpose: it treats
every Gegensperrung as "0 or >= k", as if a reader could tell the two apart; only a small
count shown as 'x' is "any whole number >= 0" to it.

**Secondary suppression.** For each sensitive value a reader could pin down, a small
mixed-integer programme looks for the cheapest set of further cells to hide such that a second
table exists that agrees with everything still published and differs in that value by one
(Fischetti/Salazar's model of cell suppression, one sensitive cell at a time). Costs prefer
small cells (cost = number of places × (1 + value)), so a Gesamtstadt value is hidden only when
nothing else works. Sometimes the '<k' marks alone give a value away: two areas '<3' whose
total is '<3' are 1 and 1 (the total at most 2, each part at least 1), and no further hiding
changes that. Then the programme may also show a '<k' count as 'x' (priced above hiding every
shown cell of its group, so only where hiding cannot help). With that, a protection always
exists: with every count of the group hidden or shown as 'x', the table with one more case in
the value agrees with everything left (a Gegensperrung that holds one of its cases already is
at least k and stays so). Hiding more never helps a reader, so protection achieved stays
achieved. Afterwards, Gegensperrungen a reader could still pin down are shown again (they
protect nothing), and every hidden cell is tried shown again ('<k' again for a small count
shown as 'x'), kept so when nothing becomes disclosed (no over-suppression). Every sensitive
value and hidden cell keeps a *witness*: a table checked exactly against everything published
that gives it another value. A value without one is protected again; :class:`PlanError` is
left for a plan that still fails after that (a defect, never expected)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import pandas as pd

from kennzahlen.catalog.model import Catalog
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.disclosure.atoms import (
    NICHT_BEWERTET,
    AtomModel,
    Eintrag,
    Gezeigt,
    Gruppe,
    Plan,
    PlanError,
    Zelle,
    _klein,
    _small,
    zellen_bilden,
)
from kennzahlen.disclosure.attack import AttackError
from kennzahlen.disclosure.frueher import Schichten, fruehere_zellen, gegenwerte
from kennzahlen.disclosure.protect import _offen, _prune, _secure, _sensitive_groups, _Zeugen


def build_plan(
    eintraege: Sequence[Eintrag],
    catalog: Catalog,
    jahr: str,
    raeume: Sequence[str],
    k: int = 3,
    null_sichtbar: bool = True,
    nicht_bewertet: Iterable[str] = (),
    feinschliff: bool = True,
    gegenwert: bool = True,
    frueher: Sequence[Sequence[Gezeigt]] = (),
) -> Plan:
    """Decide for every published count of a period whether it is shown, as described above.

    ``raeume``: the areas that add up to Gesamtstadt (Sozialräume and 'ohne Zuordnung');
    ``nicht_bewertet``: areas whose counts are shown as 'nicht bewertet' (protected like small
    counts: no sum may give them back); ``feinschliff``: try every hidden cell visible again
    (fewer hidden cells); ``gegenwert``: protect the differences of nested counts (a share's
    Nenner − Zähler, :func:`~kennzahlen.disclosure.frueher.gegenwerte`); ``frueher``: the earlier
    publications of the period, oldest first (checked together with this one, see
    :mod:`kennzahlen.disclosure.frueher`). The intervals of the audit are computed on demand
    (:meth:`Plan.intervalle`).
    """
    t0 = time.perf_counter()
    frueher = [_lesbar(pub, catalog, raeume) for pub in frueher]
    args = (eintraege, catalog, jahr, raeume, k, null_sichtbar, set(nicht_bewertet))
    try:
        plan = _build(*args, feinschliff, gegenwert, frueher, getrennt=False)
    except AttackError:
        if not frueher:
            raise
        # the data do not fit "cases were only added" (a count moved between tables in a way
        # no table shows): check the publications as independent ones
        plan = _build(*args, feinschliff, gegenwert, frueher, getrennt=True)
    plan.sekunden = round(time.perf_counter() - t0, 3)
    return plan


def _lesbar(pub: Sequence[Gezeigt], catalog: Catalog, raeume: Sequence[str]) -> list[Gezeigt]:
    """The places of an earlier publication the current catalog and areas can still model (an
    area or a Basiszahl that no longer exists: not checked again, see docs/annahmen.md)."""
    gebiete = {*raeume, GESAMTSTADT}
    return [
        g
        for g in pub
        if g.eintrag.raum in gebiete
        and all(t.basis in catalog.basiszahlen for t in g.eintrag.terms)
    ]


def _build(
    eintraege: Sequence[Eintrag],
    catalog: Catalog,
    jahr: str,
    raeume: Sequence[str],
    k: int,
    null_sichtbar: bool,
    nicht_bewertet: set[str],
    feinschliff: bool,
    gegenwert: bool,
    frueher: Sequence[Sequence[Gezeigt]],
    getrennt: bool,
) -> Plan:
    pubs = [[g.eintrag for g in f] for f in frueher] + [list(eintraege)]
    model = AtomModel(
        catalog, [(t, e.periodizitaet) for p in pubs for e in p for t in e.terms], jahr, raeume
    )
    schichten = Schichten(model, pubs, getrennt)
    zellen, orte = zellen_bilden(eintraege, model, schichten.lift(len(frueher)))
    _mark_small(zellen, nicht_bewertet, k, null_sichtbar)
    alte = fruehere_zellen(frueher, schichten, zellen, orte, k, null_sichtbar)
    alle = zellen + [z for pub in alte for z in pub]
    zeugen = _Zeugen(alle, k, null_sichtbar)
    gruppen, targets = _targets(model, schichten, zellen, alte, zeugen, gegenwert)
    for runde in range(3):
        _secure(alle, targets, zeugen)
        if feinschliff and runde == 0:
            _prune(alle, targets, zeugen)
        offen = _offen(alle, targets, zeugen)
        if not offen:
            break
    else:  # cannot happen: hiding a whole group protects every value in it (see _protect)
        names = [z.orte[0] for z in alle if z.atoms == offen[0][0]]
        where = f", z. B. {names[0][0]} ({names[0][1]}, {names[0][2]})" if names else ""
        raise PlanError(
            f"Geheimhaltung {jahr}: {len(offen)} Wert(e) wären trotz Sperrung errechenbar{where}"
        )
    plan = Plan(jahr, k, null_sichtbar, zellen, orte, gruppen, frueher=alle[len(zellen) :])
    # the witnesses are tables that agree with the plan: known tables for its intervals
    plan.tabellen = [t for ts in zeugen.tables.values() for t in ts]
    return plan


def _targets(
    model: AtomModel,
    schichten: Schichten,
    zellen: list[Zelle],
    alte: list[list[Zelle]],
    zeugen: _Zeugen,
    gegenwert: bool,
) -> tuple[list[Gruppe], list[tuple[tuple[int, ...], float]]]:
    """The sensitive values: small counts, counts of areas not rated, small groups and (with
    ``gegenwert``) small differences of nested counts, of this publication and of every earlier
    one; the groups of this publication (for the audit) and all targets."""
    k, null_sichtbar = zeugen.k, zeugen.null_sichtbar
    alle = zellen + [z for pub in alte for z in pub]
    targets: list[tuple[tuple[int, ...], float]] = []
    gruppen: list[Gruppe] = []
    for j, pub in enumerate([*alte, zellen]):
        g = _sensitive_groups(model, alle, k, null_sichtbar, zeugen.root, schichten.lift(j))
        if gegenwert:
            bekannt = {x.atoms for x in g}
            g += [x for x in gegenwerte(pub, k, null_sichtbar) if x.atoms not in bekannt]
        neu = [(z.atoms, z.wert) for z in pub if z.status != "wert"]
        neu += [(x.atoms, x.wert) for x in g]
        if j == len(alte):
            gruppen = g
            neu += [(z.atoms, z.wert) for z in pub if _small(z.wert, k, null_sichtbar)]
        else:  # what the earlier publications give away on their own is out already
            neu = _noch_geschuetzt(neu, [z for p in alte[: j + 1] for z in p], k, null_sichtbar)
        targets += neu
    seen: set[tuple[int, ...]] = set()
    einmal = []
    for t in targets:  # each group once, the first time it comes
        if t[0] not in seen:
            seen.add(t[0])
            einmal.append(t)
    return gruppen, einmal


def _noch_geschuetzt(
    targets: list[tuple[tuple[int, ...], float]], alte: list[Zelle], k: int, null_sichtbar: bool
) -> list[tuple[tuple[int, ...], float]]:
    """The values of an earlier publication that the publications up to it did not give away
    (nothing a new publication hides brings the others back)."""
    zeugen = _Zeugen(alte, k, null_sichtbar)

    def offen(a: tuple[int, ...], w: float) -> bool:
        if any(x not in zeugen.root for x in a) or len({zeugen.root[x] for x in a}) > 1:
            return True  # not fixed by the earlier counts alone
        return zeugen.search(a, w)

    return [(a, w) for a, w in targets if offen(a, w)]


def _mark_small(zellen: list[Zelle], frei: set[str], k: int, null_sichtbar: bool) -> None:
    """Cells of an area that is not rated are free; small counts are hidden as '<k'."""
    for z in zellen:
        if any(r in frei for _, _, r in z.orte):
            z.status, z.grund, z.regel = (
                "frei",
                NICHT_BEWERTET,
                "Gebiet nicht bewertet (zu wenige Einwohner*innen)",
            )
        elif _small(z.wert, k, null_sichtbar):
            _klein(z, k, null_sichtbar)


# ---------------------------------------------------------------------------- audit
def interval_text(v: float | None) -> str:
    """An interval bound for the audit ('' for unbounded)."""
    return "" if v is None else str(int(round(v)))


def plan_frame(plan: Plan) -> pd.DataFrame:
    """One row per place (kennzahl, teil, raum) with status and, where hidden, the reader's
    interval."""
    rows = []
    for (kid, teil, raum), i in plan.orte.items():
        z = None if i is None else plan.zellen[i]
        rows.append(
            {
                "kennzahl": kid,
                "teil": teil,
                "raum": raum,
                "status": "leer" if z is None else z.status,
                "min_leser": None if z is None or z.status == "wert" else z.intervall[0],
                "max_leser": None if z is None or z.status == "wert" else z.intervall[1],
            }
        )
    return pd.DataFrame(rows)
