"""HiGHS called directly: the model scipy's ``linprog(method="highs")`` hands to HiGHS, without
scipy's per-call Python layer.

The disclosure plan poses thousands of small MILPs (a first report of Produkt 3 on the small demo:
about 1,500). ``linprog`` checks and converts its inputs, builds a sparse matrix, sets each option
through a checker object and reads the duals of every column on each call: about 30 % of a
solve. :class:`Model` builds the same ``HighsLp`` (same column-wise matrix, bounds, rows and
integrality) once, and each :meth:`Model.solve` only sets the objective and runs HiGHS with the
options ``linprog`` passes (``tests/test_solver.py`` holds the answers equal to ``linprog``'s:
status, solution and objective, bit for bit). The feasibility check ``linprog`` makes on HiGHS's
answer is made the same way (:func:`_status`).

HiGHS comes with scipy (``scipy.optimize._highspy``, scipy 1.15 and later; scipy is pinned): when
that module is missing, :class:`Model` falls back to ``linprog`` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: scipy's HiGHS bindings, by their module name
HIGHS_KERN = "scipy.optimize._highspy._core"


def _highs_kern() -> Any:
    """scipy's own build of HiGHS (the highspy bindings it ships, ``HIGHS_KERN``).

    Importing it the usual way runs ``scipy.optimize``'s ``__init__`` first, which imports all of
    scipy.optimize (and scipy.sparse, scipy.linalg): about 0.33 s of CPU in every process that
    plans or reads a publication (a run's parent, each kernel of Produkt 3), for one extension
    module that needs none of it (0.02 s). So the module is loaded from its file in scipy's
    package folder, under its own name (an ``import scipy.optimize`` later finds it there and
    uses this one). Where scipy.optimize is imported already, or the file is not where it is
    expected, it is imported the usual way."""
    import sys

    if HIGHS_KERN in sys.modules:
        return sys.modules[HIGHS_KERN]
    if "scipy.optimize" not in sys.modules:
        try:
            return _aus_datei()
        except Exception:  # noqa: BLE001, S110 - the usual import says what is wrong
            sys.modules.pop(HIGHS_KERN, None)
    from scipy.optimize._highspy import _core  # type: ignore[import-not-found]

    return _core


def _aus_datei() -> Any:
    """``HIGHS_KERN`` loaded from its file without its parent packages' ``__init__`` (but
    scipy's own, which is small)."""
    import importlib.machinery
    import importlib.util
    import sys
    from pathlib import Path

    import scipy

    ordner = Path(scipy.__file__).parent / "optimize" / "_highspy"
    datei = next(
        p
        for endung in importlib.machinery.EXTENSION_SUFFIXES
        if (p := ordner / f"_core{endung}").is_file()
    )
    spec = importlib.util.spec_from_file_location(HIGHS_KERN, datei)
    if spec is None or spec.loader is None:
        raise ImportError(HIGHS_KERN)
    modul = importlib.util.module_from_spec(spec)
    sys.modules[HIGHS_KERN] = modul
    spec.loader.exec_module(modul)
    return modul


try:
    _hc = _highs_kern()
except ImportError:  # pragma: no cover - another scipy: linprog is used
    _hc = None

#: linprog's check of a solution: sqrt(tol) * 10 with its default tol of 1e-9
_TOL = float(np.sqrt(1e-9) * 10)


@dataclass
class Result:
    """What the project reads of a solve: linprog's status code (0 optimal, 1 time or iteration
    limit, 2 infeasible, 3 unbounded, 4 other), the solution and the objective (None without)."""

    status: int
    x: np.ndarray | None
    fun: float | None
    message: str = ""

    @property
    def success(self) -> bool:
        return self.status == 0


def available() -> bool:
    """True when HiGHS can be called directly (else :class:`Model` uses linprog)."""
    return _hc is not None


_STATUS: dict[Any, int] = {}
_OPTIONS: dict[tuple[float, float, bool], Any] = {}


def _status_codes() -> dict[Any, int]:
    """linprog's mapping of HiGHS's model status to its status code."""
    if not _STATUS:
        m = _hc.HighsModelStatus
        _STATUS.update(
            {
                m.kNotset: 4,
                m.kLoadError: 4,
                m.kModelError: 2,
                m.kPresolveError: 4,
                m.kSolveError: 4,
                m.kPostsolveError: 4,
                m.kModelEmpty: 4,
                m.kObjectiveBound: 4,
                m.kObjectiveTarget: 4,
                m.kOptimal: 0,
                m.kTimeLimit: 1,
                m.kIterationLimit: 1,
                m.kInfeasible: 2,
                m.kUnbounded: 3,
                m.kUnboundedOrInfeasible: 4,
            }
        )
    return _STATUS


def _options(time_limit: float, mip_feasibility_tolerance: float, presolve: bool) -> Any:
    """The options linprog passes to HiGHS (its defaults, dual simplex, no output), built once."""
    key = (float(time_limit), float(mip_feasibility_tolerance), bool(presolve))
    opt = _OPTIONS.get(key)
    if opt is None:
        opt = _hc.HighsOptions()
        opt.presolve = "on" if presolve else "off"
        opt.time_limit = key[0]
        opt.highs_debug_level = _hc.HighsDebugLevel.kHighsDebugLevelNone
        opt.log_to_console = False
        opt.output_flag = False
        opt.simplex_strategy = int(_hc.simplex_constants.SimplexStrategy.kSimplexStrategyDual)
        opt.mip_feasibility_tolerance = key[1]
        _OPTIONS[key] = opt
    return opt


class Model:
    """One LP/MILP's constraints, given once: ``a_ub x <= b_ub``, ``a_eq x = b_eq``,
    ``lb <= x <= ub``, x integral where ``integrality`` is non-zero (linprog's arguments)."""

    def __init__(
        self,
        a_ub: np.ndarray | None,
        b_ub: np.ndarray | None,
        a_eq: np.ndarray | None,
        b_eq: np.ndarray | None,
        bounds: np.ndarray,
        integrality: np.ndarray | None,
    ):
        bounds = np.asarray(bounds, dtype=float)
        n = bounds.shape[0]
        a_ub = np.empty((0, n)) if a_ub is None else np.asarray(a_ub, dtype=float).reshape(-1, n)
        a_eq = np.empty((0, n)) if a_eq is None else np.asarray(a_eq, dtype=float).reshape(-1, n)
        b_ub = np.empty(0) if b_ub is None else np.asarray(b_ub, dtype=float).reshape(-1)
        b_eq = np.empty(0) if b_eq is None else np.asarray(b_eq, dtype=float).reshape(-1)
        self.n = n
        self.n_ub = len(b_ub)
        self.lb = bounds[:, 0].copy()
        self.ub = bounds[:, 1].copy()
        self.rhs = np.concatenate((b_ub, b_eq))
        self.mip = integrality is not None and bool(np.any(integrality))
        self._lp = None
        if _hc is None:  # pragma: no cover - linprog's arguments kept instead
            self._args = (a_ub, b_ub, a_eq, b_eq, bounds, integrality if self.mip else None)
            return
        a = np.vstack((a_ub, a_eq))
        # the column-wise matrix scipy's csc_array makes of a dense one (nonzeros, rows sorted)
        cols, rows = np.nonzero(a.T)
        start = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(cols, minlength=n), out=start[1:])
        lp = _hc.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = a.shape[0]
        lp.a_matrix_.num_col_ = n
        lp.a_matrix_.num_row_ = a.shape[0]
        lp.a_matrix_.format_ = _hc.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = rows.astype(np.int32)
        lp.a_matrix_.value_ = a.T[cols, rows]
        lp.col_lower_ = self.lb
        lp.col_upper_ = self.ub
        lp.row_lower_ = np.concatenate((np.full(self.n_ub, -np.inf), b_eq))
        lp.row_upper_ = self.rhs
        if self.mip:
            kinds = np.broadcast_to(np.asarray(integrality).astype(np.uint8), (n,))
            lp.integrality_ = [_hc.HighsVarType(int(i)) for i in kinds]
        self._lp = lp

    def solve(
        self,
        c: np.ndarray,
        time_limit: float,
        mip_feasibility_tolerance: float = 1e-6,
        presolve: bool = False,
        relax: bool = False,
    ) -> Result:
        """Minimise ``c x``. ``relax``: the LP relaxation (integrality dropped)."""
        if self._lp is None:  # pragma: no cover
            return _linprog(c, self._args, time_limit, mip_feasibility_tolerance, presolve, relax)
        lp = self._lp
        lp.col_cost_ = np.asarray(c, dtype=float)
        mip = self.mip and not relax
        if relax and self.mip:
            saved = lp.integrality_
            lp.integrality_ = []
        h = _hc._Highs()
        codes = _status_codes()
        try:
            if h.passOptions(_options(time_limit, mip_feasibility_tolerance, presolve)) == (
                _hc.HighsStatus.kError
            ):
                return Result(codes.get(h.getModelStatus(), 4), None, None, "options")
            if h.passModel(lp) == _hc.HighsStatus.kError:
                return Result(2, None, None, "model error")
        finally:
            if relax and self.mip:
                lp.integrality_ = saved
        if h.run() == _hc.HighsStatus.kError:
            return Result(codes.get(h.getModelStatus(), 4), None, None, "run error")
        ms = h.getModelStatus()
        info = h.getInfo()
        limits = (
            _hc.HighsModelStatus.kTimeLimit,
            _hc.HighsModelStatus.kIterationLimit,
            _hc.HighsModelStatus.kSolutionLimit,
        )
        if mip:
            fail = ms != _hc.HighsModelStatus.kOptimal and not (
                ms in limits and info.objective_function_value != _hc.kHighsInf
            )
        else:
            fail = ms != _hc.HighsModelStatus.kOptimal
        status = codes.get(ms, 4)
        message = h.modelStatusToString(ms)
        if fail:
            return Result(status, None, None, message)
        sol = h.getSolution()
        x = np.array(sol.col_value)
        fun = info.objective_function_value
        return Result(_status(self, status, x, fun, np.array(sol.row_value)), x, fun, message)


