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

**Protection rule** (statistical offices' practice; ``docs/annahmen.md``): a count of 1 to k-1
is *sensitive*. Sensitive are the published cells and every group of the cross-classification
(atom, margin, e.g. "WfbM ohne Zuordnung" = Nenner egh_z3 − Nenner egh_z4) whose value follows
from the cells. No sensitive value and no hidden cell may be narrowed by a reader to a single
value (:class:`kennzahlen.attack.Attacker`).

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
left for a plan that still fails after that (a defect, never expected).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .attack import Attacker, Knowledge, highs
from .catalog import Basiszahl, Catalog, Term
from .periods import jahres_stichtag
from .schema import BOOL_TRUE, GESAMTSTADT, TABLES

PRIMAER = "primär"
SEKUNDAER = "sekundär"
NICHT_BEWERTET = "nicht bewertet"
Teil = Literal["Zähler", "Nenner"]


class PlanError(RuntimeError):
    """The plan cannot protect every sensitive value (never publish then)."""


# ---------------------------------------------------------------------------- atoms
def base_key(bz: Basiszahl, periodizitaet: str, jahr: str) -> tuple[str, str, str]:
    """What a Basiszahl counts in a year's report: (table, kind, period), equal meaning equal key.

    A stock at the end of the year is the same whether the Kennzahl is yearly or a Stichtag
    one; events in the four quarters summed are the events of the year, and events "year to
    date" on 31.12. too.
    """
    r = bz.regel
    if r in ("bestand", "summe"):
        if periodizitaet == "quartal":
            return (bz.tabelle, "summe_quartalsbestaende", jahr)
        return (bz.tabelle, "bestand", jahres_stichtag(jahr))
    if r == "ereignisse" or (r == "jahr_bis_stichtag" and periodizitaet != "quartal"):
        return (bz.tabelle, "ereignisse", jahr)
    if r == "jahr_bis_stichtag":
        return (bz.tabelle, "summe_quartale_seit_jahresbeginn", jahr)
    if periodizitaet == "quartal":
        return (bz.tabelle, "summe_quartale_im_verlauf", jahr)
    return (bz.tabelle, "im_verlauf", jahr)


def _domain(table: str, col: str) -> tuple:
    column = TABLES[table].column(col)
    if column.kind == "bool":
        return (True, False)
    if column.kind == "int":
        if column.min_value is None or column.max_value is None:
            raise PlanError(f"Spalte '{col}' in '{table}' hat keinen Wertebereich (min/max)")
        return tuple(range(column.min_value, column.max_value + 1))
    return tuple(column.codes)


def _value_set(table: str, col: str, value: object) -> frozenset:
    """The domain values a catalog filter value selects."""
    dom = _domain(table, col)
    if isinstance(value, dict):
        lo, hi = value.get("min", -math.inf), value.get("max", math.inf)
        return frozenset(v for v in dom if lo <= v <= hi)
    values = value if isinstance(value, list) else [value]
    kind = TABLES[table].column(col).kind
    if kind == "bool":
        return frozenset(v if isinstance(v, bool) else str(v).lower() in BOOL_TRUE for v in values)
    if kind == "int":
        return frozenset(int(v) for v in values)
    return frozenset(str(v).lower() for v in values)


@dataclass
class _Base:
    """One counted quantity (table, kind, period) and the classes its filters tell apart."""

    key: tuple[str, str, str]
    columns: list[str] = field(default_factory=list)
    classes: dict[str, list[frozenset]] = field(default_factory=dict)


class AtomModel:
    """The atoms of the published Kennzahlen: disjoint groups of cases per area."""

    def __init__(
        self, catalog: Catalog, uses: Iterable[tuple[Term, str]], jahr: str, raeume: Sequence[str]
    ):
        self.catalog = catalog
        self.jahr = jahr
        self.raeume = list(raeume)  # the areas that add up to Gesamtstadt
        filters: dict[tuple, dict[str, list[frozenset]]] = {}
        for term, periodizitaet in uses:
            bz = catalog.basiszahlen[term.basis]
            key = base_key(bz, periodizitaet, jahr)
            cols = filters.setdefault(key, {})
            for col, value in term.filter.items():
                if col == "sozialraum" and col not in TABLES[bz.tabelle].column_names:
                    continue  # an area filter: handled per area in atoms_of
                cols.setdefault(col, []).append(_value_set(bz.tabelle, col, value))
        self.bases: dict[tuple, _Base] = {}
        for key, cols in sorted(filters.items()):
            base = _Base(key)
            for col in sorted(cols):
                dom = _domain(key[0], col)
                sig: dict[tuple, list] = {}
                for v in dom:
                    sig.setdefault(tuple(v in s for s in cols[col]), []).append(v)
                base.columns.append(col)
                base.classes[col] = [frozenset(vs) for vs in sig.values()]
            self.bases[key] = base
        self.atoms: list[tuple[tuple, str, tuple[int, ...]]] = []
        self._index: dict[tuple, int] = {}
        for key, base in self.bases.items():
            for raum in self.raeume:
                for combo in itertools.product(
                    *(range(len(base.classes[c])) for c in base.columns)
                ):
                    self._index[(key, raum, combo)] = len(self.atoms)
                    self.atoms.append((key, raum, combo))

    def _term_atoms(self, term: Term, periodizitaet: str, raum: str) -> set[int]:
        bz = self.catalog.basiszahlen[term.basis]
        key = base_key(bz, periodizitaet, self.jahr)
        base = self.bases[key]
        raeume = self.raeume if raum == GESAMTSTADT else [raum]
        area_filter = (
            term.filter.get("sozialraum")
            if "sozialraum" not in TABLES[bz.tabelle].column_names
            else None
        )
        if area_filter is not None:
            wanted = {
                str(v) for v in (area_filter if isinstance(area_filter, list) else [area_filter])
            }
            raeume = [r for r in raeume if r in wanted]
        allowed = []
        for col in base.columns:
            if col in term.filter:
                sel = _value_set(bz.tabelle, col, term.filter[col])
                allowed.append([i for i, cl in enumerate(base.classes[col]) if cl <= sel])
            else:
                allowed.append(list(range(len(base.classes[col]))))
        return {
            self._index[(key, r, combo)] for r in raeume for combo in itertools.product(*allowed)
        }

    def atoms_of(self, terms: Sequence[Term], periodizitaet: str, raum: str) -> tuple[int, ...]:
        """The atoms a Zähler or Nenner (a sum of terms) counts in an area (or Gesamtstadt)."""
        out: set[int] = set()
        for t in terms:
            if t.vorzeichen < 0:
                raise PlanError(
                    f"Basiszahl '{t.basis}' mit vorzeichen -1: eine Differenz lässt sich in einem "
                    f"öffentlichen Produkt nicht gegen Rückrechnung schützen"
                )
            part = self._term_atoms(t, periodizitaet, raum)
            if out & part:
                raise PlanError(f"Basiszahl '{t.basis}' zählt Fälle doppelt (Filter überlappen)")
            out |= part
        return tuple(sorted(out))

    def groups(self) -> list[tuple[str, str, tuple[int, ...]]]:
        """Every group of the cross-classification (atoms and margins) per area and Gesamtstadt.

        Returned as (description, area, atoms); the description names table, period and the
        classes, e.g. ``sozialhilfe 2023-12-31 (bestand): leistung=egh_wfbm``.
        """
        out = []
        for key, base in self.bases.items():
            for r in range(len(base.columns) + 1):
                for cols in itertools.combinations(base.columns, r):
                    idx = [base.columns.index(c) for c in cols]
                    for combo in itertools.product(*(range(len(base.classes[c])) for c in cols)):
                        label = _group_label(key, base, cols, combo)
                        per_area = {
                            raum: tuple(
                                sorted(
                                    i
                                    for (k2, r2, cmb), i in self._index.items()
                                    if k2 == key
                                    and r2 == raum
                                    and all(cmb[j] == c for j, c in zip(idx, combo, strict=True))
                                )
                            )
                            for raum in self.raeume
                        }
                        for raum, atoms in per_area.items():
                            out.append((label, raum, atoms))
                        out.append(
                            (
                                label,
                                GESAMTSTADT,
                                tuple(sorted(a for v in per_area.values() for a in v)),
                            )
                        )
        return out


def _group_label(key: tuple, base: _Base, cols: Sequence[str], combo: Sequence[int]) -> str:
    parts = []
    for c, i in zip(cols, combo, strict=True):
        cl = base.classes[c][i]
        vals = sorted(cl, key=str)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in vals) and len(vals) > 2:
            text = f"{vals[0]}–{vals[-1]}"
        else:
            text = "|".join("ja" if v is True else "nein" if v is False else str(v) for v in vals)
        parts.append(f"{c}={text}")
    return f"{key[0]} {key[2]} ({key[1]})" + (": " + ", ".join(parts) if parts else "")


