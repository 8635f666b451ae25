"""The attacker's solved problems kept per process (kennzahlen.disclosure.attack._GELOEST): the
same problem gets HiGHS's own answer again, any other problem a new solve."""

from __future__ import annotations

import pytest

from kennzahlen.disclosure import attack
from kennzahlen.disclosure.attack import Attacker, Knowledge


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """An empty memo, and a list that grows by one per call of HiGHS."""
    monkeypatch.setattr(attack, "_GELOEST", type(attack._GELOEST)())
    calls: list[int] = []
    loese = attack.loese

    def zaehlend(model, c, **kw):
        calls.append(1)
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


def test_the_same_problem_is_solved_once_and_answered_the_same(solves: list[int]) -> None:
    erst = Attacker(_wissen(5)).interval((0,))
    n = len(solves)
    assert n == 2 and erst == (1, 2)
    # another reader's attacker over the same knowledge: no new solve, the same answer
    assert Attacker(_wissen(5)).interval((0,)) == erst
    assert len(solves) == n
    # and the same answer as a fresh solve
    attack._GELOEST.clear()
    assert Attacker(_wissen(5)).interval((0,)) == erst
    assert len(solves) == n + 2


def test_witness_tables_from_the_memo_are_the_solvers(solves: list[int]) -> None:
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
def test_any_other_problem_is_solved_anew(solves: list[int], wissen, erwartet) -> None:
    Attacker(_wissen(5)).interval((0,))
    n = len(solves)
    assert Attacker(wissen).interval((0,)) == erwartet
    assert len(solves) == n + 2


def test_another_target_or_sense_is_solved_anew(solves: list[int]) -> None:
    att = Attacker(_wissen(5))
    att.bound((0,), "min")
    att.bound((0,), "max")
    att.bound((1,), "min")
    att.bound((0, 1), "max")
    assert len(solves) == 4


def test_the_memo_keeps_at_most_its_limit(solves: list[int], monkeypatch) -> None:
    monkeypatch.setattr(attack, "GRENZE_GELOEST", 3)
    for summe in range(5, 10):
        Attacker(_wissen(summe)).interval((0,))
    assert len(attack._GELOEST) == 3
    n = len(solves)
    Attacker(_wissen(9)).bound((0,), "max")  # the newest is kept
    assert len(solves) == n
    Attacker(_wissen(5)).bound((0,), "min")  # the oldest was dropped
    assert len(solves) == n + 1
