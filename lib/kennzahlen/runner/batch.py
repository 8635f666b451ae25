"""The batch: jobs on the worker processes, runs.json and the index rewritten after every report."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path

from kennzahlen.core import paths
from kennzahlen.core import safeio as _safeio
from kennzahlen.core.vocabulary import PRODUKTE
from kennzahlen.runner.basis import GEMACHT, Status, berichtszeitraum, slug
from kennzahlen.runner.jobs import Job, plan
from kennzahlen.runner.rerun import Request
from kennzahlen.runner.runs import (
    Eintrag,
    RunResult,
    eintraege,
    load_runs,
    lock_folder,
    sorted_entries,
    write_runs,
)
from kennzahlen.runner.verteilung import Verteilung, kosten_aus
from kennzahlen.runner.worker import (
    _short_error,
    _worker_init,
    remove_stale_kernel_files,
    run_job,
    shutdown_warm_kernel,
)


# ---------------------------------------------------------------------------- the batch
def run(
    periode: str,
    produkte: list[int] | None = None,
    raeume: list[str] | None = None,
    pool: Path | None = None,
    out: Path | None = None,
    force: bool = False,
    workers: int | None = None,
    notebooks: Path | None = None,
    progress: bool = True,
    wait: float = 0.0,
    echo=None,
    pdf: list[int] | None = None,
    zeitlimit: float | None = None,
) -> RunResult:
    """Make every requested report; skip unchanged ones; keep runs.json and index.html current.

    ``pdf``: the products whose reports are also printed to PDF (:mod:`kennzahlen.runner.pdf`).
    ``zeitlimit``: seconds one notebook cell may run; a report whose cell runs longer fails
    (named in the summary) and the others go on.

    One run per output folder at a time (a second one waits ``wait`` seconds, then is refused
    with the holder's PID, host and start). runs.json and the index are rewritten (atomically)
    after every finished report, so a killed run loses only the reports in progress.
    """
    t0 = time.perf_counter()
    request = (periode, produkte, raeume)
    if not force and not pdf:  # PDFs need the browser anyway: the normal way checks them
        from kennzahlen.runner.unveraendert import unchanged_run

        fast = unchanged_run(request, pool, out, notebooks, wait, echo, t0)
        if fast is not None:
            return fast
    jobs = plan(periode, produkte, raeume, pool, out, notebooks, zeitlimit)
    out_dir = Path(jobs[0].out_dir) if jobs else Path(out or paths.REPORTS) / periode
    out_dir.mkdir(parents=True, exist_ok=True)
    key = _request_key(request, jobs, notebooks)
    lock = lock_folder(out_dir, wait, echo)
    try:
        _safeio.remove_stale_temps(out_dir)
        remove_stale_kernel_files()
        result = _run_locked(periode, jobs, out_dir, force, workers, progress, t0, key)
        if jobs:
            from kennzahlen.runner.beilagen import beilagen

            result.warnungen += beilagen(out_dir, periode, result.entries, Path(jobs[0].pool), pdf)
        if pdf:
            from kennzahlen.runner.pdf import pdfs_im_lauf

            version_dir = Path(jobs[0].pool) if jobs else None
            result.pdfs = pdfs_im_lauf(out_dir, periode, pdf, version_dir)
        return result
    finally:
        lock.release()


def _request_key(request: Request, jobs: list[Job], notebooks: Path | None) -> str | None:
    """The rerun key of this request over the pool version the jobs read (see :mod:`..rerun`)."""
    from kennzahlen.runner.rerun import run_key

    if not jobs:
        return None
    manifest = (Path(jobs[0].pool) / "manifest.json").read_bytes()
    nb_dir = Path(notebooks or paths.NOTEBOOKS).resolve()
    return run_key(*request, Path(jobs[0].pool_root), nb_dir, manifest)


def _run_locked(
    periode: str,
    jobs: list[Job],
    out_dir: Path,
    force: bool,
    workers: int | None,
    progress: bool,
    t0: float,
    key: str | None = None,
) -> RunResult:
    previous = {e.schluessel: e for e in eintraege(load_runs(out_dir))}
    version_dir = Path(jobs[0].pool) if jobs else None
    manifest = version_dir / "manifest.json" if version_dir else None
    pool_sha = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest else None
    todo: list[Job] = []
    entries: list[Eintrag] = []
    for job in jobs:
        entry = _ohne_lauf(job, previous.get((job.produkt, job.raum)), force, pool_sha)
        if entry is None:
            todo.append(job)
        else:
            entries.append(entry)
    merged = {**previous, **{e.schluessel: e for e in entries}}
    root = jobs[0].pool_root if jobs else None
    stadt = jobs[0].stadt if jobs else None

    def record(entry: Eintrag | None = None) -> None:
        if entry is not None:
            merged[entry.schluessel] = entry
        write_runs(out_dir, periode, root, pool_sha, merged, version_dir, stadt=stadt)

    record()
    if todo:
        with _hold(version_dir):
            _veroeffentlichen(todo, version_dir, periode)
            kosten = kosten_aus(out_dir)
            for entry in _execute(todo, workers, progress, on_result=record, kosten=kosten):
                entries.append(entry)
    keys = {(j.produkt, j.raum) for j in jobs}
    this_run = [e for e in sorted_entries(merged) if e.schluessel in keys]
    from kennzahlen.catalog.geography import polygon_warnungen

    warnungen = (
        polygon_warnungen() if any(j.produkt == 1 and not j.keine_daten for j in jobs) else []
    )
    if key and not any(e.status == Status.FEHLER for e in this_run):
        from kennzahlen.catalog.geography import areas
        from kennzahlen.runner.rerun import lauf_record

        # only a run that finished without a failure lets the next one skip without planning
        lauf = lauf_record(key, this_run, areas(), warnungen)
        write_runs(out_dir, periode, root, pool_sha, merged, version_dir, lauf, stadt=stadt)
    return RunResult(periode, out_dir, this_run, time.perf_counter() - t0, warnungen)


def _ohne_lauf(job: Job, prev: Eintrag | None, force: bool, pool_sha: str | None) -> Eintrag | None:
    """The entry of a report that is not run: one without data, or one whose inputs are unchanged
    since ``prev`` and whose HTML is there (None: the report runs)."""
    if job.keine_daten:
        return _keine_daten_entry(job, pool_sha)
    if (
        not force
        and prev
        and prev.status in GEMACHT
        and prev.input_hash == job.input_hash
        and job.base.with_suffix(".html").exists()
    ):
        return replace(prev, status=Status.UEBERSPRUNGEN, pool_manifest_sha256=pool_sha)
    return None


def _veroeffentlichen(todo: list[Job], version_dir: Path | None, periode: str) -> None:
    """The pipeline step of a public product: decide and record the year's publication plans in
    the pool's ledger before any report starts (the reports read them). A failure here is left
    to the reports: each makes the same step and fails with the error in its own entry."""
    from kennzahlen.disclosure.config import is_public

    if version_dir is None or not any(j.produkt == 3 for j in todo) or not is_public(3):
        return
    from kennzahlen.products.wirkung import berichtsjahre, veroeffentlichen

    try:
        veroeffentlichen(version_dir, berichtsjahre(berichtszeitraum(3, periode)))
    except Exception:  # noqa: BLE001, S110 - the reports report it, each in its own entry
        pass


def _keine_daten_entry(job: Job, pool_sha: str | None) -> Eintrag:
    """The runs.json entry of a report not made for lack of data: no HTML, the reason in
    ``grund``."""
    produkt = PRODUKTE[job.produkt]
    return Eintrag(
        produkt=job.produkt,
        produkt_ordner=produkt.ordner,
        produkt_titel=produkt.titel,
        raum=job.raum,
        slug=slug(job.raum),
        berichtszeitraum=berichtszeitraum(job.produkt, job.periode),
        html=None,
        anhaenge=[],
        input_hash=job.input_hash,
        pool_manifest_sha256=pool_sha,
        erstellt=datetime.now().isoformat(timespec="seconds"),
        status=Status.KEINE_DATEN,
        fehler=None,
        grund=job.keine_daten,
    )


def _hold(version_dir: Path | None):
    """Keep the pool version the reports read from being pruned by a pool build meanwhile."""
    import contextlib

    return (
        _safeio.shared_hold(version_dir / "manifest.json")
        if version_dir
        else contextlib.nullcontext()
    )


def _execute(
    jobs: list[Job],
    workers: int | None,
    progress: bool,
    on_result=None,
    kosten: dict[int, float] | None = None,
) -> list[Eintrag]:
    from tqdm.auto import tqdm

    n = max(1, min(len(jobs), workers or os.cpu_count() or 1))
    results: list[Eintrag] = []
    bar = tqdm(total=len(jobs), desc="Berichte", unit="Bericht", disable=not progress)

    def done(entry: Eintrag) -> None:
        results.append(entry)
        if on_result is not None:
            on_result(entry)
        bar.update()

    if n == 1:
        try:
            for job in jobs:
                done(run_job(job))
        finally:
            shutdown_warm_kernel()
    else:
        _verteilt(jobs, n, done, kosten)
    bar.close()
    return results


def _verteilt(jobs: list[Job], n: int, done, kosten: dict[int, float] | None = None) -> None:
    """Run ``jobs`` on ``n`` worker processes (``spawn``), each with its own one-process pool, so
    that :class:`~kennzahlen.runner.verteilung.Verteilung` decides which worker makes which
    report; a crashed worker fails only its report and is replaced. ``kosten``: seconds per
    report of each product in an earlier run (:func:`~kennzahlen.runner.verteilung.kosten_aus`).
    """
    ctx = multiprocessing.get_context("spawn")

    def neuer_worker() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
        )

    verteilung = Verteilung(jobs, kosten)
    worker = [neuer_worker() for _ in range(n)]
    laufend: dict[Future, tuple[int, Job]] = {}

    def gib(i: int) -> None:
        job = verteilung.naechster(i)
        if job is not None:
            laufend[worker[i].submit(run_job, job)] = (i, job)

    try:
        for i in range(n):
            gib(i)
        while laufend:
            fertig, _ = wait(laufend, return_when=FIRST_COMPLETED)
            for fut in fertig:
                i, job = laufend.pop(fut)
                try:
                    entry = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker fails only its report
                    entry = Eintrag.aus_json(
                        {
                            **asdict(job),
                            "status": Status.FEHLER,
                            "fehler": _short_error(exc),
                            "html": f"{PRODUKTE[job.produkt].ordner}/{slug(job.raum)}.html",
                        }
                    )
                    if isinstance(exc, BrokenProcessPool):
                        worker[i].shutdown(wait=False)
                        worker[i] = neuer_worker()
                done(entry)
                gib(i)
    finally:
        for w in worker:
            w.shutdown(wait=True, cancel_futures=True)
