"""The attacker: what a reader can still believe about a hidden count, by linear programming.

A reader of the public reports sees counts (``wert``), small counts shown as ``<k`` (``klein``:
1 to k-1), Gegensperrungen shown as ``x`` (``gesperrt``: 0 or at least k) and cells about which
the reader knows nothing but "a whole number >= 0" (``frei``: "nicht bewertet", or a small
count shown as ``x`` because ``<k`` there would give it away, see
:mod:`kennzahlen.disclosure.plan`). A reader cannot tell the two kinds of ``x`` apart; the
attacker is told which is which, so it knows more than any reader. Every published count is a
sum of *atoms*: disjoint groups of cases, so every relation that holds by definition (rows add
to the total, the same group in two tables, complementary filters) is part of the model.

For a hidden count the attacker computes the smallest and the largest value that agrees with
everything published: a mixed-integer linear programme solved by HiGHS, posed as
``scipy.optimize.linprog`` would pose it (:mod:`kennzahlen.disclosure.solver`; atoms are whole
numbers >= 0; a Gegensperrung is modelled exactly as "0 or >= k" with one binary variable).
The attacker is at least as strong as a reader:

* whole numbers (integrality) and non-negativity are used;
* the disjunction "0 or >= k" of a Gegensperrung is used exactly (it is not relaxed to
  ">= 0");
* each atom is capped by the smallest published count that contains it (a reader knows
  this too); an atom in no published count gets a large cap, and an interval that reaches
  it is reported as unbounded (``None``).

A value is *disclosed* when min = max.
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import os
import sys
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np

from kennzahlen.disclosure.solver import Model, Result, linprog_model

Status = Literal["wert", "klein", "gesperrt", "frei"]
#: HiGHS option: how far from a whole number an integer variable may be (default 1e-6). The
#: big-M rows of an ``x`` multiply it by the cell's cap, so a tight tolerance keeps
#: "0 or >= k" exact for caps up to about 10^7.
_MIP_TOL = 1e-6
#: HiGHS's presolve for the attacker's problems: 1.6-2.8x less CPU per solve on Produkt 3's plans.
#: The attacker is asked for optimum values (an interval, whether a witness exists); the
#: solution it returns serves only as a witness table, checked exactly before it is kept. The
#: optimum does not depend on the solver's path, so the plans and intervals stay the same
#: (benchmarks/vergleich.py). The protection MILPs (protect.py) choose which cells to hide from
#: their solution, so they keep linprog's way (presolve off).
_PRESOLVE = True


def _fflush() -> None:
    try:
        ctypes.CDLL(None).fflush(None)  # C stdio buffers (HiGHS writes with printf)
    except (OSError, AttributeError):
        pass


@contextmanager
def quiet() -> Iterator[None]:
    """Send what native code writes to the process's stdout (file descriptor 1) to nowhere.

    HiGHS's MIP solver prints a stray debug line ("HighsMipSolverData::transformNew…")
    even with its output switched off; in a report run ipykernel forwards file descriptor 1
    into the notebook, so the line would appear in a public report.
    """
    try:
        saved = os.dup(1)
    except OSError:  # no stdout at all
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
        _fflush()
        os.dup2(devnull, 1)
        try:
            yield
        finally:
            _fflush()
            os.dup2(saved, 1)
    finally:
        os.close(saved)
        os.close(devnull)


def loese(model: Model, c: np.ndarray, presolve: bool = False, relax: bool = False) -> Result:
    """Minimise ``c x`` over ``model`` with HiGHS: the project's options, no output (the one place
    HiGHS runs; ``relax``: the LP relaxation).

    Each optimisation may take ``solver_zeitlimit_sekunden`` of ``config/disclosure.yaml``;
    beyond, :class:`SolverZeitlimit` stops the report (never a plan from an unfinished search).
    """
    from kennzahlen.disclosure.config import load_config

    limit = load_config().solver_zeitlimit_sekunden
    with quiet():
        res = model.solve(c, limit, _MIP_TOL, presolve=presolve, relax=relax)
    if res.status == 1:  # no iteration limit is set: HiGHS ran out of time
        raise SolverZeitlimit(
            f"Die Geheimhaltung (Optimierung mit HiGHS) hat ihr Zeitlimit von {limit:g} s "
            "überschritten (solver_zeitlimit_sekunden in config/disclosure.yaml); der Bericht "
            "wurde nicht erstellt. Das Zeitlimit erhöhen oder den Bericht auf einem schnelleren "
            "Rechner erzeugen."
        )
    return res


def highs(c: np.ndarray, **kwargs: Any) -> Result:
    """:func:`loese` with ``scipy.optimize.linprog``'s arguments (``A_ub``, ``b_ub``, ``A_eq``,
    ``b_eq``, ``bounds``, ``integrality``): HiGHS's answer as linprog gives it."""
    c = np.atleast_1d(np.asarray(c, dtype=float).squeeze())
    return loese(linprog_model(len(c), **kwargs), c)


