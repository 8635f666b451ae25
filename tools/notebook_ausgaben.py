"""The notebook output policy: only the cells nbval checks keep their outputs.

A committed notebook (``notebooks/*.ipynb``) is the nbval baseline. nbval runs with
``--nbval-lax``: it executes every code cell (an exception fails the test) and compares the
outputs only of cells marked ``# NBVAL_CHECK_OUTPUT``. Those cells keep their outputs and
execution count; every other code cell is stored without outputs and without a count (nbval
treats it as not run: executed, not compared). This keeps the notebooks small and their diffs
readable.

    python tools/notebook_ausgaben.py notebooks/*.ipynb           # strip in place
    python tools/notebook_ausgaben.py --check notebooks/*.ipynb   # list offenders, exit 1

``make baselines`` strips after executing; the pre-commit hook strips staged notebooks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

MARKER = "# NBVAL_CHECK_OUTPUT"


def strip(nb: nbformat.NotebookNode) -> int:
    """Remove outputs and counts of unchecked code cells and every cell's timing; the number
    of cells changed."""
    changed = 0
    for cell in nb.cells:
        before = (cell.get("outputs"), cell.get("execution_count"), dict(cell.metadata))
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code" and MARKER not in cell.source:
            cell.outputs = []
            cell.execution_count = None
        if before != (cell.get("outputs"), cell.get("execution_count"), dict(cell.metadata)):
            changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="nur prüfen, nichts ändern")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    offenders = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        n = strip(nb)
        if n and args.check:
            offenders.append(f"{path}: {n} Zelle(n) mit Ausgaben außerhalb der nbval-Prüfung")
        elif n:
            nbformat.write(nb, path)
            print(f"{path}: Ausgaben von {n} Zelle(n) entfernt")
    if offenders:
        print("\n".join(offenders), file=sys.stderr)
        print("Bitte `make baselines` oder den pre-commit-Hook laufen lassen.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
