"""The report batch: papermill runs, HTML export, runs.json, index page, PDF.

One report = one product notebook for one area and period. Reports run in worker processes
(``spawn``: no kernel is started in the parent; a product's reports stay with the worker that has
them warm, :mod:`kennzahlen.runner.verteilung`), each is retried once on a kernel start
failure, and a failing report is kept as an executed notebook with its error while the
others go on. A report whose inputs (pool, notebook, config, package code, parameters) are
unchanged is skipped unless ``force``.
"""

from __future__ import annotations

from kennzahlen.runner.basis import (
    KEINE_DATEN,
    OFFENE_DATEN,
    RunnerError,
    Status,
    berichtszeitraum,
    check_periode,
    match_areas,
    notebook_parameters,
    slug,
)
from kennzahlen.runner.batch import run
from kennzahlen.runner.eintrag import Eintrag
from kennzahlen.runner.fuellbar import quartale
from kennzahlen.runner.jobs import Job, plan, product_dependencies
from kennzahlen.runner.runs import RunResult
from kennzahlen.runner.worker import (
    export_html,
    remove_stale_kernel_files,
    run_job,
    shutdown_warm_kernel,
)

__all__ = [
    "Eintrag",
    "Job",
    "KEINE_DATEN",
    "OFFENE_DATEN",
    "RunResult",
    "RunnerError",
    "Status",
    "berichtszeitraum",
    "check_periode",
    "export_html",
    "match_areas",
    "notebook_parameters",
    "plan",
    "product_dependencies",
    "quartale",
    "remove_stale_kernel_files",
    "render_index",
    "run",
    "run_job",
    "shutdown_warm_kernel",
    "slug",
]


def __getattr__(name: str):
    """``render_index`` is imported on first use: the index page needs pandas, and an unchanged
    rerun decides without it (:mod:`kennzahlen.runner.rerun`)."""
    if name == "render_index":
        from kennzahlen.runner.index_page import render_index

        return render_index
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