#: solved attacker problems of this process: digest of (constraints, objective) -> (optimum, the
#: solution's atom values). HiGHS answers the same problem the same way, and a plan's search, its
#: check and the reports' audits pose many problems again (on the small demo 913 of 2,194
#: solves of Produkt 3's first report); at most this many kept, least recently used dropped
GRENZE_GELOEST = 8192
_GELOEST: OrderedDict[bytes, tuple[float, np.ndarray]] = OrderedDict()
#: optimum values of this process proven without a MILP (:meth:`_Component.optimum`), same keys
_WERTE: OrderedDict[bytes, float] = OrderedDict()


class AttackError(RuntimeError):
    """The published numbers contradict each other (a bug in the plan) or the solver failed."""


class SolverZeitlimit(AttackError):
    """An optimisation ran longer than ``solver_zeitlimit_sekunden``."""


@dataclass(frozen=True)
class Knowledge:
    """What a reader knows about one published count: its atoms, its symbol and its value."""

    atoms: tuple[int, ...]
    status: Status
    wert: float | None = None

    def gezeigt(self) -> float:
        """The published value of a cell with status ``wert``."""
        if self.wert is None:
            raise AttackError(f"Zelle {self.atoms}: Status {self.status!r} ohne Wert")
        return float(self.wert)


