"""Which tool prints a report to PDF: Chromium (playwright, as used) against WeasyPrint.

Run by hand, once per tool (WeasyPrint is not a project dependency: install it in a scratch
venv, ``python3 -m venv /tmp/wp && /tmp/wp/bin/pip install weasyprint==70.0``)::

    .venv/bin/python benchmarks/pdf_werkzeuge.py chromium REPORT.html OUT.pdf
    /tmp/wp/bin/python benchmarks/pdf_werkzeuge.py weasyprint REPORT.html OUT.pdf

Prints wall time (Chromium: with and without the browser start), pages and size; ``pdfinfo`` and
``pdffonts`` (poppler-utils) tell whether it is tagged and its fonts embedded. Both get A4, a page
header and footer with page numbers, and no break inside tables and images.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

WEASY_CSS = """
@page { size: A4; margin: 20mm 14mm 16mm 14mm;
  @top-left { content: "Kennzahlensystem Soziales"; font-size: 8px; }
  @bottom-right { content: "Seite " counter(page) " von " counter(pages); font-size: 8px; } }
body.jp-Notebook { max-width: none !important; padding: 0 !important; }
table, img, tr { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
"""


def chromium(quelle: Path, ziel: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
    from kennzahlen.runner.pdf import Drucker

    t0 = time.perf_counter()
    with Drucker() as d:
        t1 = time.perf_counter()
        d.drucke(quelle, ziel, "Wirkungskennzahlen", "Gesamtstadt", "Jahr 2023")
        t2 = time.perf_counter()
    print(f"chromium: {t2 - t1:.2f} s je PDF, {time.perf_counter() - t0:.2f} s mit Browserstart")


def weasyprint(quelle: Path, ziel: Path) -> None:
    import weasyprint as wp

    t0 = time.perf_counter()
    wp.HTML(filename=str(quelle)).write_pdf(
        str(ziel), stylesheets=[wp.CSS(string=WEASY_CSS)], pdf_tags=True
    )
    print(f"weasyprint {wp.__version__}: {time.perf_counter() - t0:.2f} s je PDF")


if __name__ == "__main__":
    werkzeug, quelle, ziel = sys.argv[1], Path(sys.argv[2]).resolve(), Path(sys.argv[3])
    {"chromium": chromium, "weasyprint": weasyprint}[werkzeug](quelle, ziel)
    print(
        f"{ziel}: {ziel.stat().st_size / 1024:.0f} KiB (Seiten, Tags, Schriften: pdfinfo, pdffonts)"
    )
