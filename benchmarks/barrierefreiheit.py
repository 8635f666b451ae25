"""axe-core (WCAG 2.1 A/AA) over every page of a quarter: violations per page and in total.

Run by hand (the same check runs in ``make test``, tests/test_reports_browser.py)::

    .venv/bin/python benchmarks/barrierefreiheit.py reports/2023-Q4 [--details] [--seiten N]

Opens the index page and every report listed in the folder's runs.json in one headless Chromium
(offline, one page reused) and counts the axe-core violations with the tags wcag2a, wcag2aa,
wcag21a, wcag21aa (one count per failing element, as axe reports them), and the structure
findings of tests/barrierefreiheit.py (captions, header scopes, alt texts, page language).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from barrierefreiheit import axe_verstoesse, struktur_fehler  # noqa: E402

from kennzahlen.runner import pdf  # noqa: E402


def seiten(periode_dir: Path) -> list[Path]:
    """The index page and every report HTML of the folder's runs.json."""
    runs = json.loads((periode_dir / "runs.json").read_text(encoding="utf-8"))
    berichte = [periode_dir / e["html"] for e in runs["reports"] if e.get("html")]
    return [periode_dir / "index.html", *[b for b in berichte if b.is_file()]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("periode_dir", type=Path)
    ap.add_argument("--details", action="store_true", help="jede Verletzung ausgeben")
    ap.add_argument("--seiten", type=int, help="nur die ersten N Seiten (Rauchtest)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    regeln: Counter[str] = Counter()
    struktur = 0
    t0 = time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=pdf.chromium(), args=["--no-sandbox"])
        page = browser.new_context(offline=True).new_page()
        for f in seiten(args.periode_dir)[: args.seiten]:
            page.goto(f.as_uri(), wait_until="load")
            verstoesse, befunde = axe_verstoesse(page), struktur_fehler(page)
            regeln.update(v.split(" ", 1)[0] for v in verstoesse)
            struktur += len(befunde)
            print(
                f"{f.relative_to(args.periode_dir)}: {len(verstoesse)} axe, {len(befunde)} Struktur"
            )
            if args.details:
                for line in verstoesse + befunde:
                    print(f"    {line}")
        browser.close()
    print(
        f"axe-core WCAG 2.1 AA: {sum(regeln.values())} Verstöße {dict(regeln)}; "
        f"Struktur: {struktur}; {len(seiten(args.periode_dir))} Seiten in "
        f"{time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