# ---------------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class Eintrag:
    """One published count: a Kennzahl part in one area, its terms and its value (None: no value)."""

    kennzahl: str
    teil: Teil
    raum: str
    terms: tuple[Term, ...]
    periodizitaet: str
    wert: float | None


@dataclass
class Zelle:
    """One distinct published count (several places may show it) and what the plan decided."""

    atoms: tuple[int, ...]
    wert: float
    orte: list[tuple[str, str, str]]  # (kennzahl, teil, raum)
    status: str = "wert"  # wert | klein | gesperrt | frei
    grund: str = ""
    regel: str = ""
    intervall: tuple[float | None, float | None] = (None, None)
    verdeckt: bool = False  # a small count shown as 'x' (status 'gesperrt'), not as '<k'


@dataclass
class Gruppe:
    """A sensitive group that is no published cell (its value follows from the cells)."""

    beschreibung: str
    raum: str
    atoms: tuple[int, ...]
    wert: float
    intervall: tuple[float | None, float | None] = (None, None)


@dataclass
class Plan:
    """What one public audience gets for a period: the status of every published count."""

    jahr: str
    k: int
    null_sichtbar: bool
    zellen: list[Zelle]
    orte: dict[tuple[str, str, str], int | None]  # place -> index into zellen (None: no value)
    gruppen: list[Gruppe]
    sekunden: float = 0.0
    _mit_intervallen: bool = False

    def zelle(self, kennzahl: str, teil: str, raum: str) -> Zelle | None:
        """The cell shown at a place (None: no value there)."""
        i = self.orte.get((kennzahl, teil, raum))
        return None if i is None else self.zellen[i]

    def status(self, kennzahl: str, teil: str, raum: str) -> str:
        """'wert', 'klein', 'gesperrt', 'frei' (not rated) or 'leer' (no value)."""
        z = self.zelle(kennzahl, teil, raum)
        return "leer" if z is None else z.status

    def sichtbar(self, kennzahl: str, teil: str, raum: str) -> bool:
        """True when the count is shown as a number."""
        return self.status(kennzahl, teil, raum) == "wert"

    def attacker(self) -> Attacker:
        """The attacker over everything this plan publishes."""
        return _attacker(self.zellen, self.k, self.null_sichtbar)

    def hidden(self) -> list[Zelle]:
        """The hidden cells (primary '<k', small counts shown as 'x', and Gegensperrungen)."""
        return [z for z in self.zellen if z.status in ("klein", "gesperrt")]

    def intervalle(self) -> Plan:
        """Compute (once) the interval a reader can believe for every hidden cell and group."""
        if not self._mit_intervallen:
            att = self.attacker()
            for z in self.zellen:
                if z.status in ("klein", "gesperrt", "frei"):
                    z.intervall = att.interval(z.atoms)
            for g in self.gruppen:
                g.intervall = att.interval(g.atoms)
            self._mit_intervallen = True
        return self


