"""What every part of the runner shares: names, checks of a request, the code hash."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from kennzahlen.core import __version__, paths
from kennzahlen.core.namen import nfc, slug
from kennzahlen.core.periods import ist_quartal, letztes_volles_jahr, teile
from kennzahlen.core.vocabulary import PRODUKTE

KERNEL_NAME = "python3"
#: the package folder (kennzahlen/), one above this subpackage
PACKAGE_DIR = Path(__file__).parents[1]
TEMPLATE_DIR = PACKAGE_DIR / "templates"
KERNEL_START_ERRORS = (
    "Address already in use",
    "Kernel didn't respond",
    "Kernel died",
    "DeadKernelError",
    "kernel died",
    "Timeout waiting for kernel_info reply",
)


__all__ = ["nfc", "slug"]  # re-exported: kennzahlen.runner.slug is the name callers know


class RunnerError(ValueError):
    """A report request that cannot run (unknown parameter, bad period, missing pool)."""


class Status(StrEnum):
    """The status of a report in runs.json (a ``StrEnum``: the file holds the same words)."""

    #: made in this run
    OK = "ok"
    #: unchanged since the last run (its inputs are the same), not made again
    UEBERSPRUNGEN = "uebersprungen"
    #: failed; ``fehler`` says why
    FEHLER = "fehler"
    #: not made because the pool holds none of its data for the period; ``grund`` says why
    KEINE_DATEN = "keine_daten"


#: runs.json status of a report not made because the pool holds none of its data for the period
KEINE_DATEN = Status.KEINE_DATEN
#: the statuses of a report that exists and can be opened, mailed and printed
GEMACHT = (Status.OK, Status.UEBERSPRUNGEN)
#: the folder of the public product's open data in its report folder (one folder per year)
OFFENE_DATEN = "offene_daten"
#: the folder of the Stadtviertel profiles in Produkt 1's report folder (one file per Sozialraum)
PROFILE = "stadtviertel"


def check_periode(periode: str) -> str:
    """Validate a quarter label 'YYYY-Qn' (years 1900–2100)."""
    if not ist_quartal(periode):
        raise RunnerError(f"Periode '{periode}' ungültig: erwartet JJJJ-Qn, z. B. 2023-Q4")
    if not 1900 <= teile(periode)[0] <= 2100:
        raise RunnerError(
            f"Periode '{periode}' ungültig: das Jahr muss zwischen 1900 und 2100 liegen"
        )
    return periode


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


#: the compiled checks of a notebook part (an output, a cell) by its schema definition
_GEPRUEFT: dict[str, Callable[[object], object]] = {}


def schnelle_ausgabepruefung() -> None:
    """nbformat's check of each output the kernel sends (``nbformat.v4.new_output``, called by
    nbclient for every message) with a compiled schema (fastjsonschema) instead of jsonschema's
    interpreter (which nbformat uses whenever it checks a part of a notebook, not a whole one).

    Only the verdict "valid" is taken from the compiled check: an output it finds invalid is
    checked by nbformat's own path as before (the same error, the same message), so what passes
    and what fails, and how, stay as they were. Idempotent; in every process that runs reports."""
    from nbformat.v4 import nbbase

    if getattr(nbbase.validate, "kennzahlen", False):
        return
    original = nbbase.validate

    def validate(node, ref=None):
        try:  # a schema the compiler cannot take, or an nbformat without its helper: as before
            pruefen = _pruefung(ref) if ref is not None else None
            if pruefen is not None:
                pruefen(node)
                return None
        except Exception:  # noqa: BLE001, S110 - nbformat's own check says what is wrong
            pass
        return original(node, ref=ref)

    validate.kennzahlen = True  # type: ignore[attr-defined]
    validate.__doc__ = original.__doc__
    nbbase.validate = validate


def _pruefung(ref: str) -> Callable[[object], object] | None:
    """The compiled check of the v4 schema's definition ``ref`` (None: no such definition)."""
    if ref in _GEPRUEFT:
        return _GEPRUEFT[ref]
    import fastjsonschema
    from nbformat.v4 import nbbase
    from nbformat.validator import _get_schema_json

    schema = _get_schema_json(nbbase, version=4, version_minor=nbbase.nbformat_minor)
    if ref not in schema.get("definitions", {}):
        return None
    teil = {
        "$schema": schema.get("$schema", "http://json-schema.org/draft-04/schema#"),
        "definitions": schema["definitions"],
        "allOf": [{"$ref": f"#/definitions/{ref}"}],
    }
    _GEPRUEFT[ref] = fastjsonschema.compile(teil)
    return _GEPRUEFT[ref]