def _status(model: Model, status: int, x: np.ndarray, fun: float, row_value: np.ndarray) -> int:
    """linprog's check of HiGHS's answer: a solution outside the bounds or rows by more than its
    tolerance turns 'optimal' into 4."""
    resid = model.rhs - row_value
    slack, con = resid[: model.n_ub], resid[model.n_ub :]
    if np.isnan(x).any() or np.isnan(fun) or np.isnan(resid).any():
        feasible = False
    else:
        in_bounds = bool(np.all((x >= model.lb - _TOL) & (x <= model.ub + _TOL)))
        rows_ok = status == 3 or not ((slack < -_TOL).any() or (np.abs(con) > _TOL).any())
        feasible = in_bounds and rows_ok
    return 4 if status == 0 and not feasible else status


def _linprog(
    c: np.ndarray,
    args: tuple,
    time_limit: float,
    mip_feasibility_tolerance: float,
    presolve: bool,
    relax: bool,
) -> Result:  # pragma: no cover - only without scipy's HiGHS module
    import warnings

    from scipy.optimize import OptimizeWarning, linprog

    a_ub, b_ub, a_eq, b_eq, bounds, integrality = args
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)
        res = linprog(
            c,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=bounds,
            integrality=None if relax else integrality,
            method="highs",
            options={  # type: ignore[call-overload]
                "mip_feasibility_tolerance": mip_feasibility_tolerance,
                "presolve": presolve,
                "time_limit": time_limit,
            },
        )
    return Result(int(res.status), res.x, None if res.x is None else float(res.fun), res.message)


def linprog_model(
    n: int,
    A_ub: Any = None,  # noqa: N803 - linprog's names
    b_ub: Any = None,
    A_eq: Any = None,  # noqa: N803
    b_eq: Any = None,
    bounds: Sequence[tuple[float, float]] | np.ndarray | None = None,
    integrality: Any = None,
) -> Model:
    """The :class:`Model` of linprog's arguments for ``n`` variables (``bounds`` None: every
    variable >= 0; a single pair: the same for every variable)."""
    if bounds is None:
        b = np.tile([0.0, np.inf], (n, 1))
    else:
        b = np.atleast_2d(np.asarray(bounds, dtype=float))
        if b.shape != (n, 2):
            b = np.tile(b.reshape(-1)[:2], (n, 1))
        b = b.copy()
        b[np.isnan(b[:, 0]), 0] = -np.inf
        b[np.isnan(b[:, 1]), 1] = np.inf
    return Model(A_ub, b_ub, A_eq, b_eq, b, integrality)


__all__ = ["Model", "Result", "available", "linprog_model"]