def _small(v: float, k: int, null_sichtbar: bool) -> bool:
    return (1 <= v <= k - 1) or (not null_sichtbar and v == 0)


def _gelesen(z: Zelle) -> str:
    """What the plan's attacker assumes a reader knows of a cell (the status of its Knowledge).

    A small count shown as 'x' (``verdeckt``) is any whole number >= 0 to a reader. Every other
    'x' is taken as 0 or >= k: as if a reader could tell a Gegensperrung from a small count
    shown as 'x' – more than the symbols say, so the plan errs on the safe side.
    """
    return "frei" if z.verdeckt else z.status


def _attacker(zellen: Sequence[Zelle], k: int, null_sichtbar: bool) -> Attacker:
    return Attacker(
        [
            Knowledge(z.atoms, _gelesen(z), z.wert if z.status == "wert" else None)  # type: ignore[arg-type]
            for z in zellen
        ],
        k,
        null_sichtbar,
    )


def _cost(z: Zelle) -> float:
    return len(z.orte) * (1.0 + z.wert)


def _zeige(z: Zelle) -> None:
    z.status, z.grund, z.regel, z.verdeckt = "wert", "", "", False


def _sperre(z: Zelle) -> None:
    z.status, z.grund, z.verdeckt = "gesperrt", SEKUNDAER, False
    z.regel = "Gegensperrung: sonst wäre eine kleine Anzahl aus anderen veröffentlichten Zahlen errechenbar"


