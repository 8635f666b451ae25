"""The parts of a publication plan: atoms (the smallest counts a catalog term adds up), cells,
groups."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from kennzahlen.catalog.model import Basiszahl, Catalog, FilterValue, Term
from kennzahlen.core.periods import jahres_stichtag
from kennzahlen.core.schema import BOOL_TRUE, GESAMTSTADT, TABLES
from kennzahlen.disclosure.attack import Attacker, Knowledge, Status

#: atoms of one publication mapped into the layered model of several (kennzahlen.disclosure.frueher)
Lift = Callable[[tuple[int, ...]], tuple[int, ...]]

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
    date" on 31.12. too; the stocks at the four quarter ends of a year (Euro per case) are the
    quarterly stocks summed.
    """
    r = bz.regel
    if r == "bestand_quartalsenden":  # the same cases as stocks of a quarterly Kennzahl summed
        return (bz.tabelle, "summe_quartalsbestaende", jahr)
    if r == "summe_zeitraum":  # amounts in Euro (kennzahlen.disclosure.betraege)
        return (bz.tabelle, "summe_zeitraum", jahr)
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


def _value_set(table: str, col: str, value: FilterValue) -> frozenset:
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


def _strukturell_null(table: str, base: _Base, combo: Sequence[int]) -> bool:
    """True when the atom's classes are excluded by a structural zero of the schema
    (``schema.Festlegung``: e.g. besondere Wohnform with setting ambulant): every case it could
    hold is refused by the reader, so it is 0 and every reader who knows the law knows it."""
    for f in TABLES[table].festlegungen:
        if f.spalte not in base.columns or f.folge not in base.columns:
            continue
        wenn = base.classes[f.spalte][combo[base.columns.index(f.spalte)]]
        folge = base.classes[f.folge][combo[base.columns.index(f.folge)]]
        if all(str(v) in f.werte for v in wenn) and not any(str(v) in f.erlaubt for v in folge):
            return True
    return False


class AtomModel:
    """The atoms of the published Kennzahlen: disjoint groups of cases per area.

    Atoms excluded by a structural zero of the schema (:func:`_strukturell_null`) are in no
    published count and no group: they are known to be 0 (``strukturelle_nullen=False`` gives
    the model of a reader who does not know the law).
    """

    def __init__(
        self,
        catalog: Catalog,
        uses: Iterable[tuple[Term, str]],
        jahr: str,
        raeume: Sequence[str],
        strukturelle_nullen: bool = True,
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
        self.nullen: set[int] = set()  # atoms that are 0 by definition
        for key, base in self.bases.items():
            for raum in self.raeume:
                for combo in itertools.product(
                    *(range(len(base.classes[c])) for c in base.columns)
                ):
                    if strukturelle_nullen and _strukturell_null(key[0], base, combo):
                        self.nullen.add(len(self.atoms))
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
        } - self.nullen

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
                                    and i not in self.nullen
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
    """One published count: a Kennzahl part in one area, its terms and its value (None: no
    value)."""

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
    fest: bool = False  # a count of an earlier publication: what it showed cannot change
    vorgesperrt: bool = False  # hidden because an earlier publication hid it: never shown again


@dataclass(frozen=True)
class Gezeigt:
    """One place of an earlier publication of the period: its count and what was shown
    (status as in :class:`Zelle`; ``verdeckt``: a small count shown as 'x')."""

    eintrag: Eintrag
    status: str
    verdeckt: bool = False


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
    #: the counts of earlier publications of the period (``fest``), checked together with these
    frueher: list[Zelle] = field(default_factory=list)
    #: its number in the publication ledger (:mod:`kennzahlen.disclosure.veroeffentlichungen`), if
    #: recorded
    nr: int | None = None
    #: tables (atom -> value) known to agree with the plan, its search's witnesses: each is
    #: checked exactly again before :meth:`intervalle` uses it to prove a bound without a MILP
    tabellen: list[dict[int, int]] = field(default_factory=list, repr=False)

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
        """The attacker over everything this plan publishes (and the earlier publications it
        was made with)."""
        if any(not z.atoms for z in self.zellen):
            raise PlanError(
                "Ein aus dem Veröffentlichungsbuch gelesener Plan hat keine Atome: den Plan mit "
                "build_plan neu berechnen, um ihn anzugreifen"
            )
        return _attacker([*self.zellen, *self.frueher], self.k, self.null_sichtbar)

    def hidden(self) -> list[Zelle]:
        """The hidden cells (primary '<k', small counts shown as 'x', and Gegensperrungen)."""
        return [z for z in self.zellen if z.status in ("klein", "gesperrt")]

    def intervalle(self) -> Plan:
        """Compute (once) the interval a reader can believe for every hidden cell and group."""
        if not self._mit_intervallen:
            att = self.attacker()
            for t in self.tabellen:
                att.kenne(t)
            for z in self.zellen:
                if z.status in ("klein", "gesperrt", "frei"):
                    z.intervall = att.interval(z.atoms)
            for g in self.gruppen:
                g.intervall = att.interval(g.atoms)
            self._mit_intervallen = True
        return self


