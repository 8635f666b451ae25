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
from kennzahlen.products.memo import fingerprint

if TYPE_CHECKING:
    from kennzahlen.disclosure.atoms import Eintrag, Plan, Teil
    from kennzahlen.disclosure.config import DisclosureConfig
from kennzahlen.products.wirkung.werte import (
    NICHT_BEWERTET,
    kennzahlen_p3,
    zaehltabelle,
)

# ---------------------------------------------------------------------------- the year's plan
TEILE: tuple[tuple[Teil, str], ...] = (("Zähler", "zaehler"), ("Nenner", "nenner"))
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
    area (Sozialräume, 'ohne Zuordnung', Gesamtstadt), None where there is no value. An amount in
    Euro (the Zähler of a Kennzahl in Euro) is no count: it is shown where its cases are
    (:func:`euro_sichtbar`)."""
    from kennzahlen.disclosure.atoms import Eintrag

    eintraege = []
    for k in kennzahlen_p3(jahr):
        if not k.erhoben:
            continue
        t = zaehltabelle(pool, k, jahr)
        for teil, col in TEILE:
            terms = k.zaehler if col == "zaehler" else k.nenner
            if not terms or (col == "zaehler" and k.in_euro):
                continue  # an amount in Euro is no count: it follows its cases (euro_sichtbar)
            for a, v in zip(t.index, t[col].to_numpy(), strict=True):  # = t.loc[a, col]
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
    key = (fingerprint(pool), str(jahr), cfg.model_dump_json(), id(load_catalog()))
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
    euro_pruefen(pool, str(jahr), plan)
    if len(_PLAENE) > 32:
        _PLAENE.clear()
    _PLAENE[(*key, quelle)] = plan
    return plan


def betraege_jahr(pool: pd.DataFrame, jahr: str, plan: Plan | None) -> list:
    """Every amount in Euro the year's reports publish (per Kennzahl in Euro and area), with
    whether it is shown (:class:`kennzahlen.disclosure.betraege.Betrag`)."""
    from kennzahlen.disclosure.betraege import Betrag

    out = []
    for k in kennzahlen_p3(jahr):
        if not (k.erhoben and k.in_euro):
            continue
        t = zaehltabelle(pool, k, jahr)
        for a, v in zip(t.index, t["zaehler"].to_numpy(), strict=True):  # = t.loc[a, "zaehler"]
            if pd.notna(v):
                sichtbar = euro_sichtbar(plan, k, a)
                out.append(Betrag(k.id, a, tuple(k.zaehler), k.periodizitaet, float(v), sichtbar))
    return out


def euro_intervalle(
    pool: pd.DataFrame, jahr: str, plan: Plan | None
) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """What a reader can still believe of each hidden amount of the year (for the audit)."""
    if plan is None:
        return {}
    from kennzahlen.disclosure.betraege import intervalle

    raeume = [*sozialraeume(), OHNE_ZUORDNUNG]
    return intervalle(betraege_jahr(pool, jahr, plan), load_catalog(), jahr, raeume)


def euro_pruefen(pool: pd.DataFrame, jahr: str, plan: Plan | None) -> None:
    """The attacker over the year's amounts in Euro (:mod:`kennzahlen.disclosure.betraege`):
    a hidden amount a reader could compute stops the publication (PlanError)."""
    if plan is None:
        return
    from kennzahlen.disclosure.atoms import PlanError
    from kennzahlen.disclosure.betraege import errechenbar

    raeume = [*sozialraeume(), OHNE_ZUORDNUNG]
    offen = errechenbar(betraege_jahr(pool, jahr, plan), load_catalog(), jahr, raeume)
    if offen:
        b = offen[0]
        raise PlanError(
            f"Geheimhaltung {jahr}: der Betrag von {b.kennzahl} für {b.raum} ist verborgen, aber "
            f"aus den gezeigten Beträgen errechenbar ({len(offen)} Betrag/Beträge); die Kennzahlen "
            "in Euro mit demselben Zähler brauchen dieselben faelle"
        )


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
    hit = buch.finden(buch.load_veroeffentlichungen(root, produkt, jahr), key)
    if hit is not None:
        return buch.plan_aus(hit, jahr)
    with buch.sperre(root):
        buch.aufraeumen(root)
        alle = buch.load_veroeffentlichungen(root, produkt, jahr)
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
    nothing new); a count Kennzahl is its Zähler. A Kennzahl in Euro is shown only where its
    amount is (:func:`euro_sichtbar`).
    """
    if wert is None or pd.isna(wert):
        return "leer"
    if plan is None:
        return "wert"
    st = [
        plan.status(k.id, teil, raum)
        for teil, col in TEILE
        if (k.zaehler if col == "zaehler" else k.nenner) and not (col == "zaehler" and k.in_euro)
    ]
    if k.in_euro:
        st += euro_status(plan, k, raum)
    if all(s == "wert" for s in st):
        return "wert"
    return "frei" if "frei" in st else "gesperrt"


def _faelle_teil(k: Kennzahl) -> str:
    return "Zähler" if k.faelle_teil == "zaehler" else "Nenner"


def euro_status(plan: Plan, k: Kennzahl, raum: str) -> list[str]:
    """The plan's status of the cases behind a Kennzahl's amount in an area (``faelle`` of every
    Kennzahl of the year with the same amount: a hidden place of one hides the amount in all)."""
    gleich = [
        x
        for x in kennzahlen_p3()
        if x.in_euro and x.erhoben and x.zaehler == k.zaehler and x.faelle is not None
    ]
    if k not in gleich:
        gleich.append(k)
    return [
        plan.status(x.faelle, _faelle_teil(x), raum) if x.faelle else "gesperrt" for x in gleich
    ]


def euro_sichtbar(plan: Plan | None, k: Kennzahl, raum: str) -> bool:
    """Whether a report shows the amount in Euro of a Kennzahl for an area: only where it shows
    the cases the amount pays for (``faelle`` in the catalog). One or two cases' spending is a
    person's spending; so the amount is hidden exactly where the count of its cases is, and the
    plan's protection of that count (no sum gives it back) protects the amount too."""
    return plan is None or all(s == "wert" for s in euro_status(plan, k, raum))


def wert_status_im(
    pool: pd.DataFrame, jahr: str, produkt: int, plan: Plan | None, k: Kennzahl, raum: str, wert
) -> str:
    """:func:`wert_status`, and for a change against the previous year (``vergleich: vorjahr``)
    also the previous year's parts: a change tells its base, so it is shown only where the
    previous year's amount and cases were shown too (by that year's plan)."""
    st = wert_status(plan, k, raum, wert)
    if st != "wert" or plan is None or k.vergleich != "vorjahr":
        return st
    vorjahr = str(int(jahr) - 1)
    vor = plan_jahr(pool, vorjahr, produkt)
    if vor is None:
        return st
    nenner = [
        vor.status(x.id, "Nenner", raum)
        for x in kennzahlen_p3(vorjahr)
        if x.erhoben and x.nenner == k.nenner and x.zaehler == k.zaehler
    ]
    nenner = [s for s in nenner if s != "leer"]  # a Kennzahl without a value that year
    alle = [*nenner, *euro_status(vor, k, raum)]
    if nenner and all(s == "wert" for s in alle):
        return "wert"
    return "frei" if "frei" in alle else "gesperrt"