def _klein_text(k: int, null_sichtbar: bool) -> str:
    return f"Anzahl zwischen 1 und {k - 1}" if null_sichtbar else f"Anzahl unter {k}"


def _klein(z: Zelle, k: int, null_sichtbar: bool) -> None:
    z.status, z.grund, z.verdeckt = "klein", PRIMAER, False
    z.regel = f"{_klein_text(k, null_sichtbar)} (Mindestfallzahl k = {k})"


def _verdecke(z: Zelle, k: int, null_sichtbar: bool) -> None:
    z.status, z.grund, z.verdeckt = "gesperrt", PRIMAER, True
    z.regel = (
        f"{_klein_text(k, null_sichtbar)}, als Sperrung gezeigt: mit „<{k}“ an dieser Stelle ergäben "
        f"schon die Zeichen der anderen Zahlen den genauen Wert"
    )


class _Zeugen:
    """Witnesses: whole tables that agree with everything published, kept per group of atoms.

    A witness in which a value differs from the truth proves that a reader cannot pin that
    value down. Hiding a cell keeps every witness valid; showing a cell keeps those that give
    it its true value. So most checks need no solver run. Every witness is checked exactly
    (whole numbers, every published count of its group) before it is kept: a certificate,
    independent of the solver's tolerances.
    """

    def __init__(self, zellen: list[Zelle], k: int, null_sichtbar: bool):
        self.zellen, self.k, self.null_sichtbar = zellen, k, null_sichtbar
        self.att = _attacker(zellen, k, null_sichtbar)  # fixes the groups (independent of status)
        self.root = {a: self.att.component(a) for z in zellen for a in z.atoms}
        self.members: dict[int, list[Zelle]] = {}
        for z in zellen:
            if z.atoms:
                self.members.setdefault(self.root[z.atoms[0]], []).append(z)
        self.tables: dict[int, list[dict[int, int]]] = {}
        self._fresh = True

    def changed(self) -> None:
        """Statuses changed: the next solver run needs a new attacker."""
        self._fresh = False

    def group(self, atoms: Sequence[int]) -> int:
        return self.root[atoms[0]]

    @staticmethod
    def value(table: dict[int, int], atoms: Sequence[int]) -> int:
        return sum(table[a] for a in atoms)

    def witnessed(self, atoms: Sequence[int], wert: float) -> bool:
        """True when a kept witness gives ``atoms`` another value than ``wert``."""
        return any(
            abs(self.value(t, atoms) - wert) > 0.5 for t in self.tables.get(self.group(atoms), [])
        )

    def search(self, atoms: Sequence[int], wert: float) -> bool:
        """Ask the attacker for a witness; keep it. False: the value is disclosed.

        A table the solver offers that fails the exact check counts as no witness (the plan
        then protects the value further instead of trusting a rounded solution).
        """
        if self.witnessed(atoms, wert):
            return True
        if not self._fresh:
            self.att = _attacker(self.zellen, self.k, self.null_sichtbar)
            self._fresh = True
        table = self.att.witness(atoms, wert)
        if table is None or not self.valid(table):
            return False
        self.add(table)
        return True

    def add(self, table: dict[int, int]) -> None:
        self.tables.setdefault(self.group(list(table)), []).append(table)

    def fits(self, table: dict[int, int], z: Zelle) -> bool:
        """Exact check of one published count: the table's value agrees with its symbol."""
        v = self.value(table, z.atoms)
        st = _gelesen(z)
        if st == "wert":
            return v == round(z.wert)
        if st == "klein":
            return (1 if self.null_sichtbar else 0) <= v <= self.k - 1
        if st == "gesperrt":
            return v == 0 or v >= self.k if self.null_sichtbar else v >= self.k
        return True

    def valid(self, table: dict[int, int]) -> bool:
        """Exact check: the table agrees with every published count of its group."""
        if not table or any(v < 0 for v in table.values()):
            return False
        return all(self.fits(table, z) for z in self.members.get(self.group(list(table)), []))

    def keep(self, z: Zelle) -> None:
        """``z`` changed status: drop the witnesses of its group that no longer agree with it."""
        g = self.group(z.atoms)
        self.tables[g] = [t for t in self.tables.get(g, []) if self.fits(t, z)]
        self.changed()


