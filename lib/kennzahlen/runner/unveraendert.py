"""An unchanged rerun: decided and recorded without pandas, papermill or a kernel."""

from __future__ import annotations

import time
from pathlib import Path

from kennzahlen.core import paths
from kennzahlen.core import safeio as _safeio
from kennzahlen.runner.basis import check_periode
from kennzahlen.runner.jobs import _check_out
from kennzahlen.runner.rerun import Request
from kennzahlen.runner.runs import (
    RunResult,
    eintraege,
    load_runs,
    lock_folder,
    sorted_entries,
    write_runs,
)
from kennzahlen.runner.worker import remove_stale_kernel_files


def unchanged_run(
    request: Request, pool: Path | None, out: Path | None, notebooks: Path | None, wait, echo, t0
) -> RunResult | None:
    """The result of a rerun with nothing to do, decided without pandas (None: run normally)."""
    from kennzahlen.pool.store import current
    from kennzahlen.runner.rerun import LAUF, manifest_sha, run_key, skipped, unchanged_entries

    periode = check_periode(request[0])
    pool_root = Path(pool or paths.PROCESSED).resolve()
    out_dir = _check_out(Path(out or paths.REPORTS)).resolve() / periode
    version = current(pool_root) if (out_dir / "runs.json").is_file() else None
    if version is None:
        return None
    try:
        manifest = (version.dir / "manifest.json").read_bytes()
    except OSError:
        return None
    nb_dir = Path(notebooks or paths.NOTEBOOKS).resolve()
    key = run_key(*request, pool_root, nb_dir, manifest)
    if unchanged_entries(load_runs(out_dir), key, out_dir) is None:
        return None
    lock = lock_folder(out_dir, wait, echo)
    try:
        runs = load_runs(out_dir)  # again, now that no other run can change it
        entries = unchanged_entries(runs, key, out_dir)
        if entries is None:
            return None
        _safeio.remove_stale_temps(out_dir)
        remove_stale_kernel_files()
        pool_sha = manifest_sha(manifest)
        merged = {e.schluessel: e for e in eintraege(runs)}
        merged.update({e.schluessel: e for e in skipped(entries, pool_sha)})
        write_runs(
            out_dir,
            periode,
            str(pool_root),
            pool_sha,
            merged,
            lauf=runs[LAUF],
            index=False,
            stadt=runs.get("stadt"),
        )
    finally:
        lock.release()
    keys = {e.schluessel for e in entries}
    this_run = [e for e in sorted_entries(merged) if e.schluessel in keys]
    seconds = time.perf_counter() - t0
    return RunResult(periode, out_dir, this_run, seconds, list(runs[LAUF].get("warnungen", [])))
