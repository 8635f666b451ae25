"""The attacker's solved problems kept per process (kennzahlen.disclosure.attack._GELOEST, and the
optimum values proven without a MILP, _WERTE): the same problem gets HiGHS's own answer again, any
other problem a new solve. An optimum proven by the LP relaxation and a known table is the
MILP's optimum."""

from __future__ import annotations

import numpy as np
import pytest

from kennzahlen.disclosure import attack
from kennzahlen.disclosure.attack import Attacker, Knowledge


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Empty memos, and a list that grows by one per call of HiGHS ('mip' or 'lp')."""
    monkeypatch.setattr(attack, "_GELOEST", type(attack._GELOEST)())
    monkeypatch.setattr(attack, "_WERTE", type(attack._WERTE)())
    calls: list[str] = []
    loese = attack.loese

    def zaehlend(model, c, **kw):
        calls.append("lp" if kw.get("relax") else "mip")
        return loese(model, c, **kw)

    monkeypatch.setattr(attack, "loese", zaehlend)
    return calls


def _wissen(summe: float, zweite: str = "gesperrt") -> list[Knowledge]:
    # a '<3', b an 'x' (0 or >= 3), a + b published; c + b published too
    return [
        Knowledge((0,), "klein"),
        Knowledge((1,), zweite),  # type: ignore[arg-type]
        Knowledge((0, 1), "wert", summe),
        Knowledge((1, 2), "wert", 9),
    ]


def test_the_same_problem_is_solved_once_and_answered_the_same(solves: list[str]) -> None:
    erst = Attacker(_wissen(5)).interval((0,))
    n = len(solves)
    assert solves[0] == "mip" and erst == (1, 2)
    # another reader's attacker over the same knowledge: no new solve, the same answer
    assert Attacker(_wissen(5)).interval((0,)) == erst
    assert len(solves) == n
    # and the same answer as a fresh solve
    attack._GELOEST.clear()
    attack._WERTE.clear()
    assert Attacker(_wissen(5)).interval((0,)) == erst
    assert len(solves) == 2 * n


def test_witness_tables_from_the_memo_are_the_solvers(solves: list[str]) -> None:
    frisch = Attacker(_wissen(5)).witness((0,), 1)
    behalten = Attacker(_wissen(5)).witness((0,), 1)
    assert frisch == behalten and frisch is not None
    assert frisch[0] != 1  # a table with another value for the target
    assert frisch[0] + frisch[1] == 5 and frisch[1] + frisch[2] == 9


@pytest.mark.parametrize(
    ("wissen", "erwartet"),
    [
        (_wissen(4), (1, 1)),  # another published sum: b = 3, a = 1 (disclosed)
        (_wissen(5, "frei"), (1, 2)),  # another symbol of b: a new problem, the same interval
        (_wissen(5)[:3], (1, 2)),  # c + b not published: another component
    ],
)
def test_any_other_problem_is_solved_anew(solves: list[str], wissen, erwartet) -> None:
    Attacker(_wissen(5)).interval((0,))
    n = len(solves)
    assert Attacker(wissen).interval((0,)) == erwartet
    assert solves[n] == "mip"  # a new group knows no table yet: its first bound is a MILP
    assert len(solves) >= n + 2


def test_another_target_or_sense_is_solved_anew(solves: list[str]) -> None:
    att = Attacker(_wissen(5))
    for target, sense in [((0,), "min"), ((0,), "max"), ((1,), "min"), ((0, 1), "max")]:
        n = len(solves)
        att.bound(target, sense)  # type: ignore[call-overload]
        assert len(solves) > n, (target, sense)


def test_the_memo_keeps_at_most_its_limit(solves: list[str], monkeypatch) -> None:
    monkeypatch.setattr(attack, "GRENZE_GELOEST", 3)
    for summe in range(5, 10):
        Attacker(_wissen(summe)).interval((0,))
    assert len(attack._GELOEST) <= 3 and len(attack._WERTE) <= 3
    n = len(solves)
    Attacker(_wissen(9)).bound((0,), "max")  # the newest is kept
    assert len(solves) == n
    Attacker(_wissen(5)).bound((0,), "min")  # the oldest was dropped
    assert len(solves) == n + 1


def _zufall(rng) -> list[Knowledge]:
    """A random publication over 6 atoms: counts shown, '<3', 'x' and unrated, from a true table."""
    wahr = rng.integers(0, 7, 6)
    out = []
    for _ in range(int(rng.integers(4, 9))):
        atoms = tuple(sorted(rng.choice(6, size=int(rng.integers(1, 4)), replace=False).tolist()))
        v = float(wahr[list(atoms)].sum())
        if 1 <= v <= 2:
            out.append(Knowledge(atoms, "klein"))
        else:
            status = rng.choice(["wert", "wert", "gesperrt", "frei"])
            out.append(Knowledge(atoms, status, v if status == "wert" else None))
    return out


@pytest.mark.parametrize("null_sichtbar", [True, False])
def test_an_optimum_proven_without_a_milp_is_the_milps(null_sichtbar: bool) -> None:
    """optimum() (LP bound + a known table) against solve() (always the MILP), on random
    publications: every bound of every group of atoms the same."""
    rng = np.random.default_rng(24)
    bewiesen = 0
    for _ in range(25):
        wissen = _zufall(rng)
        if not null_sichtbar:
            wissen = [w for w in wissen if w.status != "klein"]
        try:
            att = Attacker(wissen, null_sichtbar=null_sichtbar)
            att.interval(wissen[0].atoms)
        except attack.AttackError:
            continue  # a '0 or >= 3' the true table breaks (rows drawn at random)
        for target in [(a,) for a in range(6)] + [w.atoms for w in wissen]:
            if any(a not in att._root for a in target):
                continue
            for root, part in att._parts(target).items():
                model = att._model(root)
                for sense in (1, -1):
                    n = len(attack._WERTE)
                    value = model.optimum(part, sense)
                    bewiesen += len(attack._WERTE) > n
                    c, key = model._objective(part, sense)
                    assert value == float(round(sense * model._mip(c, key)[0], 6))
    assert bewiesen > 20  # the proof was used, not only the MILP


def test_a_known_table_is_used_only_if_it_agrees_exactly(solves: list[str]) -> None:
    """Attacker.kenne: a table that agrees with every published symbol proves a bound (no MILP);
    one that breaks a symbol is not kept, and the bound comes from the MILP."""
    wissen = _wissen(5)  # a '<3', b 'x', a + b = 5, b + c = 9
    att = Attacker(wissen)
    att.kenne({0: 1, 1: 4, 2: 5})  # a = 1 (min of a): agrees
    assert att.bound((0,), "min") == 1
    assert solves == ["lp"]
    falsch = Attacker(_wissen(5))
    attack._WERTE.clear()
    falsch.kenne({0: 0, 1: 5, 2: 4})  # a = 0 breaks '<3' (1 or 2)
    assert falsch.bound((0,), "min") == 1
    assert solves[1:] == ["mip"]


def test_groups_of_atoms_follow_the_cells_atoms() -> None:
    """The groups of atoms are kept per sequence of cells' atoms (attack._STRUKTUREN): another
    linking of the same atoms gets its own groups; other symbols and values the same groups."""
    getrennt = [Knowledge((0,), "wert", 1), Knowledge((1,), "wert", 2)]
    verbunden = [Knowledge((0,), "wert", 1), Knowledge((0, 1), "wert", 3)]
    a = Attacker(getrennt)
    assert a.component(0) != a.component(1)
    b = Attacker(verbunden)
    assert b.component(0) == b.component(1)
    assert Attacker(getrennt).component(0) != Attacker(getrennt).component(1)
    anders = [Knowledge((0,), "klein"), Knowledge((0, 1), "gesperrt")]
    c = Attacker(anders)
    assert c.component(0) == c.component(1)
    assert c.interval((0,)) == (1, 2) and b.interval((1,)) == (2, 2)