def build_plan(
    eintraege: Sequence[Eintrag],
    catalog: Catalog,
    jahr: str,
    raeume: Sequence[str],
    k: int = 3,
    null_sichtbar: bool = True,
    nicht_bewertet: Iterable[str] = (),
    feinschliff: bool = True,
) -> Plan:
    """Decide for every published count of a period whether it is shown, as described above.

    ``raeume``: the areas that add up to Gesamtstadt (Sozialräume and 'ohne Zuordnung');
    ``nicht_bewertet``: areas whose cells are not published at all ('nicht bewertet');
    ``feinschliff``: try every hidden cell visible again (fewer hidden cells).
    The intervals of the audit are computed on demand (:meth:`Plan.intervalle`).
    """
    import time

    t0 = time.perf_counter()
    model = AtomModel(
        catalog, [(t, e.periodizitaet) for e in eintraege for t in e.terms], jahr, raeume
    )
    frei = set(nicht_bewertet)
    zellen: list[Zelle] = []
    by_atoms: dict[tuple[int, ...], int] = {}
    orte: dict[tuple[str, str, str], int | None] = {}
    for e in eintraege:
        ort = (e.kennzahl, e.teil, e.raum)
        if e.wert is None or (isinstance(e.wert, float) and math.isnan(e.wert)):
            orte[ort] = None
            continue
        atoms = model.atoms_of(e.terms, e.periodizitaet, e.raum)
        if not atoms:
            orte[ort] = None
            continue
        i = by_atoms.get(atoms)
        if i is None:
            i = by_atoms[atoms] = len(zellen)
            zellen.append(Zelle(atoms, float(e.wert), []))
        elif abs(zellen[i].wert - float(e.wert)) > 1e-6:
            a, b = zellen[i].orte[0], ort
            raise PlanError(
                f"{a[0]} ({a[1]}, {a[2]}) und {b[0]} ({b[1]}, {b[2]}) zählen dieselben Fälle, "
                f"aber verschieden: {zellen[i].wert:g} und {float(e.wert):g}"
            )
        zellen[i].orte.append(ort)
        orte[ort] = i
    for z in zellen:
        if any(r in frei for _, _, r in z.orte):
            z.status, z.grund, z.regel = (
                "frei",
                NICHT_BEWERTET,
                "Gebiet nicht bewertet (zu wenige Einwohner*innen)",
            )
        elif _small(z.wert, k, null_sichtbar):
            _klein(z, k, null_sichtbar)
    zeugen = _Zeugen(zellen, k, null_sichtbar)
    gruppen = _sensitive_groups(model, zellen, k, null_sichtbar, zeugen.root)
    targets: list[tuple[tuple[int, ...], float]] = [
        (z.atoms, z.wert) for z in zellen if _small(z.wert, k, null_sichtbar)
    ] + [(g.atoms, g.wert) for g in gruppen]
    for runde in range(3):
        _secure(zellen, targets, zeugen)
        if feinschliff and runde == 0:
            _prune(zellen, targets, zeugen)
        offen = _offen(zellen, targets, zeugen)
        if not offen:
            break
    else:  # cannot happen: hiding a whole group protects every value in it (see _protect)
        names = [z.orte[0] for z in zellen if z.atoms == offen[0][0]]
        where = f", z. B. {names[0][0]} ({names[0][1]}, {names[0][2]})" if names else ""
        raise PlanError(
            f"Geheimhaltung {jahr}: {len(offen)} Wert(e) wären trotz Sperrung errechenbar{where}"
        )
    return Plan(jahr, k, null_sichtbar, zellen, orte, gruppen, round(time.perf_counter() - t0, 3))


