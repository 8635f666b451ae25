"""Demo deliveries of the steering loop for Ulm: explanations, measures for Ampel lights, staff.

One ``erlaeuterungen`` file per quarter, a ``massnahmen`` list re-exported every quarter with each
measure's status as known on that day (a later export closes a measure: the newest Stand wins),
and the staff in full-time equivalents (``personal``) on every quarter end from 31.03.2022. The
rows are in :mod:`kennzahlen.demo.steuerung_daten`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kennzahlen.core.schema import TABLES
from kennzahlen.demo.daten import OPEN
from kennzahlen.demo.export import _write
from kennzahlen.demo.kalender import _day
from kennzahlen.demo.steuerung_daten import (
    ERLAEUTERUNGEN,
    ERLAEUTERUNGEN_STAND,
    MASSNAHMEN,
    MASSNAHMEN_STAND,
    PERSONAL,
    PERSONAL_AB,
    PERSONAL_AENDERUNGEN,
)


def erlaeuterungen() -> list[tuple[str, pd.DataFrame]]:
    """The explanation files: (Stand, rows) per quarter."""
    cols = ["quartal", "sozialraum", "kennzahl", "arbeitsfeld", "text", "rolle", "datum"]
    df = pd.DataFrame(list(ERLAEUTERUNGEN), columns=cols)
    return [(ERLAEUTERUNGEN_STAND[q], part) for q, part in df.groupby("quartal", sort=True)]


def massnahmen() -> list[tuple[str, pd.DataFrame]]:
    """The re-exports of the measures list: every measure decided by then, its status that day."""
    cols = [
        "massnahme_id",
        "quartal",
        "sozialraum",
        "arbeitsfeld",
        "anlass",
        "massnahme",
        "verantwortlich",
        "frist",
        "beschlossen",
        "erledigt_am",
        "ergebnis",
    ]
    df = pd.DataFrame(list(MASSNAHMEN), columns=cols)
    out = []
    for stand in MASSNAHMEN_STAND:
        part = df[df["beschlossen"] <= stand].copy()
        if part.empty:
            continue
        done = (part["erledigt_am"] != "") & (part["erledigt_am"] <= stand)
        part["status"] = done.map({True: "erledigt", False: "offen"})
        part.loc[~done, ["erledigt_am", "ergebnis"]] = ""
        out.append((stand, part.drop(columns="beschlossen")))
    return out


def personal() -> list[tuple[str, pd.DataFrame]]:
    """The staff lists: one per quarter end from 31.03.2022 to 31.12.2023, Stand ten days later."""
    out = []
    for tag in pd.date_range(PERSONAL_AB, "2023-12-31", freq="QE"):
        stichtag = tag.strftime("%Y-%m-%d")
        werte = {d: dict(v) for d, v in PERSONAL.items()}
        for ab, dienst, raum, vzae in PERSONAL_AENDERUNGEN:
            if stichtag >= ab:
                werte[dienst][raum] = vzae
        rows = [
            (stichtag, raum, dienst, vzae)
            for dienst, raeume in werte.items()
            for raum, vzae in raeume.items()
        ]
        stand = (tag + pd.Timedelta(days=10)).strftime("%Y-%m-%d")
        out.append(
            (stand, pd.DataFrame(rows, columns=["stichtag", "sozialraum", "dienst", "vzae"]))
        )
    return out


def lieferungen() -> list[tuple[str, str, pd.DataFrame]]:
    """Every steering delivery of the demo: (table, Stand, rows with dates as 'YYYY-MM-DD')."""
    return [
        *(("erlaeuterungen", s, df) for s, df in erlaeuterungen()),
        *(("massnahmen", s, df) for s, df in massnahmen()),
        *(("personal", s, df) for s, df in personal()),
    ]


def write_steuerung(out: Path) -> list[Path]:
    """Write the steering deliveries (explanations, measures, staff) into ``out``."""
    written = []
    for table, stand, df in lieferungen():
        df = df.copy()
        for c in TABLES[table].columns:
            if c.kind == "date":
                df[c.name] = [_day(d) if d else OPEN for d in df[c.name]]
        written.append(_write(out, table, _day(stand), df))
    return written
