"""environment.yml (conda users) names the same packages and pins as pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins(specs: list[str]) -> dict[str, str]:
    out = {}
    for spec in specs:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", spec.strip())
        assert m, f"not pinned exactly: {spec!r}"
        out[m.group(1).lower()] = m.group(2)
    return out


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = _pins(project["dependencies"]) | _pins(project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    got = _pins([p for p in pip if not p.startswith("-e")])
    assert got == wanted


def test_required_packages_are_there():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    names = set(_pins(project["dependencies"]) | _pins(project["optional-dependencies"]["dev"]))
    for required in (
        "jupyterlab",
        "pandas",
        "seaborn",
        "papermill",
        "nbconvert",
        "pytest",
        "nbval",
    ):
        assert required in names


def test_pre_commit_pins_agree_with_pyproject():
    """The hooks of .pre-commit-config.yaml use the same ruff and nbformat as the project."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = _pins(project["dependencies"]) | _pins(project["optional-dependencies"]["dev"])
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    hooks = [h for repo in config["repos"] for h in repo["hooks"]]
    assert {h["id"] for h in hooks} >= {"ruff", "ruff-format", "notebook-ausgaben"}
    for hook in hooks:
        for name, version in _pins(hook.get("additional_dependencies", [])).items():
            assert wanted[name] == version, (hook["id"], name, version)


def test_the_long_test_files_named_for_scheduling_exist():
    """conftest.LANGE_DATEIEN orders the suite for xdist; a renamed file would drop silently."""
    import conftest

    assert conftest.LANGE_DATEIEN
    for name in conftest.LANGE_DATEIEN:
        assert (ROOT / name).is_file(), name
    assert "--no-loadscope-reorder" in (ROOT / "Makefile").read_text("utf-8")


def test_pytest_auto_takes_one_worker_more_than_cores(monkeypatch):
    """``make test`` runs ``-n auto``: conftest's hook gives one worker more than the cores (the
    suite waits on browsers, kernels and subprocesses); xdist's variable still overrides it."""
    from types import SimpleNamespace

    import conftest

    assert [conftest.worker_zahl(k) for k in (0, 1, 2, 8)] == [2, 2, 3, 9]
    config = SimpleNamespace(option=SimpleNamespace(numprocesses="auto"))
    monkeypatch.delenv(conftest.WORKER_ENV, raising=False)
    monkeypatch.setattr(conftest.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert conftest.pytest_xdist_auto_num_workers(config) == 3
    monkeypatch.setenv(conftest.WORKER_ENV, "2")
    assert conftest.pytest_xdist_auto_num_workers(config) is None  # xdist's hook reads it
    monkeypatch.delenv(conftest.WORKER_ENV)
    config.option.numprocesses = "logical"
    assert conftest.pytest_xdist_auto_num_workers(config) is None
    assert "-n auto" in (ROOT / "Makefile").read_text("utf-8")


def test_the_suite_runs_without_xdist(tmp_path):
    """``pytest -p no:xdist`` (one process, for a debugger) works: conftest's xdist hook is
    optional, so pluggy does not refuse it as an unknown hook when xdist is not loaded."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-q", "-p", "no:cacheprovider",
         "tests/test_environment.py::test_environment_yml_matches_pyproject"],  # fmt: skip
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "1 passed" in r.stdout
