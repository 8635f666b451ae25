"""Protecting the sensitive values of a plan: witnesses, the MILP that hides the fewest cells,
pruning."""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from kennzahlen.disclosure.atoms import (
    AtomModel,
    Gruppe,
    Lift,
    Zelle,
    _attacker,
    _cost,
    _gelesen,
    _klein,
    _small,
    _sperre,
    _verdecke,
    _zeige,
)
from kennzahlen.disclosure.attack import _MIP_TOL, highs

#: the atoms of a group in one of several publications checked together (see disclosure_plan)


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
        waehlbar = _frei_waehlbar(z) and z.status == "gesperrt" and not z.verdeckt
        if waehlbar and not zeugen.search(z.atoms, z.wert):
            _zeige(z)
            zeugen.keep(z)


def _frei_waehlbar(z: Zelle) -> bool:
    """True when the plan may still change what ``z`` shows (not a count of an earlier
    publication, not hidden because an earlier one hid it)."""
    return not (z.fest or z.vorgesperrt)


def _offen(
    zellen: list[Zelle], targets: list[tuple[tuple[int, ...], float]], zeugen: _Zeugen
) -> list[tuple[tuple[int, ...], float]]:
    """The sensitive values and hidden cells without an exactly checked witness (disclosed)."""
    checks = list(targets) + [
        (z.atoms, z.wert) for z in zellen if z.status in ("klein", "gesperrt")
    ]
    return [(a, w) for a, w in checks if not zeugen.search(a, w)]


def _candidate_groups(
    model: AtomModel, zellen: list[Zelle], root: dict[int, int], lift: Lift | None = None
) -> dict[int, list[tuple[str, str, tuple[int, ...]]]]:
    """Per independent part (``root``): the groups whose atoms all lie in published counts and
    that are not a published cell themselves (``lift``: the atoms of a group in one publication
    of several checked together)."""
    cell_sets = {z.atoms for z in zellen}
    cand: dict[int, list[tuple[str, str, tuple[int, ...]]]] = {}
    for d, r, at in model.groups():
        at = lift(at) if lift is not None else at
        if not at or any(x not in root for x in at):
            continue  # an atom in no published count: the group's value does not follow
        parts: dict[int, list[int]] = {}
        for x in at:
            parts.setdefault(root[x], []).append(x)
        for g, part in parts.items():
            if tuple(part) not in cell_sets:
                cand.setdefault(g, []).append((d, r, tuple(part)))
    return cand


def _sensitive_groups(
    model: AtomModel,
    zellen: list[Zelle],
    k: int,
    null_sichtbar: bool,
    root: dict[int, int],
    lift: Lift | None = None,
) -> list[Gruppe]:
    """Groups of the cross-classification whose value follows from the cells and is small.

    A group whose atoms lie in several independent parts (no published count links them) is
    split into those parts: the sum is small only if every non-empty part is small, and a
    part that can vary makes the sum vary.
    """
    if not zellen:
        return []
    cand = _candidate_groups(model, zellen, root, lift)
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
        hide = [i for i in members if zellen[i].status == "wert" and not zellen[i].fest]
        cover = [i for i in members if zellen[i].status == "klein" and not zellen[i].fest]
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
    atoms = sorted({a for i in members for a in zellen[i].atoms})
    col = {a: j for j, a in enumerate(atoms)}
    cap = {a: math.inf for a in atoms}
    for i in members:
        for a in zellen[i].atoms:
            cap[a] = min(cap[a], zellen[i].wert)
    slack = 2.0 * k + 2.0
    cap = {a: c + slack for a, c in cap.items()}
    visible = [i for i in members if zellen[i].status == "wert" and not zellen[i].fest]
    disj = (
        [
            i
            for i in members
            if _gelesen(zellen[i]) == "gesperrt" or (i in visible and not zellen[i].fest)
        ]
        if null_sichtbar
        else []
    )
    klein = [i for i in members if zellen[i].status == "klein" and not zellen[i].fest]
    cover = klein if verdecken else []
    n, nz, nw, ne = len(atoms), len(visible), len(disj), len(cover)
    nvar = n + nz + nw + ne
    ub, bub = _milp_rows(zellen, members, (visible, disj, cover), col, cap, nvar, zeugen)
    t = np.zeros(nvar)
    t[[col[a] for a in target]] = 1.0
    cost = np.zeros(nvar)
    for j, i in enumerate(visible):
        cost[n + j] = _cost(zellen[i])
    # showing '<k' as 'x' only where hiding cannot help
    weight = 1.0 + sum(_cost(zellen[i]) for i in visible)
    for j, i in enumerate(cover):
        cost[n + nz + nw + j] = weight * _cost(zellen[i])
    bounds = [(0.0, cap[a]) for a in atoms] + [(0.0, 1.0)] * (nz + nw + ne)
    best = _solve(cost, ub, bub, t, wert, bounds)
    if best is None:
        return None
    x = best[1]
    hide = [i for j, i in enumerate(visible) if x[n + j] > 0.5]
    shown_as_x = [i for j, i in enumerate(cover) if x[n + nz + nw + j] > 0.5]
    return hide, shown_as_x, {a: int(round(x[col[a]])) for a in atoms}


