"""The runner's own work outside the notebook cells, piece by piece, in CPU seconds (not a test).

Each piece of a quarter's run that is not a notebook cell runs in-process on an existing pool and
report folder (one ``kennzahlen report`` made it: its executed notebooks and runs.json), in a
process of its own, over the whole quarter (24 reports), as the run does it:

- ``plan``: the jobs with their input hashes (:func:`kennzahlen.runner.jobs.plan`);
- ``veroeffentlichen``: the publication plans recorded before the reports start (Produkt 3);
- ``notebook_lesen``: each report's notebook read with the reset cell, its executed notebook read
  back (``_with_reset``, ``lies_ausgefuehrt``);
- ``ausgaben_pruefen``: every output of the executed notebooks checked as nbclient checks it when
  the kernel sends it (``nbformat.v4.output_from_msg``);
- ``ipynb_schreiben``: papermill's JSON of each executed notebook (``nbformat.writes``);
- ``html_export``: the HTML page of each report (:func:`kennzahlen.runner.worker.export_html`);
- ``excel``: the Erfassungsbogen of Produkt 2 (``products.anhaenge``);
- ``index``: runs.json and the index page, written after every report and at the start (26×);
- ``steckbriefe``, ``offene_daten``, ``profile``: what the run writes beside the reports (the
  open data after the plans, in the same process, as a run makes them);
- ``polygone``: the run's warnings about Stadtviertel without a polygon.

``--lauf`` measures a whole run as well (``kennzahlen.runner.run`` with one worker, ``--force``;
``--produkt``/``--raum`` choose its reports): the CPU of its process, i.e. everything but the
kernels (the imports, the pieces above, papermill's and nbclient's handling of the kernel's
messages).

What a process imports before every piece (the package, pandas, nbformat, papermill, nbconvert) is
outside the figure; what only a piece imports (scipy for the plans, openpyxl for Excel) is in it,
as a run pays it once. Each piece is measured ``--reps`` times (a new process each time), the
median is printed. The pool is copied first (the plans write its ledger); reports go to a temp
folder.

    .venv/bin/python benchmarks/runner_teile.py --pool POOL --berichte REPORTS/2023-Q4 \
        [--vorher REV] [--reps 3] [--teil html_export ...]

``--vorher REV``: the code of a git revision too (``git archive`` into benchmarks/out/code-REV,
run through ``PYTHONPATH``/``KENNZAHLEN_HOME``), against this working tree (``nachher``).
``--ein-start``: one start-up per code tree instead of one per piece (the smoke test of
tests/test_benchmarks.py): the process imports what every piece needs once, then measures each
piece in a copy of itself (``os.fork``), so every piece still starts with cold caches.
Results in benchmarks/out/runner_teile.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = Path(os.environ.get("KENNZAHLEN_BENCH_OUT", HERE / "out"))
TEILE = [
    "plan",
    "veroeffentlichen",
    "notebook_lesen",
    "ausgaben_pruefen",
    "ipynb_schreiben",
    "html_export",
    "excel",
    "index",
    "steckbriefe",
    "offene_daten",
    "profile",
    "polygone",
]


# ------------------------------------------------------------------------ in the measuring process
def _vorbereiten() -> None:
    """What every worker and the run's process have imported before any piece."""
    from kennzahlen.runner import basis

    # what the run's processes switch on before they run notebooks, as far as the tree has it
    # (newer trees defer the IRI grammar on ``import kennzahlen``, kennzahlen.core.lazy_imports)
    for name in ("ohne_iri_grammatik", "schnelle_ausgabepruefung"):
        hook = getattr(basis, name, None)
        if hook is not None:
            hook()
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import pandas  # noqa: F401
    import papermill  # noqa: F401

    import kennzahlen.runner  # noqa: F401
    import kennzahlen.runner.worker  # noqa: F401


def _jobs(pool: Path, berichte: Path, periode: str):
    from kennzahlen.runner.jobs import plan

    return [j for j in plan(periode, pool=pool, out=berichte.parent) if not j.keine_daten]