def _secure(
    zellen: list[Zelle], targets: list[tuple[tuple[int, ...], float]], zeugen: _Zeugen
) -> None:
    """Protect every sensitive value, then show again what protects nothing."""
    for atoms, wert in targets:
        if not zeugen.search(atoms, wert):
            _protect(zellen, atoms, wert, zeugen)
    # a Gegensperrung a reader can pin down anyway protects nothing: show it (every table that
    # agrees with the rest gives it its true value, so showing it tells a reader nothing new)
    for z in zellen:
        if z.status == "gesperrt" and not z.verdeckt and not zeugen.search(z.atoms, z.wert):
            _zeige(z)
            zeugen.keep(z)


def _offen(
    zellen: list[Zelle], targets: list[tuple[tuple[int, ...], float]], zeugen: _Zeugen
) -> list[tuple[tuple[int, ...], float]]:
    """The sensitive values and hidden cells without an exactly checked witness (disclosed)."""
    checks = list(targets) + [
        (z.atoms, z.wert) for z in zellen if z.status in ("klein", "gesperrt")
    ]
    return [(a, w) for a, w in checks if not zeugen.search(a, w)]


def _sensitive_groups(
    model: AtomModel, zellen: list[Zelle], k: int, null_sichtbar: bool, root: dict[int, int]
) -> list[Gruppe]:
    """Groups of the cross-classification whose value follows from the cells and is small.

    A group whose atoms lie in several independent parts (no published count links them) is
    split into those parts: the sum is small only if every non-empty part is small, and a
    part that can vary makes the sum vary.
    """
    if not zellen:
        return []
    cell_sets = {z.atoms for z in zellen}
    cand: dict[int, list[tuple[str, str, tuple[int, ...]]]] = {}
    for d, r, at in model.groups():
        if not at or any(x not in root for x in at):
            continue  # an atom in no published count: the group's value does not follow
        parts: dict[int, list[int]] = {}
        for x in at:
            parts.setdefault(root[x], []).append(x)
        for g, part in parts.items():
            if tuple(part) not in cell_sets:
                cand.setdefault(g, []).append((d, r, tuple(part)))
    out, seen = [], set()
    for g, groups in sorted(cand.items()):
        rows = [z for z in zellen if z.atoms and root[z.atoms[0]] == g]
        atoms = sorted({x for z in rows for x in z.atoms})
        col = {x: j for j, x in enumerate(atoms)}
        a = np.zeros((len(rows), len(atoms)))
        for i, z in enumerate(rows):
            a[i, [col[x] for x in z.atoms]] = 1.0
        m = np.zeros((len(atoms), len(groups)))
        for j, (_, _, at) in enumerate(groups):
            m[[col[x] for x in at], j] = 1.0
        lam, *_ = np.linalg.lstsq(a.T, m, rcond=None)
        resid = np.abs(a.T @ lam - m).max(axis=0)
        werte = np.array([z.wert for z in rows]) @ lam
        for j, (d, r, at) in enumerate(groups):
            if resid[j] > 1e-7 or at in seen:
                continue
            w = float(round(werte[j]))
            if _small(w, k, null_sichtbar):
                seen.add(at)
                out.append(Gruppe(d, r, at, w))
    return out


