"""The Ampel assembled: every indicator's rule, the worst per Arbeitsfeld, manual switches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from kennzahlen.ampel.config import AmpelSetup, Parameter, load_ampel_config
from kennzahlen.ampel.rules.anstieg import regel_anstieg
from kennzahlen.ampel.rules.basis import build_grid, build_series_alle
from kennzahlen.ampel.rules.spc import regel_spc
from kennzahlen.ampel.rules.zielwert import regel_zielwert
from kennzahlen.catalog import geography
from kennzahlen.catalog.model import Catalog
from kennzahlen.core import paths
from kennzahlen.core.periods import quartal_ende, quartal_von
from kennzahlen.core.vocabulary import FARBEN

#: rank of a colour for "worst of": grau < gruen < gelb < rot
RANG = {c: f.rang for c, f in FARBEN.items()}

AMPEL_COLUMNS = [
    "quartal",
    "stichtag",
    "sozialraum",
    "arbeitsfeld",
    "arbeitsfeld_titel",
    "farbe_regel",
    "farbe",
    "begruendung",
    "begruendung_regel",
    "manuell",
    "geschaltet_am",
    "indikatoren",
]
DETAIL_COLUMNS = [
    "quartal",
    "sozialraum",
    "arbeitsfeld",
    "kennzahl",
    "indikator",
    "regel",
    "periode",
    "einheit",
    "richtung",
    "wert",
    "vergleich",
    "vergleichswert",
    "veraenderung",
    "schwelle_gelb",
    "schwelle_rot",
    "untere_grenze",
    "obere_grenze",
    "signal",
    "faelle",
    "min_faelle",
    "farbe",
    "begruendung",
    # issue 30: the 95 % interval of the value and what it says against the Zielwert; the
    # control chart's assurance; whether the SPC limits are provisional
    "intervall_unten",
    "intervall_oben",
    "zielvergleich",
    "zielsicherheit",
    "grenzen_vorlaeufig",
]


# ------------------------------------------------------------------------------- the Ampel
def _indicator(
    p: Parameter, series: pd.DataFrame, quartale: Sequence[str], areas: Sequence[str]
) -> pd.DataFrame:
    """One indicator's rows of the details (``series``: :func:`build_series` of its Kennzahl)."""
    grid = build_grid(p, quartale, areas, series)
    if p.regel == "zielwert":
        out = regel_zielwert(p, grid, series)
    elif p.regel == "anstieg":
        out = regel_anstieg(p, grid, series)
    else:
        out = regel_spc(p, grid, series)
    fest = {
        "arbeitsfeld": p.arbeitsfeld,
        "kennzahl": p.kennzahl.id,
        "indikator": p.name,
        "regel": p.regel,
        "einheit": p.kennzahl.einheit,
        "richtung": p.richtung if p.regel != "anstieg" else "niedriger_besser",
        "min_faelle": p.min_faelle,
    }
    # one frame of the columns in order (the same as setting each on ``out``, then selecting)
    spalten: dict[str, object] = {}
    for c in DETAIL_COLUMNS:
        if c in fest:
            spalten[c] = fest[c]
        elif c in out.columns:
            spalten[c] = out[c]
        else:
            spalten[c] = "" if c in _TEXTE else (False if c == "grenzen_vorlaeufig" else np.nan)
    return pd.DataFrame(spalten, index=out.index)


def ampel_quartale(pool: pd.DataFrame, setup: AmpelSetup) -> list[str]:
    """The quarters for which any indicator of the Ampel has a value in the pool."""
    ids = {p.kennzahl.id for p in setup.indikatoren}
    periods = pool.loc[pool["kennzahl"].isin(ids), "periode"].astype(str).unique()
    qs = {q for q in (quartal_von(x) for x in periods) if q}
    return sorted(qs)


