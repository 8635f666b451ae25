"""The publication ledger: what a public product published for a period, kept with the pool.

A public product (Produkt 3) goes out for a year again and again: with later quarters, after a
pool rebuild, with a chart that shows the year next to later ones. A reader keeps every
version. So every publication plan that reports use is recorded here, per cell (a Kennzahl's
Zähler or Nenner in one area: the count and what was shown – the number, '<k', 'x', 'nicht
bewertet' – with the terms it counts), and the next plan of the same year is made together with
all of them (:mod:`kennzahlen.disclosure.frueher`): what was hidden once stays hidden, and the
attacker over all publications of the year together finds nothing.

Layout (in the pool folder, beside ``versions/``; a pool build never touches it)::

    veroeffentlichungen/.kennzahlen.lock           held while a plan is decided and recorded
    veroeffentlichungen/produkt3/<jahr>/index.json  the publications of the year, oldest first
    veroeffentlichungen/produkt3/<jahr>/001.parquet one row per place of publication 1

A publication file is written once (atomically) before the index names it; the index is
replaced atomically. A run killed in between leaves a file the index does not name: it was
never used by a report and is written again. Nothing here is ever deleted by the program.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from kennzahlen.catalog.model import Term
from kennzahlen.core.safeio import FolderLock, atomic_write, remove_stale_temps, replacing
from kennzahlen.disclosure.atoms import Eintrag, Gezeigt, Plan, Zelle
from kennzahlen.pool.store import LEDGER

ORDNER = LEDGER
INDEX = "index.json"
SPALTEN = [
    "kennzahl",
    "teil",
    "raum",
    "terms",
    "periodizitaet",
    "wert",
    "zelle",
    "status",
    "verdeckt",
    "vorgesperrt",
    "grund",
    "regel",
    "intervall_min",
    "intervall_max",
]


@dataclass(frozen=True)
class Veroeffentlichung:
    """One recorded publication of a year: its number, keys and folder."""

    nr: int
    datei: Path
    info: dict

    @property
    def schluessel(self) -> list[str]:
        return list(self.info.get("schluessel", []))

    def frame(self) -> pd.DataFrame:
        """Its places (one row each, :data:`SPALTEN`)."""
        return pd.read_parquet(self.datei)


def ordner(root: Path | str, produkt: int, jahr: str) -> Path:
    """The folder of a product's year in the ledger of a pool folder."""
    return Path(root) / ORDNER / f"produkt{produkt}" / str(jahr)


def sperre(root: Path | str, wait: float = 600.0) -> FolderLock:
    """The ledger's lock (one plan decided and recorded at a time; others wait)."""
    return FolderLock(Path(root) / ORDNER, "Das Veröffentlichungsbuch", wait=wait)


def aufraeumen(root: Path | str) -> None:
    """Remove the temp files a killed run left in the ledger (call under :func:`sperre`)."""
    remove_stale_temps(Path(root) / ORDNER)


def load_veroeffentlichungen(root: Path | str, produkt: int, jahr: str) -> list[Veroeffentlichung]:
    """The recorded publications of the year, oldest first (none: an empty list)."""
    folder = ordner(root, produkt, jahr)
    try:
        index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [
        Veroeffentlichung(int(v["nr"]), folder / v["datei"], v)
        for v in index.get("veroeffentlichungen", [])
    ]


def finden(publikationen: Sequence[Veroeffentlichung], schluessel: str) -> Veroeffentlichung | None:
    """The publication made for this key (the same counts under the same rules), if any."""
    return next((v for v in publikationen if schluessel in v.schluessel), None)


def aufnehmen(
    root: Path | str,
    produkt: int,
    plan: Plan,
    eintraege: Sequence[Eintrag],
    schluessel: str,
    pool_version: str = "",
    stand: dict[str, str] | None = None,
) -> Veroeffentlichung:
    """Record ``plan`` as the next publication of its year (call under :func:`sperre`).

    ``stand``: the newest export date per raw table of the pool it was made from (the cause a
    revisions table names when a later publication of the year shows other values)."""
    folder = ordner(root, produkt, plan.jahr)
    folder.mkdir(parents=True, exist_ok=True)
    alle = load_veroeffentlichungen(root, produkt, plan.jahr)
    nr = max((v.nr for v in alle), default=0) + 1
    datei = folder / f"{nr:03d}.parquet"
    frame = plan_frame(plan, eintraege)
    with replacing(datei) as tmp:
        frame.to_parquet(tmp, index=False)
    info = {
        "nr": nr,
        "datei": datei.name,
        "erstellt": datetime.now().isoformat(timespec="seconds"),
        "schluessel": [schluessel],
        "pool_version": pool_version,
        "k": plan.k,
        "null_sichtbar": plan.null_sichtbar,
        "orte": int((frame["status"] != "leer").sum()),
        "verborgen": int(frame["status"].isin(["klein", "gesperrt"]).sum()),
        "stand": dict(stand or {}),
    }
    index = {
        "produkt": produkt,
        "jahr": plan.jahr,
        "veroeffentlichungen": [*map(_info, alle), info],
    }
    atomic_write(folder / INDEX, json.dumps(index, indent=2, ensure_ascii=False) + "\n")
    return Veroeffentlichung(nr, datei, info)


