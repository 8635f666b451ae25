"""One product's reports in one warm in-process shell, CPU seconds per report (not a test).

The notebook's code cells run as in benchmarks/profile_report.py (the runner's reset cell first,
every display formatted as the kernel formats it, then dropped), first for the Gesamtstadt (the
warm-up: imports, caches of the period), then for every Sozialraum, as one warm kernel makes a
product's reports one after another. Prints the CPU seconds of each report and their sum.

    .venv/bin/python benchmarks/warm_produkt.py --pool DIR [--produkt 3] [--periode 2023-Q4]
        [--raum West --raum Mitte]   # only these Sozialräume after the warm-up (default: all)
"""

from __future__ import annotations

import argparse

from profile_report import run_cells


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", required=True)
    ap.add_argument("--produkt", type=int, default=3)
    ap.add_argument("--periode", default="2023-Q4")
    ap.add_argument("--raum", action="append", help="nur diese Sozialräume (wiederholbar)")
    args = ap.parse_args()
    from kennzahlen.catalog.geography import areas

    warm = run_cells(args.produkt, args.periode, "Gesamtstadt", args.pool)
    print(f"Gesamtstadt (warm-up): {warm:.2f} s CPU")
    summe = 0.0
    for raum in areas():
        if raum == "Gesamtstadt" or (args.raum and raum not in args.raum):
            continue
        sec = run_cells(args.produkt, args.periode, raum, args.pool)
        summe += sec
        print(f"Produkt {args.produkt}, {raum}: {sec:.2f} s CPU")
    print(f"Sozialräume zusammen: {summe:.2f} s CPU")


if __name__ == "__main__":
    main()
