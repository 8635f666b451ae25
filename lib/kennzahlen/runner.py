"""The batch runner: execute the product notebooks with papermill, export self-contained HTML.

One report = one product notebook for one area and period. Reports run in a process pool
(``spawn``: no kernel is started in the parent), each is retried once on a kernel start
failure, and a failing report is kept as an executed notebook with its error while the
others go on. A report whose inputs (pool, notebook, config, package code, parameters) are
unchanged is skipped unless ``force``.
"""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
import os
import re
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from . import __version__, paths
from . import safeio as _safeio
from .periods import (
    QUARTALSENDE_MUSTER,
    ist_quartal,
    letztes_volles_jahr,
    quartal_von_tag,
    quartale_range,
    stichtag,
    teile,
)
from .schema import GESAMTSTADT
from .vocabulary import PRODUKTE

KERNEL_NAME = "python3"
TEMPLATE_DIR = Path(__file__).parent / "templates"
KERNEL_START_ERRORS = (
    "Address already in use",
    "Kernel didn't respond",
    "Kernel died",
    "DeadKernelError",
    "kernel died",
    "Timeout waiting for kernel_info reply",
)


class RunnerError(ValueError):
    """A report request that cannot run (unknown parameter, bad period, missing pool)."""


#: runs.json status of a report not made because the pool holds none of its data for the period
KEINE_DATEN = "keine_daten"


def slug(name: str) -> str:
    """A file-name-safe form of an area name: 'Nord / Ost' -> 'nord-ost', 'Süd' -> 'sued'."""
    s = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def check_periode(periode: str) -> str:
    """Validate a quarter label 'YYYY-Qn' (years 1900–2100)."""
    if not ist_quartal(periode):
        raise RunnerError(f"Periode '{periode}' ungültig: erwartet JJJJ-Qn, z. B. 2023-Q4")
    if not 1900 <= teile(periode)[0] <= 2100:
        raise RunnerError(
            f"Periode '{periode}' ungültig: das Jahr muss zwischen 1900 und 2100 liegen"
        )
    return periode


def nfc(text: str) -> str:
    """A name in Unicode NFC form (an umlaut typed with a combining mark equals the composed one)."""
    return unicodedata.normalize("NFC", str(text))


def match_areas(raeume: list[str], valid: list[str]) -> list[str]:
    """The configured spelling of each requested area, compared after NFC and trimming."""
    known = {nfc(v).strip(): v for v in valid}
    unknown = [r for r in raeume if nfc(r).strip() not in known]
    if unknown:
        raise RunnerError(
            f"Unbekannte(r) Raum/Räume: {', '.join(unknown)} (bekannt: {', '.join(valid)})"
        )
    return list(dict.fromkeys(known[nfc(r).strip()] for r in raeume))


def berichtszeitraum(produkt: int, periode: str) -> str:
    """The period a product reports for a run quarter: the quarter, or the last complete year."""
    check_periode(periode)
    if not PRODUKTE[produkt].jaehrlich:
        return periode
    return str(letztes_volles_jahr(periode))