def _protect(zellen: list[Zelle], target: tuple[int, ...], wert: float, zeugen: _Zeugen) -> None:
    """Hide the cheapest further cells so that a second table differs in ``target`` by one.

    The second table becomes a witness. Variables: the atoms of the target's group (whole
    numbers in a box around the data), per shown cell a binary "hide" (cost) and, for the
    rule "x = 0 or >= k", a binary per hidden or hideable cell.

    When no choice of shown cells helps (the '<k' marks alone give the value away, e.g. two
    '<3' areas whose total is '<3': 1 + 1 = 2), a second run may also show small counts as
    'x' (a binary per '<k' cell, priced above hiding every shown cell of the group, so it is
    used only where hiding cannot help). That run always has a solution: with every count of
    the group hidden, adding one case to the target is consistent with all that is left.
    """
    g = zeugen.group(target)
    members = [i for i, z in enumerate(zellen) if z.atoms and zeugen.group(z.atoms) == g]
    best = _protect_milp(zellen, members, target, wert, zeugen, verdecken=False)
    if best is None:
        best = _protect_milp(zellen, members, target, wert, zeugen, verdecken=True)
    if (
        best is None
    ):  # solver trouble only: hide the whole group, the pruning shows back what it can
        hide = [i for i in members if zellen[i].status == "wert"]
        cover = [i for i in members if zellen[i].status == "klein"]
        table = None
    else:
        hide, cover, table = best
    for i in hide:
        _sperre(zellen[i])
    for i in cover:
        _verdecke(zellen[i], zeugen.k, zeugen.null_sichtbar)
    zeugen.changed()
    if table is not None and zeugen.valid(table):
        zeugen.add(table)


def _protect_milp(
    zellen: list[Zelle],
    members: list[int],
    target: tuple[int, ...],
    wert: float,
    zeugen: _Zeugen,
    verdecken: bool,
) -> tuple[list[int], list[int], dict[int, int]] | None:
    """The cheapest cells to hide (and, with ``verdecken``, '<k' cells to show as 'x')."""
    k, null_sichtbar = zeugen.k, zeugen.null_sichtbar
    lo_klein = 1.0 if null_sichtbar else 0.0
    atoms = sorted({a for i in members for a in zellen[i].atoms})
    col = {a: j for j, a in enumerate(atoms)}
    cap = {a: math.inf for a in atoms}
    for i in members:
        for a in zellen[i].atoms:
            cap[a] = min(cap[a], zellen[i].wert)
    slack = 2.0 * k + 2.0
    cap = {a: c + slack for a, c in cap.items()}
    visible = [i for i in members if zellen[i].status == "wert"]
    disj = (
        [i for i in members if _gelesen(zellen[i]) in ("gesperrt", "wert")] if null_sichtbar else []
    )
    klein = [i for i in members if zellen[i].status == "klein"]
    cover = klein if verdecken else []
    n, nz, nw, ne = len(atoms), len(visible), len(disj), len(cover)
    nvar = n + nz + nw + ne
    ub: list[np.ndarray] = []
    bub: list[float] = []

    def row(i: int) -> np.ndarray:
        r = np.zeros(nvar)
        r[[col[a] for a in zellen[i].atoms]] = 1.0
        return r

    def big(i: int) -> float:
        return float(sum(cap[a] for a in zellen[i].atoms))

    for j, i in enumerate(visible):  # |A y - v| <= D z
        r = row(i)
        d = big(i) + zellen[i].wert
        r1 = r.copy()
        r1[n + j] = -d
        r2 = -r
        r2[n + j] = -d
        ub += [r1, r2]
        bub += [zellen[i].wert, -zellen[i].wert]
    for i in members:
        if _gelesen(zellen[i]) == "klein" and i not in cover:
            r = row(i)
            ub += [r, -r]
            bub += [k - 1.0, -lo_klein]
        elif not null_sichtbar and _gelesen(zellen[i]) in ("gesperrt", "wert"):
            ub.append(-row(i))
            bub.append(-float(k))
    for j, i in enumerate(disj):  # 0 or >= k
        r = row(i)
        r1 = r.copy()
        r1[n + nz + j] = -big(i)
        r2 = -r
        r2[n + nz + j] = float(k)
        ub += [r1, r2]
        bub += [0.0, 0.0]
    for j, i in enumerate(
        cover
    ):  # '<k' unless shown as 'x' (e = 1): lo (1 - e) <= A y <= k - 1 + M e
        r = row(i)
        r1 = r.copy()
        r1[n + nz + nw + j] = -big(i)
        r2 = -r
        r2[n + nz + nw + j] = -lo_klein
        ub += [r1, r2]
        bub += [k - 1.0, -lo_klein]
    t = np.zeros(nvar)
    t[[col[a] for a in target]] = 1.0
    cost = np.zeros(nvar)
    for j, i in enumerate(visible):
        cost[n + j] = _cost(zellen[i])
    weight = 1.0 + sum(
        _cost(zellen[i]) for i in visible
    )  # showing '<k' as 'x' only where hiding cannot help
    for j, i in enumerate(cover):
        cost[n + nz + nw + j] = weight * _cost(zellen[i])
    bounds = [(0.0, cap[a]) for a in atoms] + [(0.0, 1.0)] * (nz + nw + ne)
    best = None
    for s in (1.0, -1.0):
        if wert + s < 0:
            continue
        res = highs(
            cost,
            A_ub=np.array(ub),
            b_ub=np.array(bub),
            A_eq=np.array([t]),
            b_eq=np.array([wert + s]),
            bounds=bounds,
            integrality=np.ones(nvar),
        )
        if res.status == 0 and (best is None or res.fun < best.fun - 1e-9):
            best = res
    if best is None:
        return None
    hide = [i for j, i in enumerate(visible) if best.x[n + j] > 0.5]
    shown_as_x = [i for j, i in enumerate(cover) if best.x[n + nz + nw + j] > 0.5]
    return hide, shown_as_x, {a: int(round(best.x[col[a]])) for a in atoms}


