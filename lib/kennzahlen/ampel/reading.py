"""Reading the Ampel back from the pool for a report: a quarter's lights, the grid, the history."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from kennzahlen.ampel.assembly import _frames
from kennzahlen.core.periods import QUARTAL_RE
from kennzahlen.core.schema import GESAMTSTADT


def ampel_fuer(
    quelle: str | Path | Mapping[str, pd.DataFrame] | pd.DataFrame | None,
    quartal: str,
    sozialraum: str | None = None,
    details: bool = False,
) -> pd.DataFrame:
    """The Ampel of one quarter (optionally one area) from a pool folder or the pool frames.

    ``quelle``: the pool folder (None = data/processed), the dict from :func:`pool_frames`, or
    the ``ampel`` / ``ampel_details`` frame itself. ``details=True`` gives the indicator rows.
    """
    if not QUARTAL_RE.match(quartal):
        raise ValueError(f"Quartal '{quartal}' hat nicht die Form JJJJ-Qn (z. B. 2023-Q4)")
    df = _frames(quelle, "ampel_details" if details else "ampel")
    rows = df[df["quartal"] == quartal]
    if sozialraum is not None:
        rows = rows[rows["sozialraum"] == sozialraum]
    return rows.reset_index(drop=True)


def raster(ampel: pd.DataFrame, spalte: str = "farbe") -> pd.DataFrame:
    """One quarter's Ampel as a grid: areas as rows, Arbeitsfelder as columns."""
    areas = list(dict.fromkeys(ampel["sozialraum"]))
    felder = list(dict.fromkeys(ampel["arbeitsfeld"]))
    wide = ampel.pivot_table(
        index="sozialraum", columns="arbeitsfeld", values=spalte, aggfunc="first"
    )
    return wide.reindex(index=areas, columns=felder)


def verlauf(
    quelle: str | Path | Mapping[str, pd.DataFrame] | pd.DataFrame | None,
    sozialraum: str = GESAMTSTADT,
    bis: str | None = None,
    anzahl: int = 8,
) -> pd.DataFrame:
    """The history of an area's lights: Arbeitsfelder as rows, the last ``anzahl`` quarters."""
    df = _frames(quelle, "ampel")
    rows = df[df["sozialraum"] == sozialraum]
    if bis is not None:
        rows = rows[rows["quartal"] <= bis]
    qs = sorted(rows["quartal"].unique())[-anzahl:]
    rows = rows[rows["quartal"].isin(qs)]
    felder = list(dict.fromkeys(rows["arbeitsfeld"]))
    wide = rows.pivot_table(index="arbeitsfeld", columns="quartal", values="farbe", aggfunc="first")
    return wide.reindex(index=felder, columns=qs)