def notebook_parameters(notebook: Path) -> set[str]:
    """The names in the notebook's `parameters` cell (papermill.inspect_notebook)."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)).keys())


def _sha(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for c in chunks:
        h.update(hashlib.sha256(c).digest())
    return h.hexdigest()


def _code_and_config_hash() -> str:
    files = sorted(Path(__file__).parent.rglob("*.py")) + sorted(
        p for p in (paths.CONFIG).glob("*") if p.is_file()
    )
    files += sorted((TEMPLATE_DIR).rglob("*.j2"))
    return _sha(__version__.encode(), *(f.name.encode() + f.read_bytes() for f in files))


@dataclass
class Job:
    """One report to make."""

    produkt: int
    raum: str
    periode: str
    pool: str
    out_dir: str
    notebook: str
    input_hash: str = ""
    parameters: dict = field(default_factory=dict)
    pool_root: str = ""
    keine_daten: str = ""  # why the report is not made (the pool holds none of its data), else ''

    @property
    def base(self) -> Path:
        return Path(self.out_dir) / PRODUKTE[self.produkt].ordner / slug(self.raum)


def plan(
    periode: str,
    produkte: list[int] | None = None,
    raeume: list[str] | None = None,
    pool: Path | None = None,
    out: Path | None = None,
    notebooks: Path | None = None,
) -> list[Job]:
    """The jobs of a run, each with its parameters checked and its input hash computed."""
    from .geography import areas
    from .poolstore import current

    check_periode(periode)
    pool = Path(pool or paths.PROCESSED).resolve()
    out = _check_out(Path(out or paths.REPORTS)).resolve() / periode
    notebooks = Path(notebooks or paths.NOTEBOOKS).resolve()
    version = current(pool)
    if version is None:
        raise RunnerError(f"Kein Datenpool in {pool}: erst `kennzahlen pool` ausführen.")
    try:
        manifest_data = version.manifest
    except ValueError:
        raise RunnerError(
            f"{pool / 'manifest.json'} ist kein gültiges JSON: den Datenpool neu bauen "
            f"(`kennzahlen pool`)."
        ) from None
    ohne_daten = _check_pool_has(version.dir, periode)
    valid = areas()
    raeume = match_areas(raeume, valid) if raeume else valid
    produkte = produkte or sorted(PRODUKTE)
    base_hash = _code_and_config_hash()
    pool_bytes = version.manifest_bytes
    jobs = []
    for nr in produkte:
        if nr not in PRODUKTE:
            raise RunnerError(f"Produkt {nr} gibt es nicht (1, 2, 3, 4)")
        nb = notebooks / PRODUKTE[nr].notebook
        if not nb.exists():
            raise RunnerError(f"Notebook fehlt: {nb}")
        params = {"periode": periode, "sozialraum": None, "pool": str(pool)}
        allowed = notebook_parameters(nb)
        bad = sorted(set(params) - allowed)
        if bad:
            raise RunnerError(
                f"{nb.name}: unbekannte(r) Parameter {', '.join(bad)} (erlaubt: {', '.join(sorted(allowed))})"
            )
        nb_bytes = nb.read_bytes()
        deps = product_dependencies(nr, manifest_data)
        for raum in raeume:
            p = {**params, "sozialraum": raum}
            h = _sha(
                base_hash.encode(),
                deps or pool_bytes,
                nb_bytes,
                json.dumps(p, sort_keys=True).encode(),
            )
            # the notebook reads the pool version planned here, also if a new one appears meanwhile
            run_params = {**p, "pool": str(version.dir)}
            jobs.append(
                Job(
                    nr,
                    raum,
                    periode,
                    str(version.dir),
                    str(out),
                    str(nb),
                    h,
                    run_params,
                    str(pool),
                    ohne_daten.get(nr, ""),
                )
            )
    return jobs


def _check_out(out: Path) -> Path:
    """Refuse an output folder that is a file (or lies below one)."""
    for p in (out, *out.parents):
        if p.exists():
            if not p.is_dir():
                raise RunnerError(
                    f"--out {out}: {p} ist eine Datei, kein Ordner; bitte einen Ordner angeben."
                )
            break
    return out


def _read_pool_periods(pool: Path):
    """The pool's Kennzahlen (kennzahl, ebene, raum, periode, wert) and Ampel details, or None."""
    import pandas as pd

    file = pool / "kennzahlen.parquet"
    if not file.exists():
        return None
    try:
        daten = pd.read_parquet(
            file, columns=["kennzahl", "ebene", "raum", "periode", "zaehler", "nenner", "wert"]
        )
        details_file = pool / "ampel_details.parquet"
        details = (
            pd.read_parquet(details_file, columns=["quartal", "wert"])
            if details_file.exists()
            else None
        )
    except Exception as exc:  # noqa: BLE001 - any unreadable pool file: one clear message
        raise RunnerError(
            f"{file} ist nicht lesbar ({type(exc).__name__}): den Datenpool neu bauen "
            f"(`kennzahlen pool`)."
        ) from None
    return daten, details


