"""In the worker process: the warm kernel, one report executed and exported to HTML."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from kennzahlen.core import paths
from kennzahlen.core import safeio as _safeio
from kennzahlen.core.vocabulary import INTERN, PRODUKTE
from kennzahlen.runner.basis import (
    KERNEL_NAME,
    KERNEL_START_ERRORS,
    TEMPLATE_DIR,
    Status,
    berichtszeitraum,
    schnelle_ausgabepruefung,
    slug,
)
from kennzahlen.runner.eintrag import Eintrag
from kennzahlen.runner.jobs import Job

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager


# ---------------------------------------------------------------------------- in the worker
def _ipc_kernel_manager():
    """A KernelManager on Unix sockets in the temp folder: no TCP ports to collide on.

    Asynchronous, so that nbclient's client is too: with a blocking client nbclient waits for a
    cell's output without end (its time limit never fires, a dead kernel is never noticed)."""
    import tempfile
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            if os.name == "posix":
                # the worker's PID in the names: files of a killed run can be told and removed
                base = os.path.join(
                    tempfile.gettempdir(),
                    f"{KERNEL_FILE_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}",
                )
                kwargs.setdefault("transport", "ipc")
                kwargs.setdefault("ip", base)
                kwargs.setdefault("connection_file", base + ".json")
            super().__init__(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # the kernel's own log lines (shutdown interrupts) would clutter the progress bar;
            # a failing cell's traceback is kept in the executed notebook
            import subprocess

            kw.setdefault("stderr", subprocess.DEVNULL)
            if sys.platform.startswith("linux"):
                kw.setdefault("preexec_fn", _kernel_preexec)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return IPCKernelManager


KERNEL_FILE_PREFIX = "kz-kernel-"


def remove_stale_kernel_files() -> int:
    """Remove sockets and connection files of kernels whose worker process is gone (killed runs)."""
    import tempfile

    removed = 0
    for f in Path(tempfile.gettempdir()).glob(f"{KERNEL_FILE_PREFIX}*"):
        m = re.match(rf"{KERNEL_FILE_PREFIX}(\d+)-[0-9a-f]+", f.name)
        if not m:
            continue  # an older name without PID: whose it is, is unknown
        try:
            os.kill(int(m.group(1)), 0)
            continue  # still running (or the PID was reused): keep
        except ProcessLookupError:
            pass
        except OSError:
            continue
        try:
            f.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _kernel_preexec() -> None:
    """In the kernel process before exec: die when the process that started it dies."""
    _safeio.die_with_parent()


def _worker_init(parent_pid: int) -> None:
    """A pool worker dies with the run that started it (and so do its kernels); it collects its
    youngest generation as rarely as the warm kernel does (the HTML export builds a tree of
    thousands of tags per report: 17 % of the export went to collections)."""
    import gc

    gc.set_threshold(*GC_SCHWELLE)
    _safeio.die_with_parent()
    _safeio.watch_parent(parent_pid)


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(s in text for s in KERNEL_START_ERRORS) or "RuntimeError: Kernel" in text


def output_metadata(nb, key: str) -> list:
    """Collect a metadata entry that notebook outputs carry (key messages, disclosure audit)."""
    found: list = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {})
            if key in meta:
                found.extend(meta[key])
            for sub in meta.values():
                if isinstance(sub, dict) and key in sub:
                    found.extend(sub[key])
    return found


#: this process's HTML exporter: its Jinja templates are compiled once, not once per report
_EXPORTER: dict[str, object] = {}