class _Component:
    """The MILP of one connected group of atoms (cells link the atoms they contain)."""

    def __init__(
        self,
        atoms: list[int],
        cells: list[Knowledge],
        k: int,
        null_sichtbar: bool,
        caps: dict[int, float],
    ):
        self.atoms = atoms
        self.col = {a: i for i, a in enumerate(atoms)}
        n = len(atoms)
        gesperrt = [c for c in cells if c.status == "gesperrt"] if null_sichtbar else []
        nb = len(gesperrt)
        self.nvar = n + nb
        eq_rows, eq_b, ub_rows, ub_b = [], [], [], []

        def row(c: Knowledge) -> np.ndarray:
            r = np.zeros(self.nvar)
            for a in c.atoms:
                r[self.col[a]] += 1.0
            return r

        for c in cells:
            if c.status == "wert":
                eq_rows.append(row(c))
                eq_b.append(c.gezeigt())
            elif c.status == "klein":
                r = row(c)
                ub_rows += [r, -r]
                ub_b += [float(k - 1), -(1.0 if null_sichtbar else 0.0)]
            elif c.status == "gesperrt" and not null_sichtbar:
                ub_rows.append(-row(c))  # zeros are '<k' then: an x is at least k
                ub_b.append(-float(k))
        for j, c in enumerate(gesperrt):  # x = 0 or x >= k: x <= M b, x >= k b, b binary
            r = row(c)
            big = float(sum(caps[a] for a in c.atoms))
            r1 = r.copy()
            r1[n + j] = -big
            r2 = -r
            r2[n + j] = float(k)
            ub_rows += [r1, r2]
            ub_b += [0.0, 0.0]
        self.a_eq = np.array(eq_rows) if eq_rows else None
        self.b_eq = np.array(eq_b) if eq_b else None
        self.a_ub = np.array(ub_rows) if ub_rows else None
        self.b_ub = np.array(ub_b) if ub_b else None
        self.bounds = [(0.0, caps[a]) for a in atoms] + [(0.0, 1.0)] * nb
        self.integrality = np.ones(self.nvar)
        self.caps = caps
        self._digest: bytes | None = None
        self._modell: Model | None = None
        self._pruefung(cells, k, null_sichtbar)

    def _pruefung(self, cells: list[Knowledge], k: int, null_sichtbar: bool) -> None:
        """What the exact check of a table needs (:meth:`_keep`): cells x atoms, each cell's
        symbol and value, the atoms' caps; no table known yet."""
        self.k, self.null_sichtbar = k, null_sichtbar
        self._lo_klein = 1.0 if null_sichtbar else 0.0
        self._caps = np.array([self.caps[a] for a in self.atoms])
        self._incidence = np.zeros((len(cells), len(self.atoms)))
        for i, c in enumerate(cells):
            for a in c.atoms:
                self._incidence[i, self.col[a]] += 1.0
        kinds = {"wert": 0, "klein": 1, "gesperrt": 2, "frei": 3}
        self._kind = np.array([kinds[c.status] for c in cells], dtype=int)
        self._value = np.array([c.gezeigt() if c.status == "wert" else 0.0 for c in cells])
        self._tables: list[np.ndarray] = []

    def modell(self) -> Model:
        """The constraints as HiGHS gets them (built once; each solve sets only the objective)."""
        if self._modell is None:
            self._modell = Model(
                self.a_ub, self.b_ub, self.a_eq, self.b_eq, np.array(self.bounds), self.integrality
            )
        return self._modell

    def _problem(self) -> bytes:
        """A digest of the constraints (rows, right-hand sides, bounds, integrality)."""
        if self._digest is None:
            h = hashlib.blake2b(digest_size=20)
            h.update(repr((self.nvar, _MIP_TOL, _PRESOLVE)).encode())
            for a in (self.a_eq, self.b_eq, self.a_ub, self.b_ub):
                h.update(b"-" if a is None else repr(a.shape).encode() + a.tobytes())
            h.update(np.asarray(self.bounds, dtype="float64").tobytes())
            h.update(self.integrality.tobytes())
            self._digest = h.digest()
        return self._digest

    def _objective(self, target: Iterable[int], sense: int) -> tuple[np.ndarray, bytes]:
        c = np.zeros(self.nvar)
        for a in target:
            c[self.col[a]] += sense
        return c, hashlib.blake2b(self._problem() + c.tobytes(), digest_size=20).digest()

    def _mip(self, c: np.ndarray, key: bytes) -> tuple[float, np.ndarray]:
        """The MILP's optimum and solution (atoms), solved once per process."""
        hit = _GELOEST.get(key)
        if hit is None:
            res = loese(self.modell(), c, presolve=_PRESOLVE)
            if res.status != 0 or res.x is None or res.fun is None:
                raise AttackError(f"Angreifer-LP ohne Lösung (Status {res.status}: {res.message})")
            hit = (float(res.fun), np.array(res.x[: len(self.atoms)], dtype="float64"))
            _GELOEST[key] = hit
            while len(_GELOEST) > GRENZE_GELOEST:
                _GELOEST.popitem(last=False)
            self._keep(hit[1])
        else:
            _GELOEST.move_to_end(key)
        return hit

    def solve(self, target: Iterable[int], sense: int) -> tuple[float, dict[int, int]]:
        """min (sense=1) or max (sense=-1) of the sum of ``target`` atoms, and a table attaining
        it."""
        c, key = self._objective(target, sense)
        fun, x = self._mip(c, key)
        table = {a: int(round(x[i])) for i, a in enumerate(self.atoms)}
        return float(round(sense * fun, 6)), table

    def optimum(self, target: Iterable[int], sense: int) -> float:
        """min (sense=1) or max (sense=-1) of the sum of ``target`` atoms.

        Only the value is asked for, so a MILP is often not needed: the LP relaxation bounds the
        optimum (min >= its optimum; the objective is a whole number, so >= the next whole
        number, taken with half a unit to spare against the LP's tolerances), and a table known
        to agree exactly with everything published (a solution of an earlier MILP of this
        group, :meth:`_keep`) that reaches that bound attains it: then the bound is the optimum.
        Otherwise the MILP is solved as :meth:`solve` does.
        """
        c, key = self._objective(target, sense)
        hit = _GELOEST.get(key)
        if hit is not None:
            _GELOEST.move_to_end(key)
            return float(round(sense * hit[0], 6))
        wert = _WERTE.get(key)
        if wert is not None:
            _WERTE.move_to_end(key)
            return wert
        bewiesen = self._by_bound(c)
        if bewiesen is None:
            return float(round(sense * self._mip(c, key)[0], 6))
        wert = float(round(sense * bewiesen, 6))
        _WERTE[key] = wert
        while len(_WERTE) > GRENZE_GELOEST:
            _WERTE.popitem(last=False)
        return wert

    def _by_bound(self, c: np.ndarray) -> float | None:
        """min c x proven by the LP relaxation and a known table (None: not proven)."""
        if not self._tables:
            return None
        res = loese(self.modell(), c, relax=True)
        if res.status != 0 or res.fun is None:
            return None
        bound = math.ceil(res.fun - 0.5)
        ca = c[: len(self.atoms)]
        best = min(float(ca @ t) for t in self._tables)
        return float(bound) if best == bound else None

    def _keep(self, x: np.ndarray) -> None:
        """Keep a MILP solution of this group as a known table if it agrees exactly (whole numbers
        within the caps, every published count's symbol) with everything published."""
        t = np.round(x)
        if len(self._tables) >= 64 or not np.all((t >= 0) & (t <= self._caps)):
            return
        s = self._incidence @ t
        ok = np.where(self._kind == 0, s == self._value, True)
        ok &= np.where(self._kind == 1, (s >= self._lo_klein) & (s <= self.k - 1), True)
        gesperrt = (s == 0) | (s >= self.k) if self.null_sichtbar else s >= self.k
        ok &= np.where(self._kind == 2, gesperrt, True)
        if bool(np.all(ok)):
            self._tables.append(t)