def _info(v: Veroeffentlichung) -> dict:
    return v.info


# ---------------------------------------------------------------------------- plan <-> rows
def _intervall(v: float | None) -> float:
    return math.nan if v is None else float(v)


def plan_frame(plan: Plan, eintraege: Sequence[Eintrag]) -> pd.DataFrame:
    """One row per place of the plan: its terms, count and what was shown (:data:`SPALTEN`)."""
    rows = []
    for e in eintraege:
        i = plan.orte.get((e.kennzahl, e.teil, e.raum))
        z = None if i is None else plan.zellen[i]
        rows.append(
            {
                "kennzahl": e.kennzahl,
                "teil": e.teil,
                "raum": e.raum,
                "terms": json.dumps([t.model_dump() for t in e.terms], ensure_ascii=False),
                "periodizitaet": e.periodizitaet,
                "wert": math.nan if e.wert is None else float(e.wert),
                "zelle": -1 if i is None else i,
                "status": "leer" if z is None else z.status,
                "verdeckt": bool(z is not None and z.verdeckt),
                "vorgesperrt": bool(z is not None and z.vorgesperrt),
                "grund": "" if z is None else z.grund,
                "regel": "" if z is None else z.regel,
                "intervall_min": math.nan if z is None else _intervall(z.intervall[0]),
                "intervall_max": math.nan if z is None else _intervall(z.intervall[1]),
            }
        )
    return pd.DataFrame(rows, columns=SPALTEN)


def gezeigt(v: Veroeffentlichung) -> list[Gezeigt]:
    """A recorded publication as the earlier publication a new plan is checked with."""
    out = []
    for r in v.frame().itertuples(index=False):
        terms = tuple(Term(**t) for t in json.loads(r.terms))
        wert = None if pd.isna(r.wert) else float(r.wert)
        e = Eintrag(r.kennzahl, r.teil, r.raum, terms, r.periodizitaet, wert)
        out.append(Gezeigt(e, r.status, bool(r.verdeckt)))
    return out


def plan_aus(v: Veroeffentlichung, jahr: str) -> Plan:
    """The plan of a recorded publication, as the reports read it: what every place shows, with
    the reader's interval (no atoms: it cannot be attacked again, see :meth:`Plan.attacker`)."""
    frame = v.frame()
    zellen: dict[int, Zelle] = {}
    orte: dict[tuple[str, str, str], int | None] = {}
    for r in frame.itertuples(index=False):
        ort = (r.kennzahl, r.teil, r.raum)
        if r.zelle < 0:
            orte[ort] = None
            continue
        z = zellen.get(int(r.zelle))
        if z is None:
            lo = None if pd.isna(r.intervall_min) else float(r.intervall_min)
            hi = None if pd.isna(r.intervall_max) else float(r.intervall_max)
            z = zellen[int(r.zelle)] = Zelle(
                (), float(r.wert), [], r.status, r.grund, r.regel, (lo, hi), bool(r.verdeckt)
            )
            z.vorgesperrt = bool(r.vorgesperrt)
        z.orte.append(ort)
        orte[ort] = int(r.zelle)
    reihe = sorted(zellen)
    neu = {alt: i for i, alt in enumerate(reihe)}
    plan = Plan(
        str(jahr),
        int(v.info.get("k", 3)),
        bool(v.info.get("null_sichtbar", True)),
        [zellen[i] for i in reihe],
        {o: None if i is None else neu[i] for o, i in orte.items()},
        [],
        _mit_intervallen=True,
        nr=v.nr,
    )
    return plan


__all__ = [
    "ORDNER",
    "Veroeffentlichung",
    "aufnehmen",
    "aufraeumen",
    "finden",
    "gezeigt",
    "load_veroeffentlichungen",
    "ordner",
    "plan_aus",
    "plan_frame",
    "sperre",
]