def _quarters_of(daten, details) -> list[str]:
    """Every quarter from the first to the last quarter end the pool holds a value for."""
    import pandas as pd

    perioden = pd.Series(daten["periode"].unique(), dtype=str)
    tage = perioden[perioden.str.fullmatch(QUARTALSENDE_MUSTER)]
    quartale = {quartal_von_tag(t) for t in tage}
    quartale |= set(perioden[perioden.map(ist_quartal)])
    if details is not None:
        quartale |= set(details["quartal"].unique())
    if not quartale:
        return []
    return quartale_range(min(quartale), max(quartale))


def quartale(pool: Path | str | None = None) -> dict[int, list[str]]:
    """Per product, the run quarters (JJJJ-Qn) whose report the pool can fill, before any kernel starts.

    A yearly product (1, 3) fills a quarter when the pool holds its data for the year it reports
    then (:func:`berichtszeitraum`); only quarters up to the pool's last quarter end count.
    """
    from .poolstore import current_dir

    gelesen = _read_pool_periods(current_dir(Path(pool or paths.PROCESSED)))
    if gelesen is None:
        return {nr: [] for nr in PRODUKTE}
    return _fuellbar(*gelesen)


def _fuellbar(daten, details) -> dict[int, list[str]]:
    from .products import berichtsperioden

    alle = _quarters_of(daten, details)
    perioden = berichtsperioden(daten, details)
    return {nr: [q for q in alle if berichtszeitraum(nr, q) in perioden[nr]] for nr in PRODUKTE}


def _check_pool_has(pool: Path, periode: str) -> dict[int, str]:
    """Per product without any of its data for the period: why (German). Refuse a quarter the pool
    holds nothing for (instead of 24 empty reports)."""
    from .products import keine_daten

    gelesen = _read_pool_periods(pool)
    if gelesen is None:
        return {}
    fuellbar = _fuellbar(*gelesen)
    alle = _quarters_of(*gelesen)
    if not any(periode in qs for qs in fuellbar.values()):
        tag = stichtag(periode)
        if not alle:
            bereich = "Der Datenpool enthält kein Quartal."
        else:
            bereich = f"Er enthält die Quartale {alle[0]} bis {alle[-1]}."
        neu = " Fehlen neue Exporte in data/raw/?" if not alle or periode > alle[-1] else ""
        raise RunnerError(
            f"Der Datenpool enthält keine Daten zum Stichtag {tag} ({periode}), für keines der "
            f"Produkte. {bereich}{neu}"
        )
    return {
        nr: keine_daten(nr, berichtszeitraum(nr, periode), pool)
        for nr, qs in fuellbar.items()
        if periode not in qs
    }


SOZIALINDEX_DATEIEN = ("sozialindex.parquet", "sozialindex_indikatoren.parquet")


def product_dependencies(produkt: int, manifest: dict) -> bytes:
    """The part of the pool a product's reports read, as bytes to hash (empty: use the whole pool).

    Products 1–3 read the Kennzahlen the catalog assigns to them (``produkt:``) and the Stand of
    the raw tables behind those (Produkt 1 also the Sozialindex tables); Produkt 4 reads the Ampel tables and every table's Stand. So a
    late export of one table redoes only the reports that show it.
    """
    from .catalog import load_catalog

    kz_hashes, stand = manifest.get("kennzahlen"), manifest.get("stand")
    if not kz_hashes or stand is None:
        return b""
    if produkt == 4:
        dateien = manifest.get("dateien", {})
        deps = {f: dateien.get(f) for f in ("ampel.parquet", "ampel_details.parquet")}
        deps["stand"] = stand
    else:
        catalog = load_catalog()
        kennzahlen = [k for k in catalog.kennzahlen if produkt in k.produkt and k.erhoben]
        tables = sorted({t for k in kennzahlen for t in catalog.tables_of(k)})
        deps = {
            "kennzahlen": {k.id: kz_hashes.get(k.id) for k in kennzahlen},
            "stand": {t: stand.get(t) for t in tables},
        }
        if produkt == 1:  # the Sozialindex tables (their config is in the code/config hash)
            dateien = manifest.get("dateien", {})
            deps["sozialindex"] = {f: dateien.get(f) for f in SOZIALINDEX_DATEIEN}
    return json.dumps(deps, sort_keys=True).encode()


