"""``runs.json`` of a report folder: what each run made, read and written in one place; the
folder's lock; the result of a run."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kennzahlen.core import safeio
from kennzahlen.core.safeio import atomic_write
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.runner.basis import RunnerError, Status
from kennzahlen.runner.eintrag import Eintrag, eintraege

__all__ = ["Eintrag", "RunResult", "eintraege", "load_runs", "sorted_entries", "write_runs"]


@dataclass
class RunResult:
    """What a run did: entries per report, and where the index is."""

    periode: str
    out: Path
    entries: list[Eintrag]
    seconds: float
    warnungen: list[str] = field(default_factory=list)
    #: the PDFs of the run (kennzahlen.runner.pdf.pdfs_im_lauf): {"pdf", "neu", "produkt", "raum"}
    pdfs: list[dict] = field(default_factory=list)

    @property
    def failed(self) -> list[Eintrag]:
        return [e for e in self.entries if e.status == Status.FEHLER]

    @property
    def nicht_erstellt(self) -> list[Eintrag]:
        """Reports not made because the pool holds none of their data for the period (with
        ``grund``)."""
        return [e for e in self.entries if e.status == Status.KEINE_DATEN]

    @property
    def index(self) -> Path:
        return self.out / "index.html"


def load_runs(out: Path) -> dict:
    f = out / "runs.json"
    if f.exists():
        try:
            return json.loads(f.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return {}
    return {}


def lock_folder(out_dir: Path, wait: float, echo) -> safeio.FolderLock:
    """The report folder's lock (a second run waits ``wait`` seconds, then is refused)."""
    try:
        return safeio.FolderLock(out_dir, "Der Berichtsordner", wait=wait, echo=echo).acquire()
    except safeio.LockBusy as exc:
        raise RunnerError(str(exc)) from None


def sorted_entries(merged: Mapping[tuple[int, str], Eintrag] | Iterable[Eintrag]) -> list[Eintrag]:
    """The entries in the order of runs.json: by product, the Gesamtstadt first, then by area."""
    werte = merged.values() if isinstance(merged, Mapping) else merged
    return sorted(werte, key=lambda e: (e.produkt, e.raum != GESAMTSTADT, e.raum))


def write_runs(
    out_dir: Path,
    periode: str,
    root: str | None,
    pool_sha: str | None,
    merged: Mapping[tuple[int, str], Eintrag],
    version_dir: Path | None = None,
    lauf: dict | None = None,
    index: bool = True,
    stadt: dict | None = None,
) -> None:
    """runs.json and index.html for the reports known so far (each replaced atomically).

    ``index=False`` keeps the index page as it is (an unchanged rerun: its reports, Ampel and
    Stand are the same, and the dashboard would need the pool read with pandas).

    ``lauf`` (see :mod:`..rerun`) is written only at the end of a run without failures: while a
    run is under way, runs.json carries none, so a killed run is never taken for a finished one.
    ``stadt``: the identity of the configuration the reports were made with (stadtkennung).
    """
    from kennzahlen.catalog.stadtkennung import SCHLUESSEL
    from kennzahlen.runner.rerun import LAUF

    all_entries = sorted_entries(merged)
    runs: dict[str, object] = {
        "periode": periode,
        "pool": root,
        "pool_manifest_sha256": pool_sha,
        "reports": [e.als_json() for e in all_entries],
    }
    if stadt:
        runs[SCHLUESSEL] = stadt
    if lauf is not None:
        runs[LAUF] = lauf
    write_json(out_dir, runs)
    if index:
        from kennzahlen.runner.index_page import render_index

        atomic_write(out_dir / "index.html", render_index(periode, all_entries, version_dir))


def write_json(out_dir: Path, runs: dict) -> None:
    """Replace ``runs.json`` atomically."""
    atomic_write(Path(out_dir) / "runs.json", json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
