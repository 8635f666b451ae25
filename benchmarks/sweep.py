"""Every quarter of the demo pool through the real runner: built, not made (no data) or failed.

Run by hand (not part of ``make test``; about 6–8 minutes on 2 cores)::

    .venv/bin/python benchmarks/sweep.py [--pool DIR] [--out DIR] [--workers 2]
        [--quartal Q ...] [--raum R ...] [--produkt P ...]     # a part only

Without ``--pool`` it writes the demo deliveries and builds their pool in benchmarks/out/sweep/.
Each quarter from the pool's first to its last (``kennzahlen.runner.quartale``), plus the quarter
before and after (which must be refused), runs all 4 products for every area in one runner call.
Every report is then checked (tests/berichtspruefung.py): no Python error, no warning, no NaN in
the HTML, and every report not made names its reason. Prints the summary table as Markdown.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from berichtspruefung import bericht_probleme  # noqa: E402

from kennzahlen import runner  # noqa: E402
from kennzahlen.core.periods import verschiebe  # noqa: E402


def _pool(out: Path) -> Path:
    from kennzahlen.demo import write_demo
    from kennzahlen.pipeline import build_pool_frames
    from kennzahlen.pool.write import write_pool

    raw, pool = out / "raw", out / "pool"
    if not (pool / "manifest.json").exists():
        shutil.rmtree(raw, ignore_errors=True)
        write_demo(raw)
        frames, _ = build_pool_frames(raw)
        write_pool(frames, pool)
    return pool


def main() -> int:
    """Run the sweep; exit code 1 when a report failed or shows a Python error."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "sweep")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quartal", action="append", help="only these quarters (smoke test)")
    ap.add_argument("--raum", action="append", help="only these areas")
    ap.add_argument("--produkt", type=int, action="append", help="only these products")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pool = args.pool or _pool(args.out)
    fuellbar = runner.quartale(pool)
    alle = sorted({q for qs in fuellbar.values() for q in qs})
    reports = args.out / "reports"
    shutil.rmtree(reports, ignore_errors=True)
    rows, schlecht, gruende = [], 0, {}
    t0 = time.perf_counter()
    for q in args.quartal or [verschiebe(alle[0], -1), *alle, verschiebe(alle[-1], 1)]:
        try:
            res = runner.run(
                q,
                produkte=args.produkt,
                raeume=args.raum,
                pool=pool,
                out=reports,
                workers=args.workers,
                progress=False,
                force=True,
            )
        except runner.RunnerError as exc:
            rows.append((q, "–", "–", "–", "–", f"abgelehnt: „{exc}“"))
            continue
        probleme = bericht_probleme(res.out)
        status = [e["status"] for e in res.entries]
        ohne = {e["produkt"]: e for e in res.nicht_erstellt}
        for e in ohne.values():
            gruende.setdefault(e["grund"], []).append(f"P{e['produkt']} {q}")
        welche = ", ".join(f"P{p} ({e['berichtszeitraum']})" for p, e in sorted(ohne.items()))
        rows.append(
            (
                q,
                status.count("ok"),
                status.count(runner.KEINE_DATEN),
                status.count("fehler"),
                len(probleme),
                welche,
            )
        )
        schlecht += status.count("fehler") + len(probleme)
        for p in probleme:
            print("PROBLEM", q, p, file=sys.stderr)
        print(f"{q}: {rows[-1][1:5]} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    print(
        "| Quartal | erstellt | nicht erstellt (keine Daten) | fehlgeschlagen | Probleme im "
        "Bericht | nicht erstellt: Produkt (Berichtszeitraum) |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")
    print(
        "\nGründe (so in runs.json, auf der Übersichtsseite und in der Ausgabe des Berichtslaufs):"
    )
    for grund, wo in gruende.items():
        print(f"- {', '.join(wo)}: „{grund}“")
    print(f"\n{len(rows)} Quartale in {time.perf_counter() - t0:.0f} s.")
    return 1 if schlecht else 0


if __name__ == "__main__":
    sys.exit(main())
