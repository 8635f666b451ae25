"""Planning a run: one job per report, its input hash, the dependencies of a product."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kennzahlen.core import paths
from kennzahlen.core.vocabulary import PRODUKTE, produkt_nummern_text
from kennzahlen.runner.basis import (
    RunnerError,
    _code_and_config_hash,
    _sha,
    check_periode,
    match_areas,
    notebook_parameters,
    slug,
)
from kennzahlen.runner.fuellbar import _check_pool_has


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
    stadt: dict = field(default_factory=dict)  # the configuration's identity (stadtkennung)
    zeitlimit: int | None = None  # seconds a notebook cell may run (None: no limit)

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
    zeitlimit: float | None = None,
) -> list[Job]:
    """The jobs of a run, each with its parameters checked and its input hash computed.

    Refused (RunnerError) when the pool or the report folder belongs to another city
    configuration (:mod:`kennzahlen.catalog.stadtkennung`). ``zeitlimit``: seconds a notebook cell
    may run."""
    from kennzahlen.catalog.geography import areas

    check_periode(periode)
    pool = Path(pool or paths.PROCESSED).resolve()
    out = _check_out(Path(out or paths.REPORTS)).resolve() / periode
    notebooks = Path(notebooks or paths.NOTEBOOKS).resolve()
    version, manifest_data = _pool_version(pool)
    valid = areas()
    kennung = _check_stadt(pool, manifest_data, out, valid)
    ohne_daten = _check_pool_has(version.dir, periode)
    raeume = match_areas(raeume, valid) if raeume else valid
    produkte = produkte or sorted(PRODUKTE)
    base_hash = _code_and_config_hash()
    pool_bytes = version.manifest_bytes
    jobs = []
    for nr in produkte:
        params = {"periode": periode, "sozialraum": None, "pool": str(pool)}
        nb = _notebook(nr, notebooks, params)
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
            job = Job(nr, raum, periode, str(version.dir), str(out), str(nb), h, run_params)
            job.pool_root, job.keine_daten = str(pool), ohne_daten.get(nr, "")
            job.stadt, job.zeitlimit = kennung.stempel(), _sekunden(zeitlimit)
            jobs.append(job)
    return jobs


def _sekunden(zeitlimit: float | None) -> int | None:
    """A cell's time limit in whole seconds (nbclient takes an int), None for none."""
    import math

    return math.ceil(zeitlimit) if zeitlimit else None


def _check_stadt(pool: Path, manifest: dict, out: Path, valid: list[str]):
    """The configuration's identity; RunnerError when the pool or the report folder belongs to
    another city (or the pool to another catalog)."""
    from kennzahlen.catalog.stadtkennung import SCHLUESSEL, FremdeStadt, aktuell, pruefe

    kennung = aktuell()
    try:
        pruefe(
            manifest.get(SCHLUESSEL),
            f"Der Datenpool {pool}",
            kennung,
            "erst `kennzahlen pool` mit dieser Konfiguration ausführen.",
        )
        runs_file = out / "runs.json"
        runs = json.loads(runs_file.read_text(encoding="utf-8")) if runs_file.is_file() else {}
        if not isinstance(runs, dict):
            runs = {}
        pruefe(runs.get(SCHLUESSEL), f"Der Berichtsordner {out}", kennung, "", katalog=False)
    except FremdeStadt as exc:
        raise RunnerError(str(exc)) from None
    except ValueError:
        runs = {}  # an unreadable runs.json is rewritten by the run
    fremd = sorted(
        {str(e.get("raum")) for e in runs.get("reports", []) if isinstance(e, dict)} - set(valid)
    )
    if SCHLUESSEL not in runs and fremd:
        raise RunnerError(
            f"Der Berichtsordner {out} hält Berichte über Gebiete, die die Konfiguration "
            f"{kennung.ordner} nicht kennt ({', '.join(fremd)}): er gehört zu einer anderen Stadt. "
            "Bitte einen eigenen Berichtsordner angeben (--out)."
        )
    return kennung


def _pool_version(pool: Path):
    """The pool's current version and its manifest; RunnerError without a readable pool."""
    from kennzahlen.pool.store import current

    version = current(pool)
    if version is None:
        raise RunnerError(f"Kein Datenpool in {pool}: erst `kennzahlen pool` ausführen.")
    try:
        return version, version.manifest
    except ValueError:
        raise RunnerError(
            f"{pool / 'manifest.json'} ist kein gültiges JSON: den Datenpool neu bauen "
            f"(`kennzahlen pool`)."
        ) from None


def _notebook(nr: int, notebooks: Path, params: dict) -> Path:
    """The product's notebook; RunnerError for an unknown product, a missing notebook or a
    parameter the notebook does not declare."""
    if nr not in PRODUKTE:
        raise RunnerError(f"Produkt {nr} gibt es nicht ({produkt_nummern_text()})")
    nb = notebooks / PRODUKTE[nr].notebook
    if not nb.exists():
        raise RunnerError(f"Notebook fehlt: {nb}")
    allowed = notebook_parameters(nb)
    bad = sorted(set(params) - allowed)
    if bad:
        raise RunnerError(
            f"{nb.name}: unbekannte(r) Parameter {', '.join(bad)} (erlaubt: "
            f"{', '.join(sorted(allowed))})"
        )
    return nb


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


#: the pool tables of the Sozialindex (Produkt 1 reads them)
SOZIALINDEX_DATEIEN = ("sozialindex.parquet", "sozialindex_indikatoren.parquet")


def product_dependencies(produkt: int, manifest: dict) -> bytes:
    """The part of the pool a product's reports read, as bytes to hash (empty: use the whole pool).

    Products 1–3 read the Kennzahlen the catalog assigns to them (``produkt:``) and the Stand of
    the raw tables behind those (Produkt 1 also the Sozialindex tables); Produkt 4 reads the Ampel
    tables and every table's Stand; 2 and 4 also the steering tables they show (explanations,
    staff, measures). So a late export of one table redoes only the reports that show it.
    """
    from kennzahlen.catalog.model import load_catalog

    kz_hashes, stand = manifest.get("kennzahlen"), manifest.get("stand")
    if not kz_hashes or stand is None:
        return b""
    from kennzahlen.steuerung.tabellen import abhaengigkeiten

    if produkt == 4:
        dateien = manifest.get("dateien", {})
        deps = {f: dateien.get(f) for f in ("ampel.parquet", "ampel_details.parquet")}
        deps["stand"] = stand
        deps.update(abhaengigkeiten(produkt, manifest))
        # the city's own values beside the comparison values of other cities (issue 30)
        ring = [k.id for k in load_catalog().kennzahlen if 3 in k.produkt and k.erhoben]
        deps["kennzahlen"] = {k: kz_hashes.get(k) for k in ring}
    else:
        catalog = load_catalog()
        kennzahlen = [k for k in catalog.kennzahlen if produkt in k.produkt and k.erhoben]
        tables = sorted({t for k in kennzahlen for t in catalog.tables_of(k)})
        deps = {
            "kennzahlen": {k.id: kz_hashes.get(k.id) for k in kennzahlen},
            "stand": {t: stand.get(t) for t in tables},
            **abhaengigkeiten(produkt, manifest),
        }
        if produkt == 1:  # the Sozialindex tables (their config is in the code/config hash)
            dateien = manifest.get("dateien", {})
            deps["sozialindex"] = {f: dateien.get(f) for f in SOZIALINDEX_DATEIEN}
    return json.dumps(deps, sort_keys=True).encode()