def build_ampel(
    pool: pd.DataFrame,
    setup: AmpelSetup,
    schaltungen: pd.DataFrame | None = None,
    areas: Sequence[str] | None = None,
    quartale: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Ampel (quarter x area x Arbeitsfeld) and its indicator details from a pool frame."""
    areas = list(areas) if areas is not None else geography.areas()
    quartale = sorted(quartale) if quartale is not None else ampel_quartale(pool, setup)
    if not quartale:
        return _empty(AMPEL_COLUMNS), _empty(DETAIL_COLUMNS)
    reihen = build_series_alle(pool, [p.kennzahl.id for p in setup.indikatoren], areas)
    details = pd.concat(
        [_indicator(p, reihen[p.kennzahl.id], quartale, areas) for p in setup.indikatoren],
        ignore_index=True,
    )
    af_order = {a: i for i, a in enumerate(setup.arbeitsfelder)}
    area_order = {a: i for i, a in enumerate(areas)}
    details["_ind"] = details.groupby(["quartal", "sozialraum", "arbeitsfeld"]).cumcount()
    details = (
        details.sort_values(
            ["quartal", "sozialraum", "arbeitsfeld", "_ind"],
            key=lambda s: (
                s.map(area_order)
                if s.name == "sozialraum"
                else (s.map(af_order) if s.name == "arbeitsfeld" else s)
            ),
            kind="stable",
        )
        .drop(columns="_ind")
        .reset_index(drop=True)
    )

    rank = details["farbe"].map(RANG)
    keys = ["quartal", "sozialraum", "arbeitsfeld"]
    worst = rank.groupby([details[k] for k in keys]).transform("max")
    top = details[rank == worst]
    ampel = top.groupby(keys, sort=False).agg(
        farbe_regel=("farbe", "first"), begruendung_regel=("begruendung", "; ".join)
    )
    ampel["indikatoren"] = details.groupby(keys, sort=False).size()
    ampel = ampel.reset_index()
    ampel["stichtag"] = ampel["quartal"].map(quartal_ende)
    ampel["arbeitsfeld_titel"] = ampel["arbeitsfeld"].map(setup.titel)
    ampel = _apply_schaltungen(ampel, schaltungen)
    ampel = ampel.sort_values(
        keys,
        key=lambda s: (
            s.map(area_order)
            if s.name == "sozialraum"
            else (s.map(af_order) if s.name == "arbeitsfeld" else s)
        ),
        kind="stable",
    ).reset_index(drop=True)
    return _typed(ampel[AMPEL_COLUMNS]), _typed(details)


def _apply_schaltungen(ampel: pd.DataFrame, schaltungen: pd.DataFrame | None) -> pd.DataFrame:
    """Manual switches set farbe and begruendung; farbe_regel and begruendung_regel stay."""
    ampel = ampel.copy()
    ampel["farbe"] = ampel["farbe_regel"]
    ampel["begruendung"] = ampel["begruendung_regel"]
    ampel["manuell"] = False
    ampel["geschaltet_am"] = pd.NaT
    if schaltungen is None or len(schaltungen) == 0:
        return ampel
    sw = schaltungen.copy()
    for c in ("quartal", "sozialraum", "arbeitsfeld", "farbe", "begruendung"):
        sw[c] = sw[c].astype(str).str.strip()
    sw["farbe"] = sw["farbe"].str.lower()
    sw["arbeitsfeld"] = sw["arbeitsfeld"].str.lower()
    sw["geschaltet_am"] = pd.to_datetime(sw.get("geschaltet_am"), errors="coerce")
    order = ["geschaltet_am", "stand"] if "stand" in sw.columns else ["geschaltet_am"]
    sw = sw.sort_values(order, kind="stable").drop_duplicates(
        ["quartal", "sozialraum", "arbeitsfeld"], keep="last"
    )
    sw = sw[["quartal", "sozialraum", "arbeitsfeld", "farbe", "begruendung", "geschaltet_am"]]
    merged = ampel.merge(
        sw.rename(columns={"farbe": "_f", "begruendung": "_b", "geschaltet_am": "_g"}),
        on=["quartal", "sozialraum", "arbeitsfeld"],
        how="left",
    )
    hit = merged["_f"].notna()
    merged.loc[hit, "farbe"] = merged.loc[hit, "_f"]
    merged.loc[hit, "begruendung"] = merged.loc[hit, "_b"]
    merged.loc[hit, "manuell"] = True
    merged["geschaltet_am"] = merged["_g"]
    return merged.drop(columns=["_f", "_b", "_g"])


def _empty(columns: list[str]) -> pd.DataFrame:
    return _typed(pd.DataFrame({c: pd.Series(dtype=object) for c in columns}))


#: the float columns of the frames: wert, faelle, vergleichswert .. obere_grenze, the interval
_FLOATS = frozenset(
    [
        "wert",
        "faelle",
        *DETAIL_COLUMNS[
            DETAIL_COLUMNS.index("vergleichswert") : DETAIL_COLUMNS.index("obere_grenze") + 1
        ],
        "intervall_unten",
        "intervall_oben",
    ]
)
#: text columns a rule may leave out (filled with '')
_TEXTE = frozenset(["signal", "vergleich", "zielvergleich", "zielsicherheit"])


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """Stable dtypes for the parquet files."""
    df = df.copy()
    for c in df.columns:
        if c in _FLOATS:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
        elif c in ("manuell", "grenzen_vorlaeufig"):
            df[c] = df[c].fillna(False).astype(bool)
        elif c in ("indikatoren", "min_faelle"):
            df[c] = pd.to_numeric(df[c]).astype("int64")
        elif c in ("stichtag", "geschaltet_am"):
            df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
        else:
            df[c] = df[c].fillna("").astype(str)
    return df


# ------------------------------------------------------------------------------- pool + reports
def pool_frames(
    pool: pd.DataFrame, raw: object, catalog: Catalog, config: Path | None = None
) -> dict[str, pd.DataFrame]:
    """The pool tables of the Ampel: ``{"ampel": ..., "ampel_details": ...}``.

    Without ``config/ampel.yaml`` there is no Ampel (an empty dict).
    """
    path = config or paths.CONFIG / "ampel.yaml"
    if not Path(path).exists():
        return {}
    setup = load_ampel_config(Path(path), catalog)
    tables = getattr(raw, "tables", None) or {}
    ampel, details = build_ampel(pool, setup, tables.get("ampel_schaltungen"))
    return {"ampel": ampel, "ampel_details": details}


def _frames(
    quelle: str | Path | Mapping[str, pd.DataFrame] | pd.DataFrame, table: str
) -> pd.DataFrame:
    if isinstance(quelle, pd.DataFrame):
        return quelle
    if isinstance(quelle, Mapping):
        return quelle[table]
    from kennzahlen.pool.load import load_pool

    return load_pool(quelle, table)