# ---------------------------------------------------------------------------- in the worker
def _ipc_kernel_manager():
    """A KernelManager on Unix sockets in the temp folder: no TCP ports to collide on."""
    import tempfile
    import uuid

    from jupyter_client.manager import KernelManager

    class IPCKernelManager(KernelManager):
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
    """A pool worker dies with the run that started it (and so do its kernels)."""
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


def export_html(nb, title: str) -> str:
    """nbconvert in-process: no input cells, no prompts, the offline house template."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = ("remove_cell", "injected-parameters", "parameters")
    c.TagRemovePreprocessor.remove_input_tags = ("remove_input",)
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=c, template_name="kennzahlen", extra_template_basedirs=[str(TEMPLATE_DIR)]
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"language_code": "de"})
    return body


def _write_atomic(path: Path, data: str | bytes) -> None:
    _safeio.atomic_write(path, data)


#: the warm kernel of this process (one per worker): kernel start and imports are paid once
_WARM: dict[str, object] = {}
RESET_SOURCE = "%reset -f"


def _warm_kernel(cwd: str):
    """This process's kernel, started on first use and replaced when it has died."""
    km = _WARM.get("km")
    if km is not None and _WARM.get("cwd") == cwd and km.is_alive():
        return km
    shutdown_warm_kernel()
    import subprocess
    from multiprocessing import util

    km = _ipc_kernel_manager()(kernel_name=KERNEL_NAME)
    km.start_kernel(cwd=cwd, stderr=subprocess.DEVNULL)
    _WARM.update(km=km, cwd=cwd)
    # worker processes end through multiprocessing (atexit does not run there); the
    # finaliser is bound to this kernel only, never to whichever kernel is warm later
    util.Finalize(None, _shutdown_km, args=(km,), exitpriority=10)
    return km


def _shutdown_km(km) -> None:
    try:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
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


