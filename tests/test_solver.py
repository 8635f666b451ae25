"""HiGHS called directly (kennzahlen.disclosure.solver) answers as scipy's linprog does: the same
status, the same solution and the same objective, bit for bit, on the kinds of problems the
disclosure plan poses (MILPs with big-M rows, equalities, boxes; infeasible ones; LPs)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import OptimizeWarning, linprog

from kennzahlen.disclosure import solver
from kennzahlen.disclosure.attack import highs, loese

OPTIONS = {"mip_feasibility_tolerance": 1e-6, "presolve": False, "time_limit": 300.0}


def _linprog(c, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)
        return linprog(c, method="highs", options=OPTIONS, **kw)


def _problem(rng: np.random.Generator, n: int, mip: bool) -> dict:
    """A random problem shaped like the plan's: 0/1 rows over atoms, '<k' boxes, 'x' as
    '0 or >= k' with a binary and big-M, published counts as equalities."""
    atoms, nb = n, max(1, n // 4)
    nvar = atoms + nb
    truth = rng.integers(0, 6, atoms)
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for _ in range(max(1, n // 2)):
        r = np.zeros(nvar)
        r[rng.choice(atoms, size=rng.integers(1, atoms + 1), replace=False)] = 1.0
        a_eq.append(r)
        b_eq.append(float(r[:atoms] @ truth))
    for j in range(nb):
        r = np.zeros(nvar)
        r[rng.choice(atoms, size=2, replace=False)] = 1.0
        up, down = r.copy(), -r
        up[atoms + j], down[atoms + j] = -60.0, 3.0
        a_ub += [up, down]
        b_ub += [0.0, 0.0]
    c = np.zeros(nvar)
    c[rng.choice(atoms, size=rng.integers(1, 4), replace=False)] = rng.choice([-1.0, 1.0])
    return {
        "c": c,
        "A_ub": np.array(a_ub),
        "b_ub": np.array(b_ub),
        "A_eq": np.array(a_eq),
        "b_eq": np.array(b_eq),
        "bounds": [(0.0, 30.0)] * atoms + [(0.0, 1.0)] * nb,
        "integrality": np.ones(nvar) if mip else None,
    }


def _same(ours: solver.Result, theirs) -> None:
    assert ours.status == theirs.status
    if theirs.x is None:
        assert ours.x is None
        return
    assert np.array_equal(ours.x, theirs.x)
    assert ours.fun == theirs.fun


@pytest.mark.parametrize("mip", [True, False])
def test_the_direct_call_gives_linprogs_answer(mip: bool) -> None:
    rng = np.random.default_rng(28)
    for _ in range(60):
        p = _problem(rng, int(rng.integers(3, 14)), mip)
        c = p.pop("c")
        _same(highs(c, **p), _linprog(c, **p))


def test_infeasible_and_unconstrained_problems() -> None:
    # x0 + x1 = 5 with both at most 2: infeasible
    p = {"A_eq": np.array([[1.0, 1.0]]), "b_eq": np.array([5.0]), "bounds": [(0, 2), (0, 2)]}
    c = np.array([1.0, 0.0])
    res = highs(c, integrality=np.ones(2), **p)
    _same(res, _linprog(c, integrality=np.ones(2), **p))
    assert res.status == 2 and res.x is None
    # no rows at all (an attacker's component of one '<k' atom has only its box)
    _same(highs(-c, bounds=[(0, 2), (0, 7)]), _linprog(-c, bounds=[(0, 2), (0, 7)]))
    # default bounds (x >= 0), rows only as inequalities
    p2 = {"A_ub": np.array([[1.0, 2.0]]), "b_ub": np.array([4.0])}
    _same(highs(-c, **p2), _linprog(-c, **p2))


def test_one_model_many_objectives() -> None:
    """A model built once answers each objective as a model built for it alone."""
    rng = np.random.default_rng(7)
    p = _problem(rng, 10, True)
    p.pop("c")
    model = solver.linprog_model(len(p["bounds"]), **p)
    for _ in range(12):
        c = np.zeros(len(p["bounds"]))
        c[rng.choice(10, size=2, replace=False)] = rng.choice([-1.0, 1.0])
        _same(loese(model, c), _linprog(c, **p))


def test_the_relaxation_and_presolve_answer_the_same_optimum() -> None:
    """presolve changes HiGHS's path, not the optimum; the relaxation is the LP."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        p = _problem(rng, 8, True)
        c = p.pop("c")
        model = solver.linprog_model(len(c), **p)
        assert loese(model, c, presolve=True).fun == pytest.approx(loese(model, c).fun, abs=1e-9)
        lp = _linprog(c, **{**p, "integrality": None})
        _same(loese(model, c, relax=True), lp)
