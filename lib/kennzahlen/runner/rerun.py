"""An unchanged rerun, decided before pandas, papermill or a kernel is imported.

A finished report run stores in ``runs.json`` (``lauf``) one key over everything its reports
depend on — package code, config and templates (as in every report's input hash), the pool
version's manifest, the product notebooks and the request (period, products, areas, pool) — with
the reports it made, the areas in the order of the index page and its warnings. A later run with
the same key, whose reports all exist, has nothing to do: it marks them ``uebersprungen``, writes
``runs.json`` and ``index.html`` again and prints the same summary, without reading the pool.
Anything else (another request, a new pool, a changed file, a missing or failed report, ``--force``)
takes the normal way through :func:`kennzahlen.runner.plan`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from kennzahlen.runner.basis import GEMACHT, Status
from kennzahlen.runner.eintrag import Eintrag, eintraege

LAUF = "lauf"
#: what a report run was asked for: the period, the products and the areas (None: all)
Request = tuple[str, list[int] | None, list[str] | None]


def run_key(
    periode: str,
    produkte: list[int] | None,
    raeume: list[str] | None,
    pool_root: Path,
    notebooks: Path,
    manifest: bytes,
) -> str | None:
    """The key of a run request over all its inputs (None when a notebook is missing)."""
    from kennzahlen.core.vocabulary import PRODUKTE
    from kennzahlen.runner.basis import _code_and_config_hash, _sha, nfc

    chunks = [_code_and_config_hash().encode(), manifest]
    for nr in sorted(set(produkte or PRODUKTE)):
        if nr not in PRODUKTE:
            return None
        nb = notebooks / PRODUKTE[nr].notebook
        try:
            chunks.append(nb.read_bytes())
        except OSError:
            return None
    request = {
        "periode": periode,
        "produkte": sorted(set(produkte or PRODUKTE)),
        "raeume": sorted({nfc(r).strip() for r in raeume}) if raeume else None,
        "pool": str(pool_root),
    }
    chunks.append(json.dumps(request, sort_keys=True).encode())
    return _sha(*chunks)


def lauf_record(key: str, entries: list[Eintrag], raeume: list[str], warnungen: list[str]) -> dict:
    """What runs.json keeps of a finished run, for the next run to compare against."""
    return {
        "schluessel": key,
        "berichte": [[e.produkt, e.raum] for e in entries],
        "raeume": list(raeume),
        "warnungen": list(warnungen),
    }


def unchanged_entries(runs: dict, key: str | None, out_dir: Path) -> list[Eintrag] | None:
    """The reports of the last run when its key is ``key`` and every one of them is there, else
    None."""
    lauf = runs.get(LAUF)
    if not key or not isinstance(lauf, dict) or lauf.get("schluessel") != key:
        return None
    try:
        by_key = {e.schluessel: e for e in eintraege(runs)}
    except (KeyError, TypeError, ValueError):
        return None  # an entry this version cannot read: the normal way rewrites it
    entries = []
    for produkt, raum in lauf.get("berichte", []):
        e = by_key.get((produkt, raum))
        if e is None:
            return None
        if e.status in GEMACHT:
            if not e.html or not (out_dir / e.html).is_file():
                return None
        elif e.status != Status.KEINE_DATEN:
            return None
        entries.append(e)
    return entries or None


def skipped(entries: list[Eintrag], pool_sha: str) -> list[Eintrag]:
    """The entries as the normal way writes them for unchanged reports."""
    now = datetime.now().isoformat(timespec="seconds")
    out = []
    for e in entries:
        if e.status in GEMACHT:
            out.append(replace(e, status=Status.UEBERSPRUNGEN, pool_manifest_sha256=pool_sha))
        else:
            out.append(replace(e, pool_manifest_sha256=pool_sha, erstellt=now))
    return out


def manifest_sha(manifest: bytes) -> str:
    """The checksum runs.json records for the pool manifest."""
    return hashlib.sha256(manifest).hexdigest()
