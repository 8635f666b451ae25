"""The protection MILPs solved per process (kennzahlen.disclosure.protect._GESCHUETZT): the same
problem gets HiGHS's own answer again, a problem that differs in any part a new solve."""

from __future__ import annotations

import numpy as np
import pytest

from kennzahlen.disclosure import protect


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """An empty memo, and a list that grows by one per call of HiGHS."""
    monkeypatch.setattr(protect, "_GESCHUETZT", type(protect._GESCHUETZT)())
    calls: list[int] = []
    highs = protect.highs

    def zaehlend(c, **kw):
        calls.append(1)
        return highs(c, **kw)

    monkeypatch.setattr(protect, "highs", zaehlend)
    return calls


def _problem() -> dict:
    """Atoms y0, y1 (a '<3' target y0, a shown total y0 + y1 = 5) and z, the 'hide the total'
    binary: |y0 + y1 - 5| <= 20 z."""
    return {
        "cost": np.array([0.0, 0.0, 6.0]),
        "ub": [np.array([1.0, 1.0, -20.0]), np.array([-1.0, -1.0, -20.0])],
        "bub": [5.0, -5.0],
        "t": np.array([1.0, 0.0, 0.0]),
        "wert": 1.0,
        "bounds": [(0.0, 13.0), (0.0, 13.0), (0.0, 1.0)],
    }


def _solve(p: dict):
    return protect._solve(p["cost"], p["ub"], p["bub"], p["t"], p["wert"], p["bounds"])


def test_the_same_problem_is_solved_once(solves: list[int]) -> None:
    erst = _solve(_problem())
    assert erst is not None and len(solves) == 2  # the target moved by +1 and by -1
    wieder = _solve(_problem())
    assert len(solves) == 2
    assert wieder is not None and wieder[0] == erst[0] and np.array_equal(wieder[1], erst[1])
    protect._GESCHUETZT.clear()
    frisch = _solve(_problem())
    assert len(solves) == 4
    assert frisch is not None and frisch[0] == erst[0] and np.array_equal(frisch[1], erst[1])


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.update(cost=np.array([0.0, 0.0, 7.0])),
        lambda p: p.update(ub=[p["ub"][0], np.array([-1.0, -1.0, -21.0])]),
        lambda p: p.update(bub=[6.0, -6.0]),
        lambda p: p.update(t=np.array([0.0, 1.0, 0.0])),
        lambda p: p.update(wert=2.0),
        lambda p: p.update(bounds=[(0.0, 12.0), (0.0, 13.0), (0.0, 1.0)]),
    ],
    ids=["cost", "row", "rhs", "target", "value", "bounds"],
)
def test_any_other_part_is_solved_anew(solves: list[int], change) -> None:
    _solve(_problem())
    n = len(solves)
    p = _problem()
    change(p)
    _solve(p)
    assert len(solves) > n


def test_no_solution_is_kept_too(solves: list[int]) -> None:
    p = _problem()
    p["ub"] = [np.array([1.0, 1.0, 0.0]), np.array([-1.0, -1.0, 0.0])]  # the total stays 5
    p["t"] = np.array([1.0, 1.0, 0.0])  # and the target is the total: it cannot move
    p["wert"] = 5.0
    assert _solve(p) is None and len(solves) == 2
    assert _solve(p) is None and len(solves) == 2


def test_the_memo_keeps_at_most_its_limit(solves: list[int], monkeypatch) -> None:
    monkeypatch.setattr(protect, "GRENZE_GESCHUETZT", 2)
    for wert in (1.0, 2.0, 3.0):
        p = _problem()
        p["wert"] = wert
        _solve(p)
    assert len(protect._GESCHUETZT) == 2
    n = len(solves)
    _solve(_problem())  # wert 1: the oldest, dropped
    assert len(solves) > n