def _html_exporter():
    """The process's HTMLExporter (no input cells, no prompts, the offline house template)."""
    exporter = _EXPORTER.get("html")
    if exporter is not None:
        return exporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    from kennzahlen.runner.html_export import html_exporter_klasse

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = ("remove_cell", "injected-parameters", "parameters")
    c.TagRemovePreprocessor.remove_input_tags = ("remove_input",)
    c.TagRemovePreprocessor.enabled = True
    # the page's language is German (screen readers pronounce by it; nbconvert's default is "en")
    c.HTMLExporter.language_code = "de"
    # the notebook validated once after all preprocessors, not after each of its 13
    c.HTMLExporter.optimistic_validation = True
    exporter = html_exporter_klasse()(
        config=c, template_name="kennzahlen", extra_template_basedirs=[str(TEMPLATE_DIR)]
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    _EXPORTER["html"] = exporter
    return exporter


def export_html(nb, title: str, bericht: dict | None = None, intern: bool = False) -> str:
    """nbconvert in-process: no input cells, no prompts, the offline house template.

    ``bericht``: the report's identity (product, area, period, city), written into a
    ``<meta name="kennzahlen-bericht">`` that ``kennzahlen mail`` checks every attachment against;
    ``intern``: the page carries the marking 'intern – nicht zur Weitergabe'."""
    import json

    from kennzahlen.core import farben
    from kennzahlen.runner import barrierefrei, navigation

    nb.metadata["title"] = title
    barrierefrei.notebook_tabellen(nb)
    resources = {
        "language_code": "de",
        "kz_ampel_css": farben.ampel_css(),
        "kz_navigation_css": navigation.CSS,
    }
    if bericht is not None:
        resources["kz_bericht"] = json.dumps(bericht, ensure_ascii=False, sort_keys=True)
    if intern:
        resources["kz_intern"] = INTERN
    body, _ = _html_exporter().from_notebook_node(nb, resources=resources)
    return navigation.fuer_leser(body)


def _write_atomic(path: Path, data: str | bytes) -> None:
    _safeio.atomic_write(path, data)


def _sync(coroutine_function):
    """A coroutine function of the (asynchronous) kernel manager, callable without an event loop."""
    from jupyter_core.utils import run_sync

    return run_sync(coroutine_function)


#: the warm kernel of this process (one per worker): kernel start and imports are paid once
class _Warm(TypedDict, total=False):
    km: KernelManager
    cwd: str


_WARM: _Warm = {}
#: the first, hidden cell of every report in a warm kernel: clear the namespace, then move the
#: objects that survive (imported modules, their caches) out of the garbage collector's sight, so
#: the next report's ``%reset`` (two full collections) scans only what that report made; and
#: collect the youngest generation after GC_SCHWELLE new objects instead of Python's 700 (a
#: report makes millions of short-lived objects: charts, frames; 7-10 % of its CPU went to
#: collections that found little). The report's ``%reset`` still collects everything it left.
GC_SCHWELLE = (50_000, 50, 100)
RESET_SOURCE = f"%reset -f\nimport gc as _gc\n_gc.freeze()\n_gc.set_threshold{GC_SCHWELLE}\ndel _gc"


def _warm_kernel(cwd: str):
    """This process's kernel, started on first use and replaced when it has died."""
    km = _WARM.get("km")
    if km is not None and _WARM.get("cwd") == cwd and _sync(km.is_alive)():
        return km
    shutdown_warm_kernel()
    import subprocess
    from multiprocessing import util

    from kennzahlen.charts import behalten

    km = _ipc_kernel_manager()(kernel_name=KERNEL_NAME)
    # a report displays each chart and lets go of it: its figure may serve the next chart
    env = {**os.environ, behalten.UMGEBUNG: "1"}
    for name in (paths.HOME_ENV, paths.CONFIG_ENV):  # the kernel runs in another folder:
        if env.get(name):  # a relative project or config folder is meant from here
            env[name] = str(Path(env[name]).resolve())
    _sync(km.start_kernel)(cwd=cwd, stderr=subprocess.DEVNULL, env=env)
    _WARM["km"], _WARM["cwd"] = km, cwd
    # worker processes end through multiprocessing (atexit does not run there); the
    # finaliser is bound to this kernel only, never to whichever kernel is warm later
    util.Finalize(None, _shutdown_km, args=(km,), exitpriority=10)
    return km


def _shutdown_km(km) -> None:
    try:
        if km.has_kernel:
            _sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass


def shutdown_warm_kernel() -> None:
    """Stop this process's warm kernel, if any."""
    km = _WARM.pop("km", None)
    _WARM.pop("cwd", None)
    if km is not None:
        _shutdown_km(km)


def _with_reset(notebook: str):
    """The notebook with a first, hidden cell that clears the warm kernel's namespace.

    A report must not see anything a previous report left behind; imported modules stay
    cached, which is what makes the warm kernel fast.
    """
    import nbformat
    from nbformat.v4 import new_code_cell

    nb = nbformat.read(notebook, as_version=4)
    cell = new_code_cell(RESET_SOURCE)
    cell.metadata["tags"] = ["remove_cell", "kennzahlen-reset"]
    nb.cells.insert(0, cell)
    return nb


def run_job(job: Job) -> Eintrag:
    """Execute one report (papermill), export it (nbconvert) and return its runs.json entry."""
    schnelle_ausgabepruefung()
    produkt = PRODUKTE[job.produkt]
    base = job.base
    base.parent.mkdir(parents=True, exist_ok=True)
    executed = base.with_suffix(".ipynb")
    t0 = time.perf_counter()
    entry = Eintrag(
        produkt=job.produkt,
        produkt_ordner=produkt.ordner,
        produkt_titel=produkt.titel,
        raum=job.raum,
        slug=slug(job.raum),
        berichtszeitraum=berichtszeitraum(job.produkt, job.periode),
        html=f"{produkt.ordner}/{slug(job.raum)}.html",
        anhaenge=[],
        notebook=f"{produkt.ordner}/{slug(job.raum)}.ipynb",
        input_hash=job.input_hash,
        pool_manifest_sha256=hashlib.sha256(
            (Path(job.pool) / "manifest.json").read_bytes()
        ).hexdigest(),
        erstellt=datetime.now().isoformat(timespec="seconds"),
        status=Status.FEHLER,
    )
    error = _execute_notebook(job, executed)
    if error is not None:
        entry.fehler = _fehler_text(job, error)
        entry.sekunden = round(time.perf_counter() - t0, 2)
        return entry
    nb = lies_ausgefuehrt(executed)
    _write_outputs(job, nb, entry)
    entry.status = Status.OK
    entry.kernaussagen = output_metadata(nb, "kernaussagen")
    entry.zielwerte = output_metadata(nb, "zielwerte")
    entry.sekunden = round(time.perf_counter() - t0, 2)
    return entry


def lies_ausgefuehrt(executed: Path):
    """The executed notebook as ``nbformat.read(executed, as_version=4)`` returns it, without
    that read's validation (it only logs): papermill validated the notebook when it wrote it and
    the HTML export validates it once more (and stops on an invalid one)."""
    from nbformat import converter, reader

    return converter.convert(reader.reads(executed.read_text(encoding="utf8")), 4)


class Zeitlimit(RuntimeError):
    """A cell of the report ran longer than its limit and was stopped."""


def _execute_notebook(job: Job, executed: Path) -> Exception | None:
    """Run the report's notebook in the warm kernel (retried once after a kernel start failure);
    the executed notebook, with its error if any, replaces the old one. The error or None."""
    import papermill
    from nbclient.exceptions import CellTimeoutError

    error = None
    cwd = str(Path(job.notebook).parent)
    for attempt in (1, 2):
        tmp_nb = _safeio.temp_name(executed)
        try:
            papermill.execute_notebook(
                _with_reset(job.notebook),
                str(tmp_nb),
                parameters=job.parameters,
                kernel_name=KERNEL_NAME,
                cwd=cwd,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                execution_timeout=job.zeitlimit,
                km=_warm_kernel(cwd),
            )
            error = None
            break
        except Exception as exc:  # noqa: BLE001 - every failure is reported, the batch goes on
            error = exc
            if isinstance(exc, CellTimeoutError):
                error = Zeitlimit(str(exc))
                shutdown_warm_kernel()  # its cell may still run: the next report gets a new one
                break
            if attempt == 1 and _is_kernel_start_failure(exc):
                _discard(tmp_nb)
                shutdown_warm_kernel()
                time.sleep(1.0)
                continue
            break
        finally:
            # the executed notebook (with its error, if any) replaces the old one in one step,
            # and only when it is complete (a full disk leaves a truncated file: the old one stays)
            if not _ersetze_wenn_vollstaendig(tmp_nb, executed) and error is None:
                error = OSError(
                    f"das ausgeführte Notebook {executed.name} wurde nicht vollständig "
                    "geschrieben (Datenträger voll?); das bisherige bleibt erhalten"
                )
            _discard(tmp_nb)
    return error


def _ersetze_wenn_vollstaendig(tmp_nb: Path, executed: Path) -> bool:
    """Replace ``executed`` by ``tmp_nb`` (synced) when it is a whole notebook; False when
    ``tmp_nb`` is missing or cut off (its JSON does not parse)."""
    import json

    try:
        with open(tmp_nb, "rb") as fh:
            data = fh.read()
            json.loads(data)
            os.fsync(fh.fileno())
    except (OSError, ValueError):
        return False
    os.replace(tmp_nb, executed)
    _safeio.fsync_dir(executed.parent)
    return True


def _fehler_text(job: Job, error: BaseException) -> str:
    """The runs.json 'fehler' of a failed report: a cell over the time limit said plainly."""
    if isinstance(error, Zeitlimit):
        return (
            f"Zeitlimit überschritten: eine Zelle von Produkt {job.produkt} {job.raum} "
            f"({PRODUKTE[job.produkt].titel}) lief länger als {job.zeitlimit} s (kennzahlen "
            "report --zeitlimit); der Bericht wurde abgebrochen, die anderen liefen weiter."
        )
    return _short_error(error)


def _write_outputs(job: Job, nb, entry: Eintrag) -> None:
    """The report's HTML, its attachments and (public products) its disclosure audit."""
    from kennzahlen import products

    produkt = PRODUKTE[job.produkt]
    base = job.base
    zeitraum = entry.berichtszeitraum
    title = f"{produkt.titel} – {job.raum} – {zeitraum}"

    html_text = export_html(nb, title, identitaet(job), intern=not products.is_public(job.produkt))
    _write_atomic(base.with_suffix(".html"), html_text)
    anhaenge = [
        str(Path(rel).relative_to(Path(job.out_dir)))
        for rel in products.anhaenge(job.produkt, Path(job.pool), job.periode, job.raum, base)
    ]
    entry.anhaenge = anhaenge
    out = Path(job.out_dir)
    entry.dateien = {
        rel: hashlib.sha256((out / rel).read_bytes()).hexdigest()
        for rel in [f"{produkt.ordner}/{slug(job.raum)}.html", *anhaenge]
    }
    audit = output_metadata(nb, "disclosure_audit")
    if audit or products.is_public(job.produkt):
        import pandas as pd

        from kennzahlen.disclosure.suppression import AUDIT_COLUMNS, write_audit

        write_audit(pd.DataFrame(audit, columns=AUDIT_COLUMNS), base.with_suffix(".audit.csv"))
        entry.audit = f"{produkt.ordner}/{slug(job.raum)}.audit.csv"


def identitaet(job: Job) -> dict:
    """What a report is: product, area, period, report period and the city configuration (the
    ``<meta name="kennzahlen-bericht">`` of its HTML)."""
    return {
        "produkt": job.produkt,
        "raum": job.raum,
        "periode": job.periode,
        "berichtszeitraum": berichtszeitraum(job.produkt, job.periode),
        "stadt": job.stadt,
    }


def _discard(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    tail = " | ".join(lines[-3:]) if lines else type(exc).__name__
    return f"{type(exc).__name__}: {tail}"[:600]
