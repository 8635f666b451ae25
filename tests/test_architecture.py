"""The house stays easy to see: size limits on functions, modules and committed notebooks.

- no function (or method) in ``lib/`` longer than 60 lines (``def`` line to last line);
- no module in ``lib/`` longer than 600 lines, except the demo's calibration data;
- no committed notebook larger than 150 KB (only the cells nbval checks keep their outputs).

A limit that must be broken is raised here, on purpose and in review, never silently.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib" / "kennzahlen"
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 600
MAX_NOTEBOOK_BYTES = 150_000
#: modules that are data, not code (the demo city's calibration tables)
DATA_MODULES = {"demo/daten.py"}
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def _modules() -> list[Path]:
    return sorted(LIB.rglob("*.py"))


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


def test_no_function_over_the_limit():
    long = [
        f"{path.relative_to(LIB)}:{line} {name} ({n} Zeilen)"
        for path in _modules()
        for name, line, n in _functions(path)
        if n > MAX_FUNCTION_LINES
    ]
    assert not long, f"Funktionen über {MAX_FUNCTION_LINES} Zeilen:\n" + "\n".join(long)


def test_no_module_over_the_limit():
    long = []
    for path in _modules():
        rel = path.relative_to(LIB).as_posix()
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_MODULE_LINES and rel not in DATA_MODULES:
            long.append(f"{rel} ({n} Zeilen)")
    assert not long, f"Module über {MAX_MODULE_LINES} Zeilen:\n" + "\n".join(long)


def test_the_data_modules_hold_data():
    """An exempt module holds constants only: no function, no class."""
    for rel in DATA_MODULES:
        tree = ast.parse((LIB / rel).read_text(encoding="utf-8"))
        code = [
            n.name
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ]
        assert not code, f"{rel} soll nur Daten enthalten, enthält aber {code}"


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_small_and_keeps_only_checked_outputs(path: Path):
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES, f"{path.name}: {path.stat().st_size} Bytes"
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        checked = CHECK_MARK in cell.source
        if checked:
            # nbval compares only cells with an execution count and stored outputs
            assert cell.execution_count is not None, f"{path.name} Zelle {i}: ohne Ausführung"
            assert cell.outputs, f"{path.name} Zelle {i}: geprüfte Zelle ohne Ausgabe"
        else:
            assert not cell.outputs, f"{path.name} Zelle {i}: Ausgabe einer ungeprüften Zelle"
