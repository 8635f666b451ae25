"""Disclosure control of Produkt 3, measured: hidden counts per year and what an attacker recovers.

    .venv/bin/python benchmarks/geheimhaltung.py POOL [POOL ...] [--jahre 2019 2020 ...]
        [--ohne-zuordnung-nur-in-gesamtstadt]

For every pool and year: the places of the six reports (Zähler and Nenner per Kennzahl and
area; every report shows all of them), how many are hidden (primary '<3', secondary 'x'), the
share of hidden places, shares hidden, the time to decide the year's plan, and the result of an
attacker that reads
the published tables (as the reports show them) and solves, for every hidden count, the
smallest and largest value a reader can believe: 'errechenbar' counts those with min = max.
The attacker is told which 'x' is a small count shown as 'x' (any value >= 0 to it) and which a
Gegensperrung (0 or >= 3): more than a reader knows, who cannot tell them apart. It knows the
structural zeros the package's schema declares (besondere Wohnform is stationär, …).

``--ohne-zuordnung-nur-in-gesamtstadt`` measures the other layout of issue 24: 'ohne Zuordnung'
not as a row of its own, only inside the Gesamtstadt (the plan protects it as a derived group);
the share is then of the places that layout publishes.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from kennzahlen.api import load_pool
from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core.schema import OHNE_ZUORDNUNG
from kennzahlen.disclosure import atoms as da
from kennzahlen.disclosure.attack import Attacker, Knowledge
from kennzahlen.products import wirkung


def _zahl(text: str) -> int | None:
    return int(text.replace(".", "")) if re.fullmatch(r"\d{1,3}(\.\d{3})*", text) else None


def _ohne_zeile(build_plan):
    """build_plan without the places of 'ohne Zuordnung' (they stay in the model and the totals)."""

    def plan(eintraege, *args, **kwargs):
        return build_plan([e for e in eintraege if e.raum != OHNE_ZUORDNUNG], *args, **kwargs)

    return plan


def measure(pool_dir: Path, jahr: str, ohne_zeile: bool = False) -> dict:
    """One year of one pool: counts, plan time, attack result."""
    from kennzahlen.disclosure import plan as dp

    pool = load_pool(pool_dir)
    t0 = time.perf_counter()
    original = dp.build_plan
    if ohne_zeile:
        dp.build_plan = _ohne_zeile(original)
    try:
        plan = wirkung.plan_jahr(pool, jahr)
    finally:
        dp.build_plan = original
    sekunden = time.perf_counter() - t0
    # counts only: amounts in Euro (Ziel 7) have their own reader (tests/leser.py euro_befunde)
    kz = [k for k in wirkung.kennzahlen_p3() if k.erhoben and not k.in_euro]
    model = da.AtomModel(
        load_catalog(),
        [(t, k.periodizitaet) for k in kz for t in [*k.zaehler, *k.nenner]],
        jahr,
        [*sozialraeume(), OHNE_ZUORDNUNG],
    )
    cells, hidden, werte, werte_versteckt, sr_versteckt = {}, [], 0, 0, 0
    for k in kz:
        t = wirkung.kennzahl_tabelle(pool, k, jahr)
        for col in ("Zähler", "Nenner"):
            if col not in t.anzeige.columns:
                continue
            for raum, text in t.anzeige[col].items():
                if text in ("–", "nicht bewertet") or plan.zelle(k.id, col, raum) is None:
                    continue
                atoms = model.atoms_of(
                    k.zaehler if col == "Zähler" else k.nenner, k.periodizitaet, raum
                )
                status = (
                    "wert" if _zahl(text) is not None else {"<3": "klein", "x": "gesperrt"}[text]
                )
                if status == "gesperrt" and plan.zelle(k.id, col, raum).verdeckt:
                    status = "frei"  # a small count shown as 'x'
                cells[(k.id, col, raum)] = Knowledge(atoms, status, _zahl(text))
                if status != "wert":
                    hidden.append(cells[(k.id, col, raum)])
                    sr_versteckt += raum != OHNE_ZUORDNUNG
        if "Wert" in t.anzeige.columns:
            shown = t.anzeige["Wert"][t.anzeige["Wert"] != "–"]
            if ohne_zeile:
                shown = shown.drop(OHNE_ZUORDNUNG, errors="ignore")
            werte += len(shown)
            werte_versteckt += int(shown.isin(["x", "<3"]).sum())
    unique = {c.atoms: c for c in cells.values()}
    att = Attacker(list(unique.values()))
    t1 = time.perf_counter()
    errechenbar = 0
    for c in hidden:
        lo, hi = att.interval(c.atoms)
        errechenbar += hi is not None and lo == hi
    return {
        "jahr": jahr,
        "orte": len(cells),
        "anteil": len(hidden) / max(1, len(cells)),
        "sr_versteckt": sr_versteckt,
        "primaer": sum(c.status == "klein" for c in hidden),
        "sekundaer": sum(c.status in ("gesperrt", "frei") for c in hidden),
        "klein_als_x": sum(c.status == "frei" for c in hidden),
        "werte": werte,
        "werte_versteckt": werte_versteckt,
        "plan_s": round(sekunden, 2),
        "angriff_s": round(time.perf_counter() - t1, 2),
        "errechenbar": errechenbar,
    }


def main() -> None:
    """Print one Markdown table row per pool and year."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pools", nargs="+", type=Path)
    ap.add_argument("--jahre", nargs="+", default=["2019", "2020", "2021", "2022", "2023"])
    ap.add_argument("--ohne-zuordnung-nur-in-gesamtstadt", action="store_true")
    args = ap.parse_args()
    print(
        "| Pool | Jahr | Zähler/Nenner-Felder | davon <3 | davon x (kleine als x) | verborgen | "
        "davon Sozialraum/Gesamtstadt | Werte versteckt | Plan (s) | Angriff (s) | errechenbar |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for p in args.pools:
        for jahr in args.jahre:
            r = measure(p, jahr, args.ohne_zuordnung_nur_in_gesamtstadt)
            print(
                f"| {p.name} | {jahr} | {r['orte']} | {r['primaer']} | {r['sekundaer']} "
                f"({r['klein_als_x']}) | {100 * r['anteil']:.1f} % | {r['sr_versteckt']} | "
                f"{r['werte_versteckt']} von {r['werte']} | {r['plan_s']} | {r['angriff_s']} | "
                f"{r['errechenbar']} |"
            )


if __name__ == "__main__":
    main()
