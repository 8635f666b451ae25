"""The year's publication plan over all reports of Produkt 3: a pipeline step of the report run
that decides and records it in the publication ledger
(:mod:`kennzahlen.disclosure.veroeffentlichungen`),
read by every report of the year; decided in the process for analysts and tests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import Kennzahl, load_catalog
from kennzahlen.core import fmt
from kennzahlen.core.periods import jahres_stichtag
from kennzahlen.core.schema import OHNE_ZUORDNUNG

if TYPE_CHECKING:
    from kennzahlen.disclosure.atoms import Eintrag, Plan
    from kennzahlen.disclosure.config import DisclosureConfig
from kennzahlen.products.wirkung.werte import (
    NICHT_BEWERTET,
    _fingerprint,
    kennzahlen_p3,
    zaehltabelle,
)

# ---------------------------------------------------------------------------- the year's plan
TEILE = (("Zähler", "zaehler"), ("Nenner", "nenner"))
_PLAENE: dict[tuple, Plan] = {}
#: the key of ``DataFrame.attrs`` that marks a pool frame as the data of published reports
VEROEFFENTLICHUNG = "kennzahlen_veroeffentlichung"
#: the version of the plan's rules in code: a new version makes a new publication of a year
#: (checked together with the earlier ones), never a silent change of a recorded one
PLAN_VERSION = "2"


def nicht_bewertete(pool: pd.DataFrame, jahr: str, mindestbevoelkerung: int) -> list[str]:
    """Sozialräume under the population threshold on 31.12. of the year ('nicht bewertet')."""
    from kennzahlen.disclosure import suppression as disclosure

    bev = pool[
        (pool["kennzahl"] == "bev_gesamt")
        & (pool["periode"] == jahres_stichtag(jahr))
        & (pool["ebene"] != "stadtviertel")
    ].set_index("raum")["wert"]
    return [a for a in sozialraeume() if not disclosure.rate_area(bev.get(a), mindestbevoelkerung)]


def eintraege_jahr(pool: pd.DataFrame, jahr: str) -> list[Eintrag]:
    """Every count the year's reports publish: Zähler and Nenner of each collected Kennzahl per
    area (Sozialräume, 'ohne Zuordnung', Gesamtstadt), None where there is no value."""
    from kennzahlen.disclosure.atoms import Eintrag

    eintraege = []
    for k in kennzahlen_p3(jahr):
        if not k.erhoben:
            continue
        t = zaehltabelle(pool, k, jahr)
        for teil, col in TEILE:
            terms = k.zaehler if col == "zaehler" else k.nenner
            if not terms:
                continue
            for a in t.index:
                v = t.loc[a, col]
                wert = None if pd.isna(v) else float(v)
                eintraege.append(Eintrag(k.id, teil, a, tuple(terms), k.periodizitaet, wert))
    return eintraege


def schluessel(eintraege: list[Eintrag], cfg: DisclosureConfig, nicht_bewertet: list[str]) -> str:
    """What a year's plan depends on: the counts with their terms, the rules, the areas, the
    structural zeros and the plan's code version. The same key: the same plan."""
    from kennzahlen.core.schema import TABLES

    inhalt = {
        "version": PLAN_VERSION,
        "regeln": cfg.model_dump(mode="json"),
        "raeume": [*sozialraeume(), OHNE_ZUORDNUNG],
        "nicht_bewertet": sorted(nicht_bewertet),
        "nullen": {n: repr(t.festlegungen) for n, t in sorted(TABLES.items()) if t.festlegungen},
        "orte": [
            [e.kennzahl, e.teil, e.raum, [t.model_dump() for t in e.terms], e.periodizitaet, e.wert]
            for e in eintraege
        ],
    }
    text = json.dumps(inhalt, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def zur_veroeffentlichung(pool: pd.DataFrame, pool_dir: Path | str | None) -> pd.DataFrame:
    """Mark a pool frame as the data of reports that leave the department: the year's plans are
    then read from the publication ledger of ``pool_dir`` (or decided and recorded there, with
    every earlier publication of the year), see :mod:`kennzahlen.disclosure.veroeffentlichungen`."""
    from kennzahlen.pool.load import pool_files

    pool.attrs[VEROEFFENTLICHUNG] = str(Path(pool_files(pool_dir)).resolve())
    return pool


def plan_jahr(pool: pd.DataFrame, jahr: str, produkt: int = 3) -> Plan | None:
    """The year's publication plan over all six reports (None when the product is internal).

    For a pool frame marked by :func:`zur_veroeffentlichung` (the reports) the plan is the one
    recorded in the publication ledger for these counts and rules, made and recorded once,
    together with every earlier publication of the year. Otherwise (analysts, tests) it is
    decided in the process from these counts alone. Memoised per pool content, year and rules, so
    that every report of the year shows the same hidden/visible decision for the same count.
    """
    from kennzahlen.disclosure import config as disclosure_config

    cfg = disclosure_config.load_config()
    if not disclosure_config.is_public(produkt, cfg):
        return None
    quelle = pool.attrs.get(VEROEFFENTLICHUNG)
    key = (_fingerprint(pool), str(jahr), cfg.model_dump_json(), id(load_catalog()))
    if (*key, quelle) in _PLAENE:
        return _PLAENE[(*key, quelle)]
    eintraege = eintraege_jahr(pool, jahr)
    frei = nicht_bewertete(pool, jahr, cfg.mindestbevoelkerung)

    def allein() -> Plan:  # the plan of these counts alone (memoised: the first publication)
        if (*key, None) not in _PLAENE:
            _PLAENE[(*key, None)] = _berechnet(str(jahr), eintraege, frei, cfg)
        return _PLAENE[(*key, None)]

    if quelle and any(e.wert is not None for e in eintraege):
        plan = _veroeffentlicht(Path(quelle), produkt, str(jahr), eintraege, frei, cfg, allein)
    else:
        plan = allein()
    if len(_PLAENE) > 32:
        _PLAENE.clear()
    _PLAENE[(*key, quelle)] = plan
    return plan


def _berechnet(
    jahr: str,
    eintraege: list[Eintrag],
    frei: list[str],
    cfg: DisclosureConfig,
    frueher: list | None = None,
) -> Plan:
    from kennzahlen.disclosure import plan as dp

    return dp.build_plan(
        eintraege,
        load_catalog(),
        jahr,
        [*sozialraeume(), OHNE_ZUORDNUNG],
        cfg.k,
        cfg.null_sichtbar,
        frei,
        gegenwert=cfg.gegenwert,
        frueher=frueher or (),
    )


def _veroeffentlicht(
    version_dir: Path,
    produkt: int,
    jahr: str,
    eintraege: list[Eintrag],
    frei: list[str],
    cfg: DisclosureConfig,
    allein: Callable[[], Plan],
) -> Plan:
    """The recorded plan for these counts, or a new one made with every earlier publication of
    the year and recorded (under the ledger's lock: one at a time). ``allein``: the plan of the
    counts alone (the first publication of a year has no earlier one to be checked with)."""
    from kennzahlen.disclosure import veroeffentlichungen as buch
    from kennzahlen.pool import store as poolstore

    root = poolstore.root_of(version_dir)
    key = schluessel(eintraege, cfg, frei)
    hit = buch.finden(buch.lesen(root, produkt, jahr), key)
    if hit is not None:
        return buch.plan_aus(hit, jahr)
    with buch.sperre(root):
        buch.aufraeumen(root)
        alle = buch.lesen(root, produkt, jahr)
        hit = buch.finden(alle, key)
        if hit is not None:
            return buch.plan_aus(hit, jahr)
        frueher = [buch.gezeigt(v) for v in alle]
        plan = _berechnet(jahr, eintraege, frei, cfg, frueher) if frueher else allein()
        plan.intervalle()
        version = version_dir.name if poolstore.VERSION_RE.match(version_dir.name) else ""
        stand = _stand(version_dir)
        plan.nr = buch.aufnehmen(root, produkt, plan, eintraege, key, version, stand).nr
    return plan


def _stand(version_dir: Path) -> dict[str, str]:
    """The newest export date per raw table of a pool version ({} when it has no stand table)."""
    from kennzahlen.pool.load import load_pool

    try:
        stand = load_pool(version_dir, "stand").groupby("tabelle")["stand"].max()
    except (OSError, ValueError, KeyError):
        return {}
    return {str(t): pd.Timestamp(s).date().isoformat() for t, s in stand.items()}


def veroeffentlichen(pool_dir: Path | str, jahre: list[str], produkt: int = 3) -> list[Plan]:
    """The pipeline step of a report run: decide and record the plan of every year the reports
    show (the report year and the years of its charts) before any report is made; the reports
    then read them. Returns the plans (years without any value have none)."""
    from kennzahlen.disclosure import veroeffentlichungen as buch
    from kennzahlen.pool import store as poolstore
    from kennzahlen.pool.load import load_pool
    from kennzahlen.products.wirkung.werte import hat_werte

    pool = zur_veroeffentlichung(load_pool(pool_dir), pool_dir)
    root = poolstore.root_of(Path(pool.attrs[VEROEFFENTLICHUNG]))
    with buch.sperre(root):
        buch.aufraeumen(root)  # what a killed run left, also when every plan is recorded already
    out = []
    for jahr in jahre:
        if any(hat_werte(pool, k, jahr) for k in kennzahlen_p3(jahr)):
            plan = plan_jahr(pool, jahr, produkt)
            if plan is not None:
                out.append(plan)
    return out


def _zeichen(plan: Plan, kid: str, teil: str, raum: str, symbol: str) -> str:
    z = plan.zelle(kid, teil, raum)
    if z is None:
        return "–"
    return {
        "wert": fmt.zahl(z.wert),
        "klein": f"<{plan.k}",
        "gesperrt": symbol,
        "frei": NICHT_BEWERTET,
    }[z.status]


def wert_status(plan: Plan | None, k: Kennzahl, raum: str, wert: float | None) -> str:
    """Whether a Kennzahl's value for an area may be shown: 'wert', 'gesperrt', 'frei' or 'leer'.

    A share or rate is shown only when its Zähler and Nenner are shown (then it tells a reader
    nothing new); a count Kennzahl is its Zähler.
    """
    if wert is None or pd.isna(wert):
        return "leer"
    if plan is None:
        return "wert"
    st = [
        plan.status(k.id, teil, raum)
        for teil, col in TEILE
        if (k.zaehler if col == "zaehler" else k.nenner)
    ]
    if all(s == "wert" for s in st):
        return "wert"
    return "frei" if "frei" in st else "gesperrt"
