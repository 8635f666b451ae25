"""Demo deliveries of the finance system (``ausgaben``): synthetic spending for Ulm, 2019 to 2023.

Synthetic, not Ulm's accounts. The spending of a quarter is the demo's own case-days in the
quarter (from the case histories of :mod:`kennzahlen.demo.faelle`, per Hilfeart, setting and
Sozialraum) times a gross cost per case-day, with a price path per year; income (Erstattungen,
Kostenbeiträge) is a share of it. So spending grows with the cases and with the cost per case, as
Ziel 7 of GD 072/23 splits it. The costs per case-day are chosen so that net spending per
resident has the published order of magnitude for a city of Ulm's size in Baden-Württemberg
(sources and figures: docs/annahmen.md, "Demo-Ausgaben"):

- Hilfen zur Erziehung (without UMA): about 500 € per resident under 21 (Germany 2022: 717 €,
  akjstat HzE-Monitor from Destatis; Baden-Württemberg lies below the average, KVJS);
- UMA: the Land reimburses most of it (§ 89d SGB VIII);
- Eingliederungshilfe (Wohnen, WfbM): about 200 € per resident (Destatis/KVJS);
- Hilfe zur Pflege: about 40 € per resident, falling by about a quarter in 2022 with the
  Leistungszuschläge of the Pflegereform (§ 43c SGB XI; Destatis: -26 % in 2022);
- HLU about 9 € per resident; Grundsicherung (GSI) reimbursed by the Bund (§ 46a SGB XII), so
  its net spending is close to 0; Bürgergeld-Regelsätze lift both in 2023.

The exports follow a finance system's habits: one export after each quarter holds the quarters of
the year so far (the newest quarter still short by 1.5 % of bookings not yet made, corrected in
the next export: newest Stand wins); the first export of a year adds the previous year's annual
accounts as rows for the whole year (``periode`` = ``JJJJ``), with the year-end accruals.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from kennzahlen.core.schema import TABLES
from kennzahlen.demo.daten import QUARTERS, YEARS
from kennzahlen.demo.kalender import _export_day, _quarter_bounds
from kennzahlen.demo.modell import _Geo

#: gross cost per case-day in 2019 (Euro), by Hilfeart and setting
TAGESSATZ: dict[tuple[str, str], float] = {
    ("hze", "ambulant"): 36.0,  # about 13.000 € a year (SPFH, Erziehungsbeistand, § 35a)
    ("hze", "stationaer"): 160.0,  # about 58.000 € a year (Heim, Pflegefamilie, § 41)
    ("uma", "ambulant"): 36.0,
    ("uma", "stationaer"): 170.0,
    ("egh_eigener_wohnraum", "ambulant"): 30.0,
    ("egh_besondere_wohnform", "stationaer"): 142.0,
    ("egh_wfbm", "ambulant"): 46.0,
    ("blindenhilfe", "ambulant"): 11.0,
    ("blindenhilfe", "stationaer"): 6.0,
    ("hzp", "ambulant"): 19.0,
    ("hzp", "stationaer"): 29.0,
    ("hlu", "ambulant"): 15.0,
    ("hlu", "stationaer"): 7.0,
    ("gsi", "ambulant"): 18.0,
    ("gsi", "stationaer"): 14.0,
}
#: the share of gross spending that comes back as income (Erstattungen, Kostenbeiträge)
EINNAHMEN: dict[str, float] = {
    "hze": 0.06,
    "uma": 0.92,
    "egh_eigener_wohnraum": 0.10,
    "egh_besondere_wohnform": 0.10,
    "egh_wfbm": 0.08,
    "blindenhilfe": 0.05,
    "hzp": 0.08,
    "hlu": 0.12,
    "gsi": 0.99,
    "sonstige": 0.0,
}
#: the cost per case-day against 2019, per Arbeitsfeld (HzP: the Pflegereform 2022; HLU/GSI: the
#: Regelsätze, Bürgergeld 2023)
PREISE: dict[str, dict[int, float]] = {
    "jh": {2019: 1.0, 2020: 1.030, 2021: 1.066, 2022: 1.119, 2023: 1.209},
    "egh": {2019: 1.0, 2020: 1.025, 2021: 1.054, 2022: 1.101, 2023: 1.178},
    "ah": {2019: 1.0, 2020: 1.030, 2021: 1.071, 2022: 0.771, 2023: 0.840},
    "es": {2019: 1.0, 2020: 1.019, 2021: 1.030, 2022: 1.037, 2023: 1.159},
}
#: spending on no case table's help (Frühförderung, Schulbegleitung), not assigned to a
#: Sozialraum: gross Euro per quarter in 2019, grown with the Arbeitsfeld's prices
SONSTIGE = {"egh": 310_000.0}
#: bookings of the newest quarter not yet made at its export (corrected by the next export)
NOCH_OFFEN = 0.015
#: the annual accounts' year-end accruals against the sum of the quarters
ABGRENZUNG = 0.004
ARBEITSFELD = {"hze": "jh", "uma": "jh", "hzp": "ah", "hlu": "es", "gsi": "es"}


def _arbeitsfeld(hilfeart: str) -> str:
    return ARBEITSFELD.get(hilfeart, "egh")


def _tage(beginn: np.ndarray, ende: np.ndarray, a: int, z: int) -> np.ndarray:
    """Days of [beginn, ende] within [a, z] per case."""
    return np.clip(np.minimum(ende, z) - np.maximum(beginn, a) + 1, 0, None)


def _faelle(truth: dict[str, object], geo: _Geo) -> pd.DataFrame:
    """Every case with its Hilfeart, setting, Sozialraum ('' = unknown), beginn and ende."""
    sr = dict(zip(geo.nr, (geo.sozialraeume[i] for i in geo.sr), strict=True))
    jh = cast(pd.DataFrame, truth["jugendhilfe"])
    sh = cast(pd.DataFrame, truth["sozialhilfe"])
    parts = [
        pd.DataFrame(
            {
                "hilfeart": np.where(jh["uma"].to_numpy(bool), "uma", "hze"),
                "setting": jh["setting"].astype(str).to_numpy(),
                "nr": jh["stadtviertel_nr"].astype(str).to_numpy(),
                "beginn": jh["beginn"].to_numpy(np.int64),
                "ende": jh["ende"].to_numpy(np.int64),
            }
        ),
        pd.DataFrame(
            {
                "hilfeart": sh["leistung"].astype(str).to_numpy(),
                "setting": sh["setting"].astype(str).to_numpy(),
                "nr": sh["stadtviertel_nr"].astype(str).to_numpy(),
                "beginn": sh["beginn"].to_numpy(np.int64),
                "ende": sh["ende"].to_numpy(np.int64),
            }
        ),
    ]
    out = pd.concat(parts, ignore_index=True)
    out["sozialraum"] = out["nr"].map(sr).fillna("")
    return out


def quartalsausgaben(truth: dict[str, object], geo: _Geo, seed: int = 2023) -> pd.DataFrame:
    """The true gross spending and income per quarter, Hilfeart, setting and Sozialraum."""
    faelle = _faelle(truth, geo)
    rng = np.random.default_rng([seed, 31])
    keys = ["hilfeart", "setting", "sozialraum"]
    rows = []
    for y, q in QUARTERS:
        a, z = _quarter_bounds(y, q)
        tage = _tage(faelle["beginn"].to_numpy(), faelle["ende"].to_numpy(), a, z)
        g = faelle.assign(tage=tage).groupby(keys, observed=True)["tage"].sum().reset_index()
        g = g[g["tage"] > 0]
        satz = [TAGESSATZ[(h, s)] for h, s in zip(g["hilfeart"], g["setting"], strict=True)]
        preis = [PREISE[_arbeitsfeld(h)][y] for h in g["hilfeart"]]
        rauschen = 1 + rng.normal(0, 0.01, len(g))  # invoices of a quarter vary a little
        g["brutto"] = g["tage"] * np.array(satz) * np.array(preis) * rauschen
        g["periode"] = f"{y}-Q{q}"
        rows.append(g.drop(columns="tage"))
        for af, betrag in SONSTIGE.items():
            extra = {"hilfeart": "sonstige", "setting": "ambulant", "sozialraum": ""}
            brutto = betrag * PREISE[af][y] * (1 + rng.normal(0, 0.02))
            rows.append(pd.DataFrame([{**extra, "brutto": brutto, "periode": f"{y}-Q{q}"}]))
    out = pd.concat(rows, ignore_index=True)
    out["arbeitsfeld"] = ["egh" if h == "sonstige" else _arbeitsfeld(h) for h in out["hilfeart"]]
    out["einnahmen"] = out["brutto"] * out["hilfeart"].map(EINNAHMEN)
    return out


def _betraege(df: pd.DataFrame, faktor: float = 1.0) -> pd.DataFrame:
    """Amounts in cents (two decimals), net = gross - income exactly."""
    out = df.copy()
    out["brutto"] = (out["brutto"] * faktor).round(2)
    out["einnahmen"] = (out["einnahmen"] * faktor).round(2)
    out["netto"] = (out["brutto"] - out["einnahmen"]).round(2)
    return out[TABLES["ausgaben"].column_names]


def _jahresabschluss(quartale: pd.DataFrame, jahr: int) -> pd.DataFrame:
    """The annual accounts of a year: the quarters summed, with the year-end accruals."""
    keys = ["arbeitsfeld", "hilfeart", "setting", "sozialraum"]
    sub = quartale[quartale["periode"].str.startswith(f"{jahr}-")]
    g = sub.groupby(keys, observed=True)[["brutto", "einnahmen"]].sum().reset_index()
    g["periode"] = str(jahr)
    return _betraege(g, 1 + ABGRENZUNG)


def exporte(quartale: pd.DataFrame) -> list[pd.DataFrame]:
    """One export per quarter: the year's quarters so far (the newest one short by bookings not yet
    made), in the first quarter of a year also the previous year's annual accounts."""
    out = []
    for y, q in QUARTERS:
        teile = []
        for qq in range(1, q + 1):
            sub = quartale[quartale["periode"] == f"{y}-Q{qq}"]
            teile.append(_betraege(sub, 1 - NOCH_OFFEN if qq == q else 1.0))
        if q == 1 and y - 1 in YEARS:
            teile.append(_jahresabschluss(quartale, y - 1))
        frame = pd.concat(teile, ignore_index=True)
        out.append(
            frame.sort_values(["periode", "arbeitsfeld", "hilfeart", "setting", "sozialraum"])
        )
    return out


def write_ausgaben(out: Path, truth: dict[str, object], geo: _Geo, seed: int, write) -> list[Path]:
    """Write the finance system's exports into ``out`` (``write``: the demo's file writer)."""
    quartale = quartalsausgaben(truth, geo, seed)
    rng = np.random.default_rng([seed, 91])  # its own stream: the other exports stay as they are
    ends = [_quarter_bounds(y, q)[1] for y, q in QUARTERS]
    return [
        write(out, "ausgaben", _export_day(rng, end), frame)
        for end, frame in zip(ends, exporte(quartale), strict=True)
    ]
