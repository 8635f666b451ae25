"""The notebook output policy still tests something: with the project's pytest settings
(``--nbval-lax``), a cell marked ``# NBVAL_CHECK_OUTPUT`` is compared with its stored output, and
a stripped cell (no output, no count) is still executed, so an error in it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from notebook_ausgaben import strip  # noqa: E402


def _notebook(path: Path, *cells) -> Path:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def _checked(source: str, stored: str):
    cell = new_code_cell(f"# NBVAL_CHECK_OUTPUT\n{source}", execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text=stored)]
    return cell


def test_checked_cells_are_compared_and_stripped_cells_still_run(tmp_path):
    richtig = _notebook(
        tmp_path / "richtig.ipynb", new_code_cell("x = 1"), _checked("print(x + 1)", "2\n")
    )
    falsch = _notebook(tmp_path / "falsch.ipynb", _checked("print(1 + 1)", "3\n"))
    fehler = _notebook(tmp_path / "fehler.ipynb", new_code_cell("raise ValueError('kaputt')"))
    env = {**os.environ, "KENNZAHLEN_POOL": str(tmp_path)}  # no demo pool needed
    # the project's pytest settings (addopts: --nbval-lax), node ids relative to tmp_path
    args = ["-q", "-rA", f"--rootdir={tmp_path}", "-c", str(ROOT / "pyproject.toml")]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *args, str(richtig), str(falsch), str(fehler)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    failed: dict[str, bool] = {}
    for line in run.stdout.splitlines():
        status, _, item = line.partition(" ")
        if status in ("PASSED", "FAILED"):
            name = Path(item.split("::")[0]).stem
            failed[name] = failed.get(name, False) or status == "FAILED"
    assert failed == {"richtig": False, "falsch": True, "fehler": True}


def test_strip_keeps_only_the_checked_outputs():
    plain = new_code_cell("print(1)", execution_count=4)
    plain.outputs = [new_output("stream", name="stdout", text="1\n")]
    plain.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    nb = new_notebook(cells=[plain, _checked("print(2)", "2\n")])
    assert strip(nb) == 1
    assert nb.cells[0].outputs == [] and nb.cells[0].execution_count is None
    assert "execution" not in nb.cells[0].metadata
    assert nb.cells[1].outputs[0]["text"] == "2\n" and nb.cells[1].execution_count == 1
    assert strip(nb) == 0  # nothing left to strip