#: the connected groups of atoms of the last few publications (they depend only on which atoms
#: each count holds, not on what it shows: the plan's search asks again after every change)
_STRUKTUREN: OrderedDict[tuple, tuple[list[int], dict[int, int], dict[int, list[int]]]] = (
    OrderedDict()
)


def _struktur(
    cells: Sequence[Knowledge],
) -> tuple[list[int], dict[int, int], dict[int, list[int]]]:
    """The atoms (sorted), each atom's group id and each group's atoms (union-find over the atoms
    of each cell), computed once per sequence of cells' atoms."""
    key = tuple(c.atoms for c in cells)
    hit = _STRUKTUREN.get(key)
    if hit is not None:
        _STRUKTUREN.move_to_end(key)
        return hit
    atoms = sorted({a for c in cells for a in c.atoms})
    parent = {a: a for a in atoms}

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for c in cells:
        if not c.atoms:
            continue
        first = c.atoms[0]
        for a in c.atoms[1:]:
            ra, rb = find(first), find(a)
            if ra != rb:
                parent[rb] = ra
    groups: dict[int, list[int]] = {}
    for a in atoms:
        groups.setdefault(find(a), []).append(a)
    hit = (atoms, {a: find(a) for a in atoms}, groups)
    _STRUKTUREN[key] = hit
    while len(_STRUKTUREN) > 16:
        _STRUKTUREN.popitem(last=False)
    return hit