def _prune(
    zellen: list[Zelle], targets: list[tuple[tuple[int, ...], float]], zeugen: _Zeugen
) -> None:
    """Try every hidden cell shown again (most costly first): a Gegensperrung as its number, a
    small count shown as 'x' as '<k' again; keep what leaves every value protected."""
    k, null_sichtbar = zeugen.k, zeugen.null_sichtbar
    kandidaten = sorted(
        (z for z in zellen if z.status == "gesperrt" and not z.verdeckt), key=_cost, reverse=True
    )
    kandidaten += sorted((z for z in zellen if z.verdeckt), key=_cost, reverse=True)
    for z in kandidaten:
        g = zeugen.group(z.atoms)
        kept = list(zeugen.tables.get(g, []))
        saved = (z.status, z.grund, z.regel, z.verdeckt)
        if z.verdeckt:
            _klein(z, k, null_sichtbar)
        else:
            _zeige(z)
        zeugen.keep(z)
        checks = [(a, w) for a, w in targets if zeugen.group(a) == g] + [
            (o.atoms, o.wert)
            for o in zellen
            if o.status in ("klein", "gesperrt") and zeugen.group(o.atoms) == g
        ]
        if not all(zeugen.search(a, w) for a, w in checks):
            z.status, z.grund, z.regel, z.verdeckt = saved
            zeugen.changed()
            extra = [t for t in zeugen.tables.get(g, []) if t not in kept]
            zeugen.tables[g] = kept + extra


# ---------------------------------------------------------------------------- audit
def interval_text(v: float | None) -> str:
    """An interval bound for the audit ('' for unbounded)."""
    return "" if v is None else str(int(round(v)))


def plan_summary(plan: Plan) -> dict[str, int]:
    """Counts of the plan: places shown, hidden primary (of them shown as 'x') and secondary,
    not rated, sensitive groups."""
    out = {
        "orte": 0,
        "primaer": 0,
        "primaer_als_x": 0,
        "sekundaer": 0,
        "nicht_bewertet": 0,
        "leer": 0,
    }
    for i in plan.orte.values():
        if i is None:
            out["leer"] += 1
            continue
        out["orte"] += 1
        z = plan.zellen[i]
        st = z.status
        if st == "klein" or z.verdeckt:
            out["primaer"] += 1
            out["primaer_als_x"] += z.verdeckt
        elif st == "gesperrt":
            out["sekundaer"] += 1
        elif st == "frei":
            out["nicht_bewertet"] += 1
    out["gruppen"] = len(plan.gruppen)
    return out


def plan_frame(plan: Plan) -> pd.DataFrame:
    """One row per place (kennzahl, teil, raum) with status and, where hidden, the reader's interval."""
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


__all__ = [
    "AtomModel",
    "Eintrag",
    "Gruppe",
    "Plan",
    "PlanError",
    "Zelle",
    "base_key",
    "build_plan",
    "interval_text",
    "plan_frame",
    "plan_summary",
]