def _ausgefuehrt(berichte: Path, jobs) -> list:
    from kennzahlen.runner.worker import lies_ausgefuehrt

    return [lies_ausgefuehrt(Path(j.base).with_suffix(".ipynb")) for j in jobs]


def _teil(name: str, pool: Path, berichte: Path, periode: str, tmp: Path):
    """The piece ``name`` as a function without arguments, and what it needs prepared."""
    from kennzahlen.runner import batch, worker

    if name == "plan":  # the first plan of the process, as a run makes it
        return lambda: _jobs(pool, berichte, periode)
    jobs = _jobs(pool, berichte, periode)
    version_dir = Path(jobs[0].pool)
    if name == "veroeffentlichen":
        return lambda: batch._veroeffentlichen(jobs, version_dir, periode)
    if name == "notebook_lesen":
        return lambda: [worker._with_reset(j.notebook) for j in jobs] + _ausgefuehrt(berichte, jobs)
    if name in ("ausgaben_pruefen", "ipynb_schreiben", "html_export"):
        return _mit_notebooks(name, jobs, _ausgefuehrt(berichte, jobs))
    return _beilage(name, jobs, berichte, periode, tmp)


def _mit_notebooks(name: str, jobs: list, nbs: list):
    """The pieces that work on the executed notebooks."""
    if name == "ausgaben_pruefen":
        from nbformat.v4 import output_from_msg

        msgs = [_nachricht(o) for nb in nbs for c in nb.cells for o in c.get("outputs", [])]
        return lambda: [output_from_msg(m) for m in msgs]
    if name == "ipynb_schreiben":
        import nbformat

        return lambda: [nbformat.writes(nb) for nb in nbs]
    return lambda: [_html(j, nb) for j, nb in zip(jobs, nbs, strict=True)]


def _beilage(name: str, jobs: list, berichte: Path, periode: str, tmp: Path):
    """The pieces that write beside the reports."""
    from kennzahlen.runner import beilagen
    from kennzahlen.runner.runs import eintraege, load_runs, write_runs

    version_dir = Path(jobs[0].pool)
    if name == "excel":
        from kennzahlen import products

        ziel = [tmp / "excel" / Path(j.base).relative_to(berichte) for j in jobs]
        for base in ziel:
            base.parent.mkdir(parents=True, exist_ok=True)
        return lambda: [
            products.anhaenge(j.produkt, version_dir, periode, j.raum, base)
            for j, base in zip(jobs, ziel, strict=True)
        ]
    if name == "index":
        merged = {e.schluessel: e for e in eintraege(load_runs(berichte))}
        (tmp / "index").mkdir()
        root, stadt = jobs[0].pool_root, jobs[0].stadt
        return lambda: [
            write_runs(tmp / "index", periode, root, "0" * 64, merged, version_dir, stadt=stadt)
            for _ in range(len(jobs) + 2)
        ]
    if name == "steckbriefe":
        from kennzahlen.products import steckbrief

        return lambda: steckbrief.schreiben(tmp / steckbrief.ORDNER, [1, 2, 3, 4], version_dir)
    if name == "offene_daten":  # after the plans, in the same process, as in a run
        from kennzahlen.runner import batch

        batch._veroeffentlichen(jobs, version_dir, periode)
        return lambda: beilagen.offene_daten(tmp, periode, version_dir)
    if name == "profile":
        return lambda: beilagen.profile(tmp, periode, version_dir)
    if name == "polygone":
        from kennzahlen.catalog.geography import areas, polygon_warnungen

        return lambda: (polygon_warnungen(), areas())
    raise SystemExit(f"unbekanntes Teil: {name}")


def _nachricht(output) -> dict:
    """The IOPub message the kernel sent for ``output`` (what nbclient builds it from)."""
    content = {k: v for k, v in output.items() if k != "output_type"}
    kind = {"execute_result": "execute_result", "display_data": "display_data"}
    msg_type = kind.get(output.output_type, output.output_type)
    return {"header": {"msg_type": msg_type}, "content": content}


