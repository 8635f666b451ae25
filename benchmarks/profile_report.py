"""Profile one report of each product in-process (pyinstrument; not a test).

Runs the code cells of a product notebook in an in-process IPython shell, with the parameters a
report run would inject, under pyinstrument, and prints the slowest call paths. Every display is
formatted as the report's kernel formats it (charts rendered to PNG, tables to HTML) and then
dropped (no front end), so the time is the notebook's own work without kernel and export.

    .venv/bin/python benchmarks/profile_report.py --pool DIR [--produkt 1 ...] [--raum X]
        [--periode 2023-Q4] [--html DIR]

pyinstrument is a development dependency (``pip install -e .[dev]``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run_cells(produkt: int, periode: str, raum: str, pool: str) -> float:
    """Execute the product notebook's code cells in-process; CPU seconds taken."""
    import contextlib
    import io

    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    from kennzahlen.core.vocabulary import PRODUKTE
    from kennzahlen.runner.worker import RESET_SOURCE

    nb = nbformat.read(ROOT / "notebooks" / PRODUKTE[produkt].notebook, as_version=4)
    shell = InteractiveShell.instance()
    t0 = time.process_time()
    shell.run_cell(RESET_SOURCE, store_history=False)  # as the runner's warm kernel does
    shell.user_ns.update(periode=periode, sozialraum=raum, pool=pool)
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        with contextlib.redirect_stdout(io.StringIO()):  # the displays: formatted, then dropped
            res = shell.run_cell(cell.source, store_history=False)
        if not res.success:
            raise RuntimeError(f"Produkt {produkt}: Zelle fehlgeschlagen: {res.error_in_exec}")
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", required=True)
    ap.add_argument("--produkt", type=int, action="append")
    ap.add_argument("--raum", default="Wiblingen")
    ap.add_argument("--periode", default="2023-Q4")
    ap.add_argument("--html", type=Path, help="write pyinstrument HTML per product here")
    args = ap.parse_args()
    from pyinstrument import Profiler

    import kennzahlen  # noqa: F401 - imports are not what we profile
    import kennzahlen.products  # noqa: F401

    for nr in args.produkt or [1, 2, 3, 4]:
        # warm, as a worker's kernel is after its first report: imports, caches of the period
        run_cells(nr, args.periode, "Gesamtstadt", args.pool)
        prof = Profiler(interval=0.002)
        prof.start()
        sec = run_cells(nr, args.periode, args.raum, args.pool)
        prof.stop()
        print(f"===== Produkt {nr}, {args.raum}, {args.periode}: {sec:.2f} s CPU")
        print(prof.output_text(unicode=True, color=False, show_all=False))
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            (args.html / f"produkt{nr}.html").write_text(prof.output_html())


if __name__ == "__main__":
    main()