def _milp_rows(
    zellen: list[Zelle],
    members: list[int],
    groups: tuple[list[int], list[int], list[int]],
    col: dict[int, int],
    cap: dict[int, float],
    nvar: int,
    zeugen: _Zeugen,
) -> tuple[list[np.ndarray], list[float]]:
    """The rows A_ub, b_ub of the MILP: shown or hidden (z), '0 or >= k' (w), '<k' or 'x' (e)."""
    k, null_sichtbar = zeugen.k, zeugen.null_sichtbar
    lo_klein = 1.0 if null_sichtbar else 0.0
    visible, disj, cover = groups
    n, nz, nw = len(col), len(visible), len(disj)
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
        for sign, bound in _fixed_bounds(zellen[i], i in cover, k, null_sichtbar):
            ub.append(sign * row(i))
            bub.append(bound)
    for j, i in enumerate(disj):  # 0 or >= k
        r = row(i)
        r1 = r.copy()
        r1[n + nz + j] = -big(i)
        r2 = -r
        r2[n + nz + j] = float(k)
        ub += [r1, r2]
        bub += [0.0, 0.0]
    # '<k' unless shown as 'x' (e = 1): lo (1 - e) <= A y <= k - 1 + M e
    for j, i in enumerate(cover):
        r = row(i)
        r1 = r.copy()
        r1[n + nz + nw + j] = -big(i)
        r2 = -r
        r2[n + nz + nw + j] = -lo_klein
        ub += [r1, r2]
        bub += [k - 1.0, -lo_klein]
    return ub, bub


def _fixed_bounds(z: Zelle, cover: bool, k: int, null_sichtbar: bool) -> list[tuple[float, float]]:
    """Rows ``sign * A y <= bound`` of a count whose symbol the MILP does not choose: shown by an
    earlier publication (its value), '<k' (1 to k-1), an 'x' where zeros are not shown (>= k)."""
    if z.fest and z.status == "wert":  # an earlier publication showed it
        return [(1.0, z.wert), (-1.0, -z.wert)]
    if _gelesen(z) == "klein" and not cover:
        return [(1.0, k - 1.0), (-1.0, -(1.0 if null_sichtbar else 0.0))]
    if not null_sichtbar and _gelesen(z) in ("gesperrt", "wert"):
        return [(-1.0, -float(k))]
    return []


#: solved protection problems of this process: digest of the MILP (costs, rows, target, value,
#: bounds) -> the cheaper solution of its two MILPs (None: neither has one). HiGHS answers the
#: same problem the same way; a process that decides the same plan again (the tests' many demo
#: pools, an analyst's shell) poses the same problems again. At most this many kept.
GRENZE_GESCHUETZT = 4096
_GESCHUETZT: OrderedDict[bytes, tuple[float, np.ndarray] | None] = OrderedDict()


def _schluessel(cost, ub, bub, t, wert: float, bounds) -> bytes:
    """A digest of everything the two MILPs of :func:`_solve` are made of."""
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((len(cost), len(ub), float(wert), _MIP_TOL)).encode())
    for a in (cost, ub, bub, t, bounds):
        arr = np.asarray(a, dtype="float64")
        h.update(repr(arr.shape).encode() + arr.tobytes())
    return h.digest()


def _solve(cost, ub, bub, t, wert: float, bounds) -> tuple[float, np.ndarray] | None:
    """The cheaper of the two MILPs that move the target by +1 and by -1 (objective and
    solution; None: neither has one)."""
    key = _schluessel(cost, ub, bub, t, wert, bounds)
    if key in _GESCHUETZT:
        _GESCHUETZT.move_to_end(key)
        return _GESCHUETZT[key]
    nvar = len(cost)
    best: tuple[float, np.ndarray] | None = None
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
        if res.status != 0 or res.x is None or res.fun is None:
            continue
        if best is None or res.fun < best[0] - 1e-9:
            best = (float(res.fun), res.x)
    _GESCHUETZT[key] = best
    while len(_GESCHUETZT) > GRENZE_GESCHUETZT:
        _GESCHUETZT.popitem(last=False)
    return best


def _prune(
    zellen: list[Zelle], targets: list[tuple[tuple[int, ...], float]], zeugen: _Zeugen
) -> None:
    """Try every hidden cell shown again (most costly first): a Gegensperrung as its number, a
    small count shown as 'x' as '<k' again; keep what leaves every value protected."""
    k, null_sichtbar = zeugen.k, zeugen.null_sichtbar
    waehlbar = [z for z in zellen if _frei_waehlbar(z)]
    kandidaten = sorted(
        (z for z in waehlbar if z.status == "gesperrt" and not z.verdeckt), key=_cost, reverse=True
    )
    kandidaten += sorted((z for z in waehlbar if z.verdeckt), key=_cost, reverse=True)
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