def run_job(job: Job) -> dict:
    """Execute one report (papermill), export it (nbconvert) and return its runs.json entry."""
    import nbformat
    import papermill

    produkt = PRODUKTE[job.produkt]
    base = job.base
    base.parent.mkdir(parents=True, exist_ok=True)
    executed = base.with_suffix(".ipynb")
    t0 = time.perf_counter()
    entry = {
        "produkt": job.produkt,
        "produkt_ordner": produkt.ordner,
        "produkt_titel": produkt.titel,
        "raum": job.raum,
        "slug": slug(job.raum),
        "berichtszeitraum": berichtszeitraum(job.produkt, job.periode),
        "html": f"{produkt.ordner}/{slug(job.raum)}.html",
        "anhaenge": [],
        "notebook": f"{produkt.ordner}/{slug(job.raum)}.ipynb",
        "input_hash": job.input_hash,
        "pool_manifest_sha256": hashlib.sha256(
            (Path(job.pool) / "manifest.json").read_bytes()
        ).hexdigest(),
        "erstellt": datetime.now().isoformat(timespec="seconds"),
    }
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
                km=_warm_kernel(cwd),
            )
            error = None
            break
        except Exception as exc:  # noqa: BLE001 - every failure is reported, the batch goes on
            error = exc
            if attempt == 1 and _is_kernel_start_failure(exc):
                _discard(tmp_nb)
                shutdown_warm_kernel()
                time.sleep(1.0)
                continue
            break
        finally:
            # the executed notebook (with its error, if any) replaces the old one in one step
            if tmp_nb.exists() and tmp_nb.stat().st_size:
                os.replace(tmp_nb, executed)
            _discard(tmp_nb)
    if error is not None:
        entry.update(
            status="fehler", fehler=_short_error(error), sekunden=round(time.perf_counter() - t0, 2)
        )
        return entry
    nb = nbformat.read(executed, as_version=4)
    zeitraum = entry["berichtszeitraum"]
    title = f"{produkt.titel} – {job.raum} – {zeitraum}"
    _write_atomic(base.with_suffix(".html"), export_html(nb, title))
    from . import products

    for rel in products.anhaenge(job.produkt, Path(job.pool), job.periode, job.raum, base):
        entry["anhaenge"].append(str(Path(rel).relative_to(Path(job.out_dir))))
    audit = output_metadata(nb, "disclosure_audit")
    if audit or products.is_public(job.produkt):
        import pandas as pd

        from .disclosure import AUDIT_COLUMNS, write_audit

        write_audit(pd.DataFrame(audit, columns=AUDIT_COLUMNS), base.with_suffix(".audit.csv"))
        entry["audit"] = f"{produkt.ordner}/{slug(job.raum)}.audit.csv"
    entry.update(
        status="ok",
        fehler=None,
        kernaussagen=output_metadata(nb, "kernaussagen"),
        sekunden=round(time.perf_counter() - t0, 2),
    )
    return entry


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


# ---------------------------------------------------------------------------- the batch
@dataclass
class RunResult:
    """What a run did: entries per report, and where the index is."""

    periode: str
    out: Path
    entries: list[dict]
    seconds: float
    warnungen: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[dict]:
        return [e for e in self.entries if e["status"] == "fehler"]

    @property
    def nicht_erstellt(self) -> list[dict]:
        """Reports not made because the pool holds none of their data for the period (with ``grund``)."""
        return [e for e in self.entries if e["status"] == KEINE_DATEN]

    @property
    def index(self) -> Path:
        return self.out / "index.html"


def _load_runs(out: Path) -> dict:
    f = out / "runs.json"
    if f.exists():
        try:
            return json.loads(f.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return {}
    return {}


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
) -> RunResult:
    """Make every requested report; skip unchanged ones; keep runs.json and index.html current.

    One run per output folder at a time (a second one waits ``wait`` seconds, then is refused
    with the holder's PID, host and start). runs.json and the index are rewritten (atomically)
    after every finished report, so a killed run loses only the reports in progress.
    """
    t0 = time.perf_counter()
    jobs = plan(periode, produkte, raeume, pool, out, notebooks)
    out_dir = Path(jobs[0].out_dir) if jobs else Path(out or paths.REPORTS) / periode
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        lock = _safeio.FolderLock(out_dir, "Der Berichtsordner", wait=wait, echo=echo).acquire()
    except _safeio.LockBusy as exc:
        raise RunnerError(str(exc)) from None
    try:
        _safeio.remove_stale_temps(out_dir)
        remove_stale_kernel_files()
        return _run_locked(periode, jobs, out_dir, force, workers, progress, t0)
    finally:
        lock.release()