class Attacker:
    """All published knowledge of one audience and period; intervals of any group of atoms."""

    def __init__(self, cells: Sequence[Knowledge], k: int = 3, null_sichtbar: bool = True):
        self.k = k
        self.null_sichtbar = null_sichtbar
        self.cells = list(cells)
        atoms, self._root, self._groups = _struktur(self.cells)
        visible = [c for c in self.cells if c.status == "wert"]
        werte = [c.gezeigt() for c in visible]
        big = max([1000.0, *(10.0 * v for v in werte)])
        caps = dict.fromkeys(atoms, big)
        for c, v in zip(visible, werte, strict=True):
            for a in c.atoms:
                caps[a] = min(caps[a], v)
        self.caps = caps
        self.big = big
        self._cells_of: dict[int, list[Knowledge]] = {}
        for c in self.cells:
            if c.atoms:
                self._cells_of.setdefault(self._root[c.atoms[0]], []).append(c)
        self._models: dict[int, _Component] = {}

    def _model(self, root: int) -> _Component:
        if root not in self._models:
            self._models[root] = _Component(
                self._groups[root],
                self._cells_of.get(root, []),
                self.k,
                self.null_sichtbar,
                self.caps,
            )
        return self._models[root]

    def kenne(self, table: dict[int, int]) -> None:
        """A table of one group's atoms that may agree with everything published: kept for the
        bounds of that group if it does (checked exactly, :meth:`_Component._keep`)."""
        if any(a not in self._root for a in table):
            return
        roots = {self._root[a] for a in table}
        if len(roots) != 1:
            return
        model = self._model(roots.pop())
        if all(a in table for a in model.atoms):
            model._keep(np.array([table[a] for a in model.atoms], dtype="float64"))

    def _parts(self, target: Iterable[int]) -> dict[int, list[int]]:
        parts: dict[int, list[int]] = {}
        for a in target:
            if a not in self._root:
                raise KeyError(f"Atom {a} kommt in keiner veröffentlichten Zahl vor")
            parts.setdefault(self._root[a], []).append(a)
        return parts

    @overload
    def bound(self, target: Iterable[int], sense: Literal["min"]) -> float: ...
    @overload
    def bound(self, target: Iterable[int], sense: Literal["max"]) -> float | None: ...

    def bound(self, target: Iterable[int], sense: Literal["min", "max"]) -> float | None:
        """The smallest or largest value of the group a reader can believe (None: unbounded)."""
        s = 1 if sense == "min" else -1
        total = 0.0
        for root, part in self._parts(target).items():
            v = self._model(root).optimum(part, s)
            if (
                s == -1
                and v >= sum(self.caps[a] for a in part) - 0.5
                and any(self.caps[a] >= self.big for a in part)
            ):
                return None
            total += v
        return total

    def interval(self, target: Iterable[int]) -> tuple[float, float | None]:
        """(min, max) a reader can believe for the sum of ``target`` atoms (max None: unbounded)."""
        target = list(target)
        return self.bound(target, "min"), self.bound(target, "max")

    def component(self, atom: int) -> int:
        """An id of the group of atoms linked with ``atom`` by published counts."""
        return self._root[atom]

    def witness(self, target: Sequence[int], truth: float) -> dict[int, int] | None:
        """A table (atom values of the target's group) that agrees with everything published
        and gives ``target`` another value than ``truth``; None when there is none (disclosed).

        The target's atoms must lie in one group (:meth:`component`).
        """
        roots = {self._root[a] for a in target}
        if len(roots) != 1:
            raise ValueError("witness: die Atome gehören zu verschiedenen Gruppen")
        model = self._model(roots.pop())
        hi, table = model.solve(target, -1)
        if hi > truth + 0.5:
            return table
        lo, table = model.solve(target, 1)
        if lo < truth - 0.5:
            return table
        return None

    def disclosed(self, target: Iterable[int], truth: float) -> bool:
        """True when a reader can narrow the group to the single value ``truth`` (min = max)."""
        target = list(target)
        hi = self.bound(target, "max")
        if hi is None or hi > truth + 0.5:
            return False
        lo = self.bound(target, "min")
        return not lo < truth - 0.5


__all__ = [
    "AttackError",
    "Attacker",
    "Knowledge",
    "SolverZeitlimit",
    "Status",
    "highs",
    "loese",
    "quiet",
]