def _html(job, nb) -> str:
    from kennzahlen import products
    from kennzahlen.core.vocabulary import PRODUKTE
    from kennzahlen.runner.basis import berichtszeitraum
    from kennzahlen.runner.worker import export_html, identitaet

    titel = (
        f"{PRODUKTE[job.produkt].titel} – {job.raum} – {berichtszeitraum(job.produkt, job.periode)}"
    )
    return export_html(nb, titel, identitaet(job), intern=not products.is_public(job.produkt))


def lauf(pool: Path, periode: str, produkte: list[int] | None, raeume: list[str] | None) -> None:
    """A whole run with one worker (the reports one after another in this process): print the
    CPU seconds of this process (everything but the kernels, its imports included) as JSON."""
    import resource

    from kennzahlen.runner import run

    with tempfile.TemporaryDirectory() as tmp:
        res = run(periode, produkte, raeume, pool, Path(tmp), force=True, workers=1, progress=False)
    if res.failed:
        raise SystemExit(f"fehlgeschlagen: {[(e.produkt, e.raum, e.fehler) for e in res.failed]}")
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"teil": "lauf", "cpu": round(ru.ru_utime + ru.ru_stime, 4)}))


def einzeln(namen: list[str], pool: Path, berichte: Path, periode: str) -> None:
    """Measure the piece ``namen[0]`` in this process, or (several pieces) each in a copy of this
    process made after the imports (``os.fork``, one after another); print the CPU seconds of
    each as a line of JSON."""
    _vorbereiten()
    if len(namen) == 1:
        _messen_hier(namen[0], pool, berichte, periode)
        return
    for name in namen:
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # the copy: measure, print, leave without the parent's clean-up
            code = 0
            try:
                _messen_hier(name, pool, berichte, periode)
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise SystemExit(f"{name}: die Kopie des Prozesses endete mit {status}")