def _small(v: float, k: int, null_sichtbar: bool) -> bool:
    return (1 <= v <= k - 1) or (not null_sichtbar and v == 0)


#: a cell's status as the attacker reads it; any other status (an earlier publication's empty
#: place, 'leer') tells a reader nothing, like 'frei'
_GELESEN: dict[str, Status] = {s: s for s in get_args(Status)}


def _gelesen(z: Zelle) -> Status:
    """What the plan's attacker assumes a reader knows of a cell (the status of its Knowledge).

    A small count shown as 'x' (``verdeckt``) is any whole number >= 0 to a reader. Every other
    'x' is taken as 0 or >= k: as if a reader could tell a Gegensperrung from a small count
    shown as 'x' – more than the symbols say, so the plan errs on the safe side.
    """
    return "frei" if z.verdeckt else _GELESEN.get(z.status, "frei")


def _attacker(zellen: Sequence[Zelle], k: int, null_sichtbar: bool) -> Attacker:
    return Attacker(
        [Knowledge(z.atoms, _gelesen(z), z.wert if z.status == "wert" else None) for z in zellen],
        k,
        null_sichtbar,
    )


def _cost(z: Zelle) -> float:
    return len(z.orte) * (1.0 + z.wert)


def _zeige(z: Zelle) -> None:
    z.status, z.grund, z.regel, z.verdeckt = "wert", "", "", False


def _sperre(z: Zelle) -> None:
    z.status, z.grund, z.verdeckt = "gesperrt", SEKUNDAER, False
    z.regel = (
        "Gegensperrung: sonst wäre eine kleine Anzahl aus anderen veröffentlichten Zahlen "
        "errechenbar"
    )


def _klein_text(k: int, null_sichtbar: bool) -> str:
    return f"Anzahl zwischen 1 und {k - 1}" if null_sichtbar else f"Anzahl unter {k}"


def _klein(z: Zelle, k: int, null_sichtbar: bool) -> None:
    z.status, z.grund, z.verdeckt = "klein", PRIMAER, False
    z.regel = f"{_klein_text(k, null_sichtbar)} (Mindestfallzahl k = {k})"


def _vorsperre(z: Zelle, k: int, null_sichtbar: bool) -> None:
    """``z`` was hidden by an earlier publication of the period: it stays hidden ('<k' when it is
    small now, else 'x'), so that two publications side by side give nothing back."""
    z.vorgesperrt = True
    if z.status != "wert":
        return
    z.status, z.grund, z.verdeckt = "gesperrt", SEKUNDAER, False
    z.regel = "früher nicht ausgewiesen: eine einmal verborgene Zahl bleibt verborgen"


def _verdecke(z: Zelle, k: int, null_sichtbar: bool) -> None:
    z.status, z.grund, z.verdeckt = "gesperrt", PRIMAER, True
    z.regel = (
        f"{_klein_text(k, null_sichtbar)}, als Sperrung gezeigt: mit „<{k}“ an dieser Stelle "
        f"ergäben schon die Zeichen der anderen Zahlen den genauen Wert"
    )


def zellen_bilden(
    eintraege: Sequence[Eintrag], model: AtomModel, lift: Lift | None = None
) -> tuple[list[Zelle], dict[tuple[str, str, str], int | None]]:
    """One cell per distinct set of atoms, with every place it is published; a place without a
    value or atoms maps to None. Two places counting the same cases differently: PlanError."""
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
        atoms = lift(atoms) if lift is not None else atoms
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
    return zellen, orte