def _run_locked(
    periode: str,
    jobs: list[Job],
    out_dir: Path,
    force: bool,
    workers: int | None,
    progress: bool,
    t0: float,
) -> RunResult:
    previous = {(e["produkt"], e["raum"]): e for e in _load_runs(out_dir).get("reports", [])}
    version_dir = Path(jobs[0].pool) if jobs else None
    manifest = version_dir / "manifest.json" if version_dir else None
    pool_sha = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest else None
    todo, entries = [], []
    for job in jobs:
        prev = previous.get((job.produkt, job.raum))
        if job.keine_daten:
            entries.append(_keine_daten_entry(job, pool_sha))
        elif (
            not force
            and prev
            and prev.get("status") in ("ok", "uebersprungen")
            and prev.get("input_hash") == job.input_hash
            and job.base.with_suffix(".html").exists()
        ):
            entries.append({**prev, "status": "uebersprungen", "pool_manifest_sha256": pool_sha})
        else:
            todo.append(job)
    merged = {**previous, **{(e["produkt"], e["raum"]): e for e in entries}}
    root = jobs[0].pool_root if jobs else None

    def record(entry: dict | None = None) -> None:
        if entry is not None:
            merged[(entry["produkt"], entry["raum"])] = entry
        _write_runs(out_dir, periode, root, pool_sha, merged)

    record()
    if todo:
        with _hold(version_dir):
            for entry in _execute(todo, workers, progress, on_result=record):
                entries.append(entry)
    keys = {(j.produkt, j.raum) for j in jobs}
    this_run = [e for e in _sorted_entries(merged) if (e["produkt"], e["raum"]) in keys]
    from .geography import polygon_warnungen

    warnungen = (
        polygon_warnungen() if any(j.produkt == 1 and not j.keine_daten for j in jobs) else []
    )
    return RunResult(periode, out_dir, this_run, time.perf_counter() - t0, warnungen)


def _keine_daten_entry(job: Job, pool_sha: str | None) -> dict:
    """The runs.json entry of a report not made for lack of data: no HTML, the reason in ``grund``."""
    produkt = PRODUKTE[job.produkt]
    return {
        "produkt": job.produkt,
        "produkt_ordner": produkt.ordner,
        "produkt_titel": produkt.titel,
        "raum": job.raum,
        "slug": slug(job.raum),
        "berichtszeitraum": berichtszeitraum(job.produkt, job.periode),
        "html": None,
        "anhaenge": [],
        "input_hash": job.input_hash,
        "pool_manifest_sha256": pool_sha,
        "erstellt": datetime.now().isoformat(timespec="seconds"),
        "status": KEINE_DATEN,
        "fehler": None,
        "grund": job.keine_daten,
    }


def _hold(version_dir: Path | None):
    """Keep the pool version the reports read from being pruned by a pool build meanwhile."""
    import contextlib

    return (
        _safeio.shared_hold(version_dir / "manifest.json")
        if version_dir
        else contextlib.nullcontext()
    )


def _sorted_entries(merged: dict) -> list[dict]:
    return sorted(
        merged.values(), key=lambda e: (e["produkt"], e["raum"] != GESAMTSTADT, e["raum"])
    )


def _write_runs(
    out_dir: Path, periode: str, root: str | None, pool_sha: str | None, merged: dict
) -> None:
    """runs.json and index.html for the reports known so far (each replaced atomically)."""
    all_entries = _sorted_entries(merged)
    runs = {
        "periode": periode,
        "pool": root,
        "pool_manifest_sha256": pool_sha,
        "reports": all_entries,
    }
    _write_atomic(out_dir / "runs.json", json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
    _write_atomic(out_dir / "index.html", render_index(periode, all_entries))


def _execute(jobs: list[Job], workers: int | None, progress: bool, on_result=None) -> list[dict]:
    from tqdm.auto import tqdm

    n = max(1, min(len(jobs), workers or os.cpu_count() or 1))
    results: list[dict] = []
    bar = tqdm(total=len(jobs), desc="Berichte", unit="Bericht", disable=not progress)

    def done(entry: dict) -> None:
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
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=n, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
        ) as pool:
            futures = {pool.submit(run_job, job): job for job in jobs}
            for fut in as_completed(futures):
                job = futures[fut]
                try:
                    entry = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker fails only its report
                    entry = {
                        **asdict(job),
                        "status": "fehler",
                        "fehler": _short_error(exc),
                        "raum": job.raum,
                        "produkt": job.produkt,
                        "html": f"{PRODUKTE[job.produkt].ordner}/{slug(job.raum)}.html",
                    }
                done(entry)
    bar.close()
    return results