def _messen_hier(name: str, pool: Path, berichte: Path, periode: str) -> None:
    """Measure one piece in this process; print its CPU seconds as JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        fn = _teil(name, pool, berichte, periode, Path(tmp))
        t0 = time.process_time()
        fn()
        kalt = time.process_time() - t0
    print(json.dumps({"teil": name, "cpu": round(kalt, 4)}), flush=True)


# ------------------------------------------------------------------------------- the comparison
def code_tree(rev: str) -> Path:
    """The project at git revision ``rev``, unpacked once into benchmarks/out/code-<rev>."""
    sys.path.insert(0, str(HERE))
    from run import code_tree as _code_tree

    return _code_tree(rev)


def messen(
    tree: Path, teil: str, pool: Path, berichte: Path, periode: str, auswahl: tuple[str, ...] = ()
) -> float:
    """CPU seconds of one piece, in a new process running the code of ``tree``."""
    return messen_alle(tree, [teil], pool, berichte, periode, auswahl)[teil]


def messen_alle(
    tree: Path,
    teile: list[str],
    pool: Path,
    berichte: Path,
    periode: str,
    auswahl: tuple[str, ...] = (),
) -> dict[str, float]:
    """CPU seconds of each of ``teile``, from one new process running the code of ``tree`` (each
    piece in a fork of it, :func:`einzeln`)."""
    env = {**os.environ, "PYTHONPATH": str(tree / "lib"), "KENNZAHLEN_HOME": str(tree)}
    env.setdefault("MPLBACKEND", "Agg")
    args = ["--einzeln", ",".join(teile), "--pool", str(pool), "--berichte", str(berichte)]
    args += auswahl
    res = subprocess.run(
        [sys.executable, __file__, *args, "--periode", periode],
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
    )
    if res.returncode != 0:
        raise SystemExit(f"{','.join(teile)} ({tree}):\n{res.stdout[-2000:]}{res.stderr[-3000:]}")
    zeilen = [json.loads(z) for z in res.stdout.strip().splitlines() if z.startswith('{"teil"')]
    cpu = {z["teil"]: float(z["cpu"]) for z in zeilen}
    if sorted(cpu) != sorted(teile):
        raise SystemExit(f"{','.join(teile)} ({tree}): gemessen nur {sorted(cpu)}\n{res.stdout}")
    return cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pool", type=Path, required=True)
    ap.add_argument("--berichte", type=Path, required=True, help="der Quartalsordner eines Laufs")
    ap.add_argument("--periode")
    ap.add_argument("--vorher", help="git-Revision zum Vergleich")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--teil", action="append", choices=TEILE)
    ap.add_argument(
        "--lauf",
        action="store_true",
        help="auch einen ganzen Lauf mit einem Worker messen (CPU des Prozesses ohne Kernel)",
    )
    ap.add_argument("--produkt", type=int, action="append", help="der Lauf: nur diese Produkte")
    ap.add_argument("--raum", action="append", help="der Lauf: nur diese Gebiete")
    ap.add_argument(
        "--ein-start",
        action="store_true",
        help="ein Prozessstart je Code-Stand, jedes Teil in einer Kopie davon (fork; Rauchtest)",
    )
    ap.add_argument("--einzeln", help=argparse.SUPPRESS)
    args = ap.parse_args()
    periode = args.periode or args.berichte.resolve().name
    if args.einzeln == "lauf":
        lauf(args.pool, periode, args.produkt, args.raum)
        return
    if args.einzeln:
        einzeln(args.einzeln.split(","), args.pool, args.berichte, periode)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    baeume = {"nachher": ROOT}
    if args.vorher:
        baeume = {"vorher": code_tree(args.vorher), **baeume}
    teile = args.teil or TEILE
    ergebnis: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        pool = Path(tmp) / "pool"
        shutil.copytree(args.pool, pool, symlinks=True)
        berichte = Path(tmp) / "berichte" / periode
        shutil.copytree(args.berichte, berichte, symlinks=True)
        # a process per piece (the figures of the README), or one start-up for all (smoke test)
        gruppen = [teile] if args.ein_start else [[teil] for teil in teile]
        for gruppe in gruppen:
            for name, tree in baeume.items():
                werte = [
                    messen_alle(tree, gruppe, pool, berichte, periode) for _ in range(args.reps)
                ]
                for teil in gruppe:
                    median = statistics.median(w[teil] for w in werte)
                    ergebnis.setdefault(teil, {})[name] = round(median, 3)
            for teil in gruppe:
                zeile = "  ".join(f"{n} {v:6.2f} s" for n, v in ergebnis[teil].items())
                print(f"{teil:18s} {zeile}", flush=True)
        summe = {n: round(sum(e[n] for e in ergebnis.values()), 2) for n in baeume}
        print(f"{'zusammen':18s} " + "  ".join(f"{n} {v:6.2f} s" for n, v in summe.items()))
        ganz: dict[str, float] = {}
        if args.lauf:
            auswahl = tuple(f"--produkt={p}" for p in args.produkt or [])
            auswahl += tuple(f"--raum={r}" for r in args.raum or [])
            for name, tree in baeume.items():
                werte = [
                    messen(tree, "lauf", _kopie(pool, tmp), berichte, periode, auswahl)
                    for _ in range(args.reps)
                ]
                ganz[name] = round(statistics.median(werte), 3)
            print(
                f"{'lauf (1 Worker)':18s} " + "  ".join(f"{n} {v:6.2f} s" for n, v in ganz.items())
            )
    ergebnisse = {"teile": ergebnis, "zusammen": summe, "lauf": ganz, "last": os.getloadavg()[0]}
    (OUT / "runner_teile.json").write_text(json.dumps(ergebnisse, indent=2))


def _kopie(pool: Path, tmp: str) -> Path:
    """A fresh copy of the pool for one run (a run records its plans in the pool's ledger)."""
    ziel = Path(tempfile.mkdtemp(dir=tmp)) / "pool"
    shutil.copytree(pool, ziel, symlinks=True)
    return ziel


if __name__ == "__main__":
    main()