def notebook_parameters(notebook: Path) -> set[str]:
    """The names in the notebook's `parameters` cell, as ``papermill.inspect_notebook`` names
    them: for a Python notebook (format 4) read by :func:`_parameter_namen` without importing
    papermill (its import is about 0.2 s of CPU in a run's parent, which runs no notebook);
    any other notebook through papermill itself."""
    import json

    namen = None
    if not {"{", "}"} & set(str(notebook)):  # papermill fills such a path in first
        try:
            namen = _parameter_namen(json.loads(Path(notebook).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            namen = None
    if namen is not None:
        return namen
    import papermill

    return set(papermill.inspect_notebook(str(notebook)).keys())


#: papermill's PythonTranslator.PARAMETER_PATTERN (papermill 2.6): one assignment, its target
_PARAMETER = re.compile(
    r"^(?P<target>\w[\w_]*)\s*(:\s*[\"']?(?P<annotation>\w[\w_\[\],\s]*)[\"']?\s*)?=\s*"
    r"(?P<value>.*?)(\s*#\s*(type:\s*(?P<type_comment>[^\s]*)\s*)?(?P<help>.*))?$"
)


def _parameter_namen(nb: dict) -> set[str] | None:
    """The names ``papermill.inspect_notebook`` finds in the first cell tagged `parameters` of a
    notebook's JSON: papermill's PythonTranslator.inspect, line for line (lines grouped at each
    line with one '=', lines with more skipped, comments and blank lines dropped, each group
    matched by its pattern). None where papermill would take another way (no format-4 Python
    notebook with a kernel name)."""
    meta = nb.get("metadata") or {}
    sprache = (meta.get("language_info") or {}).get("name") or (meta.get("kernelspec") or {}).get(
        "language"
    )
    if nb.get("nbformat") != 4 or not (meta.get("kernelspec") or {}).get("name"):
        return None
    if sprache != "python" or not isinstance(nb.get("cells"), list):
        return None
    zelle = next(
        (c for c in nb["cells"] if "parameters" in ((c.get("metadata") or {}).get("tags") or [])),
        None,
    )
    if zelle is None:
        return set()
    quelle = zelle.get("source", "")
    quelle = "".join(quelle) if isinstance(quelle, list) else quelle
    gruppen: list[str] = []
    sammler: list[str] = []
    for zeile in quelle.splitlines():
        if not zeile.strip() or zeile.strip().startswith("#"):
            continue
        gleich = zeile.count("=")
        if gleich:
            gruppen.append(_flach(sammler))
            sammler = []
            if gleich > 1:
                continue
        sammler.append(zeile)
    gruppen.append(_flach(sammler))
    namen = set()
    for gruppe in gruppen:
        treffer = _PARAMETER.match(gruppe) if gruppe else None
        if treffer is not None and treffer.group("target") is not None:
            namen.add(treffer.group("target").strip())
    return namen


def _flach(zeilen: list[str]) -> str:
    """papermill's flatten_accumulator: a definition over several lines as one (comments dropped
    but on the last line)."""
    teile = [z[: z.index("#")].strip() if "#" in z else z.strip() for z in zeilen[:-1]]
    return "".join(teile) + (zeilen[-1].strip() if zeilen else "")


def _sha(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for c in chunks:
        h.update(hashlib.sha256(c).digest())
    return h.hexdigest()


def _code_and_config_hash() -> str:
    files = sorted(PACKAGE_DIR.rglob("*.py")) + sorted(
        p for p in (paths.CONFIG).glob("*") if p.is_file()
    )
    files += sorted((TEMPLATE_DIR).rglob("*.j2"))
    return _sha(__version__.encode(), *(f.name.encode() + f.read_bytes() for f in files))