STATUS_TEXT = {
    "ok": "neu erstellt",
    "uebersprungen": "unverändert",
    "fehler": "FEHLER",
    KEINE_DATEN: "nicht erstellt (keine Daten)",
}


def render_index(periode: str, entries: list[dict]) -> str:
    """The index page linking every report of a period (self-contained HTML)."""
    from .geography import areas

    rows = []
    by_key = {(e["produkt"], e["raum"]): e for e in entries}
    header = "".join(f"<th>{html.escape(a)}</th>" for a in areas())
    for nr, prod in PRODUKTE.items():
        cells = []
        for raum in areas():
            e = by_key.get((nr, raum))
            if e is None:
                cells.append("<td>–</td>")
            elif e["status"] == "fehler":
                cells.append(
                    f'<td class="fehler" title="{html.escape(str(e.get("fehler", "")))}">Fehler</td>'
                )
            elif e["status"] == KEINE_DATEN:
                cells.append(
                    f'<td class="keine-daten" title="{html.escape(str(e.get("grund", "")))}">'
                    f"nicht erstellt: keine Daten</td>"
                )
            else:
                extra = "".join(
                    f' · <a href="{html.escape(a)}">{html.escape(Path(a).suffix[1:].upper())}</a>'
                    for a in e.get("anhaenge", [])
                    if not a.endswith(".csv")
                )
                cells.append(f'<td><a href="{html.escape(e["html"])}">Bericht</a>{extra}</td>')
        zeitraum = berichtszeitraum(nr, periode)
        rows.append(
            f"<tr><th>{nr} {html.escape(prod.titel)}<br><small>Berichtszeitraum {html.escape(zeitraum)}</small></th>{''.join(cells)}</tr>"
        )
    failed = [e for e in entries if e["status"] == "fehler"]
    fail_html = ""
    if failed:
        items = "".join(
            f"<li>Produkt {e['produkt']}, {html.escape(e['raum'])}: {html.escape(str(e.get('fehler')))}</li>"
            for e in failed
        )
        fail_html = f'<h2>Fehlgeschlagene Berichte</h2><ul class="fehler">{items}</ul>'
    ohne = {}
    for e in entries:
        if e["status"] == KEINE_DATEN:
            ohne.setdefault(e["produkt"], e)
    ohne_html = ""
    if ohne:
        items = "".join(
            f"<li>Produkt {nr} {html.escape(PRODUKTE[nr].titel)} (Berichtszeitraum "
            f"{html.escape(str(e.get('berichtszeitraum', '')))}): {html.escape(str(e.get('grund', '')))}</li>"
            for nr, e in sorted(ohne.items())
        )
        ohne_html = f'<h2>Nicht erstellte Berichte</h2><ul class="keine-daten">{items}</ul>'
    stamp = datetime.now().strftime("%d.%m.%Y %H:%M")
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kennzahlensystem Soziales – Berichte {html.escape(periode)}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1100px; margin: 2rem auto; color: #1f2933; }}
h1 {{ border-bottom: 3px solid #0072B2; padding-bottom: .2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #cbd2d9; padding: .5em; text-align: left; vertical-align: top; }}
thead th {{ background: #eef4fa; }}
td.fehler, ul.fehler {{ color: #b00020; font-weight: bold; }}
td.keine-daten {{ color: #52606d; }}
a {{ color: #0b5394; }}
</style></head>
<body>
<h1>Kennzahlensystem Soziales – Berichte {html.escape(periode)}</h1>
<p>Abteilung Soziales. Stand der Berichte: {stamp}. Jahresprodukte (1 und 3) zeigen das letzte vollständige Jahr.</p>
<table><thead><tr><th>Produkt</th>{header}</tr></thead><tbody>
{"".join(rows)}
</tbody></table>
{ohne_html}
{fail_html}
</body></html>
"""
