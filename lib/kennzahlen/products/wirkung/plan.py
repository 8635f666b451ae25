"""The year's publication plan over all reports of Produkt 3 (memoised per pool content)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ... import fmt
from ...catalog import Kennzahl, load_catalog
from ...geography import sozialraeume
from ...periods import jahres_stichtag
from ...schema import OHNE_ZUORDNUNG

if TYPE_CHECKING:
    from ...disclosure_atoms import Plan
from .werte import NICHT_BEWERTET, _fingerprint, kennzahlen_p3, zaehltabelle

# ---------------------------------------------------------------------------- the year's plan
TEILE = (("Zähler", "zaehler"), ("Nenner", "nenner"))
_PLAENE: dict[tuple, Plan] = {}


def nicht_bewertete(pool: pd.DataFrame, jahr: str, mindestbevoelkerung: int) -> list[str]:
    """Sozialräume under the population threshold on 31.12. of the year ('nicht bewertet')."""
    from ... import disclosure

    bev = pool[
        (pool["kennzahl"] == "bev_gesamt")
        & (pool["periode"] == jahres_stichtag(jahr))
        & (pool["ebene"] != "stadtviertel")
    ].set_index("raum")["wert"]
    return [a for a in sozialraeume() if not disclosure.rate_area(bev.get(a), mindestbevoelkerung)]


def plan_jahr(pool: pd.DataFrame, jahr: str, produkt: int = 3) -> Plan | None:
    """The year's publication plan over all six reports (None when the product is internal).

    Decided once per pool content, year and rules (memoised in the process), so that every
    report of the year shows the same hidden/visible decision for the same count.
    """
    from ... import disclosure_atoms as da
    from ... import disclosure_config
    from ... import disclosure_plan as dp

    cfg = disclosure_config.load_config()
    if not disclosure_config.is_public(produkt, cfg):
        return None
    key = (_fingerprint(pool), str(jahr), cfg.model_dump_json(), id(load_catalog()))
    if key in _PLAENE:
        return _PLAENE[key]
    eintraege = []
    for k in kennzahlen_p3():
        if not k.erhoben:
            continue
        t = zaehltabelle(pool, k, jahr)
        for teil, col in TEILE:
            terms = k.zaehler if col == "zaehler" else k.nenner
            if not terms:
                continue
            for a in t.index:
                v = t.loc[a, col]
                eintraege.append(
                    da.Eintrag(
                        k.id,
                        teil,
                        a,
                        tuple(terms),
                        k.periodizitaet,
                        None if pd.isna(v) else float(v),
                    )
                )
    plan = dp.build_plan(
        eintraege,
        load_catalog(),
        str(jahr),
        [*sozialraeume(), OHNE_ZUORDNUNG],
        cfg.k,
        cfg.null_sichtbar,
        nicht_bewertete(pool, jahr, cfg.mindestbevoelkerung),
    )
    if len(_PLAENE) > 32:
        _PLAENE.clear()
    _PLAENE[key] = plan
    return plan


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
