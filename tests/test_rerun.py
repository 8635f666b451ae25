"""An unchanged rerun is decided before pandas is imported (kennzahlen.runner.rerun), and only
then."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_runner import _notebook, _run, manifest
from test_runner import setup as setup  # noqa: F401 - the fixture, reused

from kennzahlen.core import paths
from kennzahlen.core.vocabulary import PRODUKTE
from kennzahlen.runner import batch


def _no_plan(*args, **kwargs):
    raise AssertionError("planned, although nothing changed")


def test_second_run_skips_without_planning(setup, monkeypatch):  # noqa: F811
    first = _run(setup, [1], ["West", "Gesamtstadt"])
    assert [e["status"] for e in first.entries] == ["ok", "ok"]
    runs = json.loads((setup["out"] / "2023-Q4" / "runs.json").read_text("utf-8"))
    assert runs["lauf"]["berichte"] == [[1, "Gesamtstadt"], [1, "West"]]
    monkeypatch.setattr(batch, "plan", _no_plan)
    again = _run(setup, [1], ["West", "Gesamtstadt"])
    assert [e["status"] for e in again.entries] == ["uebersprungen", "uebersprungen"]
    runs = json.loads((setup["out"] / "2023-Q4" / "runs.json").read_text("utf-8"))
    assert {e["status"] for e in runs["reports"]} == {"uebersprungen"}
    assert "West" in (setup["out"] / "2023-Q4" / "index.html").read_text("utf-8")


@pytest.mark.parametrize("change", ["notebook", "pool", "html", "request"])
def test_any_change_takes_the_normal_way(setup, monkeypatch, change):  # noqa: F811
    _run(setup, [1], ["West"])
    if change == "notebook":
        _notebook(setup["nbs"] / PRODUKTE[1].notebook, 'print("neu")')
    elif change == "pool":
        (setup["pool"] / "manifest.json").write_text(manifest("neu"))
    elif change == "html":
        (setup["out"] / "2023-Q4" / "1_sozialstruktur" / "west.html").unlink()
    planned = []
    real_plan = batch.plan
    monkeypatch.setattr(batch, "plan", lambda *a, **k: planned.append(1) or real_plan(*a, **k))
    raeume = ["West", "Gesamtstadt"] if change == "request" else ["West"]
    res = _run(setup, [1], raeume)
    assert planned
    assert "ok" in {e["status"] for e in res.entries}


def test_a_run_with_a_failure_leaves_no_key(setup, monkeypatch):  # noqa: F811
    res = _run(setup, [4], ["Wiblingen", "West"])
    assert len(res.failed) == 1
    runs = json.loads((setup["out"] / "2023-Q4" / "runs.json").read_text("utf-8"))
    assert "lauf" not in runs
    planned = []
    real_plan = batch.plan
    monkeypatch.setattr(batch, "plan", lambda *a, **k: planned.append(1) or real_plan(*a, **k))
    _run(setup, [4], ["Wiblingen", "West"])
    assert planned


def test_unchanged_rerun_imports_no_pandas(setup):  # noqa: F811
    _run(setup, [1], ["West"])
    code = (
        "import sys\n"
        "from kennzahlen.cli import main\n"
        f"sys.argv = ['kennzahlen', 'report', '--periode', '2023-Q4', '--produkt', '1', "
        f"'--raum', 'West', '--pool', {str(setup['pool'])!r}, '--out', {str(setup['out'])!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('PANDAS', 'pandas' in sys.modules)\n"
    )
    env = {
        **os.environ,
        paths.HOME_ENV: str(setup["nbs"].parent),
        paths.CONFIG_ENV: str(paths.project_root() / "config"),
    }
    res = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert "1 unverändert übersprungen" in res.stdout, res.stdout + res.stderr
    assert "PANDAS False" in res.stdout
    assert Path(setup["out"] / "2023-Q4" / "1_sozialstruktur" / "west.html").exists()
