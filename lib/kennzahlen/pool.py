"""The data pool: every Kennzahl of the catalog on every ebene and period the data allow.

Counting rules (DATA_CONTRACT.md section 3), vectorised over the normalised raw frames of
:mod:`kennzahlen.reading`:

- Bestand on Stichtag S: ``beginn <= S`` and (``ende`` empty or ``ende >= S``)
- im Verlauf of [A, B]: ``beginn <= B`` and (``ende`` empty or ``ende >= A``)
- Ereignisse in [A, B]: the event date within [A, B]
- jahr_bis_stichtag on S: events from 01.01. of S's year to S
- Summe (count tables): the sum on the Stichtag at the end of the period

Gesamtstadt is the sum of the Sozialräume and ``ohne Zuordnung``.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from . import abdeckung, geography, paths
from .abdeckung import Coverage
from .catalog import COUNT_COLUMN, EVENT_DATE, Catalog, Kennzahl, Term, load_catalog
from .periods import Period, jahresbeginn, periods_for
from .schema import GESAMTSTADT, OHNE_ZUORDNUNG, TABLES

POOL_COLUMNS = ["kennzahl", "ebene", "raum", "periode", "zaehler", "nenner", "wert"]
EBENEN = ("gesamtstadt", "sozialraum", "stadtviertel")
GEO = ["stadtviertel_nr", "sozialraum"]


def coverage(
    table: str,
    frame: pd.DataFrame,
    files: pd.DataFrame | None,
    vollstaendig_ab: pd.Timestamp | None = None,
) -> Coverage:
    """The time a table's exports cover (DATA_CONTRACT.md section 3, "Coverage").

    Record tables: from the first day of the quarter of the earliest ``beginn``/``datum`` (over
    all exports, after superseding), or from ``vollstaendig_ab`` (config/abdeckung.yaml) when that
    is later, up to the last quarter end on or before the newest Stand. Count tables: the set of
    Stichtage delivered.
    """
    return abdeckung.coverage(table, frame, files, vollstaendig_ab)


def _covers(cov: Coverage, period: Period, regel: str) -> bool:
    first = period.start
    if regel == "bestand":
        first = period.end
    elif regel == "jahr_bis_stichtag":
        first = jahresbeginn(period.end)
    return cov.covers(first, period.end)


class PoolBuilder:
    """Computes the pool from normalised raw tables and the catalog (cached per rule)."""

    def __init__(
        self,
        tables: dict[str, pd.DataFrame],
        catalog: Catalog,
        raumgliederung: pd.DataFrame,
        files: pd.DataFrame | None = None,
        vollstaendig_ab: dict[str, pd.Timestamp] | None = None,
    ) -> None:
        self.tables = tables
        self.catalog = catalog
        self.rg = raumgliederung
        self.files = files
        self._prepared: dict[tuple[str, str], pd.DataFrame] = {}
        ab = vollstaendig_ab or {}
        self._coverage: dict[str, Coverage] = {
            name: coverage(name, frame, files, ab.get(name))
            for name, frame in tables.items()
            if name in TABLES
        }

    def abdeckung(self) -> pd.DataFrame:
        """The coverage per raw table as the pool table ``abdeckung`` (one row per table)."""
        return abdeckung.frame_of(self._coverage.values())

    # ------------------------------------------------------------------ periods
    def periods(self, k: Kennzahl) -> list[Period]:
        """The periods for which every table the Kennzahl reads has data."""
        starts, ends = [], []
        for term in [*k.zaehler, *k.nenner]:
            cov = self._coverage.get(self.catalog.basiszahlen[term.basis].tabelle)
            span = cov.span if cov is not None else None
            if span is None:
                return []
            starts.append(span[0])
            ends.append(span[1])
        candidates = periods_for(k.periodizitaet, min(starts), max(ends))
        out = []
        for p in candidates:
            ok = all(
                _covers(
                    self._coverage[self.catalog.basiszahlen[t.basis].tabelle],
                    p,
                    self.catalog.basiszahlen[t.basis].regel,
                )
                for t in [*k.zaehler, *k.nenner]
            )
            if ok:
                out.append(p)
        return out

    # ------------------------------------------------------------------ base counts
    def prepared(self, basis: str, periods: list[Period]) -> pd.DataFrame:
        """Counts of a Basiszahl per period, area and every code column of its table."""
        bz = self.catalog.basiszahlen[basis]
        key = (basis, "|".join(p.label for p in periods))
        if key in self._prepared:
            return self._prepared[key]
        table = TABLES[bz.tabelle]
        df = self.tables[bz.tabelle]
        dims = [
            c.name for c in table.columns if c.kind in ("code", "bool", "int") and c.name not in GEO
        ]
        geo = [g for g in GEO if g in df.columns]
        group = [*geo, *dims]
        parts: list[pd.DataFrame] = []
        if bz.regel == "summe":
            col = COUNT_COLUMN[bz.tabelle]
            ends = {p.end: p.label for p in periods}
            sub = df[df["stichtag"].isin(list(ends))]
            g = sub.groupby(["stichtag", *group], dropna=False, observed=True)[col].sum()
            g = g.rename("n").reset_index()
            g["periode"] = g["stichtag"].map(ends)
            parts.append(g.drop(columns="stichtag"))
        else:
            for p in periods:
                if bz.regel == "bestand":
                    mask = (df["beginn"] <= p.end) & (df["ende"].isna() | (df["ende"] >= p.end))
                elif bz.regel == "im_verlauf":
                    mask = (df["beginn"] <= p.end) & (df["ende"].isna() | (df["ende"] >= p.start))
                else:
                    date = df[EVENT_DATE[bz.tabelle]]
                    start = p.start
                    if bz.regel == "jahr_bis_stichtag":
                        start = jahresbeginn(p.end)
                    mask = (date >= start) & (date <= p.end)
                # only the grouping columns are copied (not ids, file names, dates)
                g = df.loc[mask, group].groupby(group, dropna=False, observed=True).size()
                g = g.rename("n").reset_index()
                g["periode"] = p.label
                parts.append(g)
        out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if out.empty:
            out = pd.DataFrame({c: pd.Series(dtype=object) for c in ["periode", *group, "n"]})
        self._prepared[key] = out
        return out

    def term_counts(self, term: Term, periods: list[Period]) -> pd.DataFrame:
        """One summand: the prepared counts filtered, summed per period and area."""
        df = self.prepared(term.basis, periods)
        table = TABLES[self.catalog.basiszahlen[term.basis].tabelle]
        mask = np.ones(len(df), dtype=bool)
        for col, value in term.filter.items():
            mask &= _filter_mask(
                df[col], value, table.column(col).kind if col != "sozialraum" else "code"
            )
        geo = [g for g in GEO if g in df.columns]
        sub = df.loc[mask]
        return sub.groupby(["periode", *geo], dropna=False, observed=True)["n"].sum().reset_index()

    def sum_terms(self, terms: list[Term], periods: list[Period]) -> pd.DataFrame:
        """Zähler or Nenner: the sum of its terms per period and area."""
        parts = [self.term_counts(t, periods) for t in terms]
        for t, part in zip(terms, parts, strict=True):
            if t.vorzeichen < 0:
                part["n"] = -part["n"]
        geo = [g for g in GEO if all(g in p.columns for p in parts)]
        both = pd.concat([p[["periode", *geo, "n"]] for p in parts], ignore_index=True)
        return both.groupby(["periode", *geo], dropna=False, observed=True)["n"].sum().reset_index()

    # ------------------------------------------------------------------ ebenen
    def by_ebene(self, counts: pd.DataFrame, periods: list[Period], with_stv: bool) -> pd.DataFrame:
        """Aggregate area counts to gesamtstadt, sozialraum (and stadtviertel), zeros filled."""
        labels = [p.label for p in periods]
        frames = []
        total = counts.groupby("periode")["n"].sum().reindex(labels, fill_value=0)
        frames.append(_long(total.to_frame(), "gesamtstadt", raum=GESAMTSTADT))
        sr_names = [*geography.sozialraeume(), OHNE_ZUORDNUNG]
        sr = counts.groupby(["periode", "sozialraum"])["n"].sum()
        sr = sr.reindex(pd.MultiIndex.from_product([labels, sr_names]), fill_value=0)
        frames.append(_long(sr.to_frame(), "sozialraum"))
        if with_stv:
            stv_names = list(self.rg["stadtviertel_nr"])
            stv = counts.dropna(subset=["stadtviertel_nr"])
            stv = stv.groupby(["periode", "stadtviertel_nr"])["n"].sum()
            stv = stv.reindex(pd.MultiIndex.from_product([labels, stv_names]), fill_value=0)
            frames.append(_long(stv.to_frame(), "stadtviertel"))
        return pd.concat(frames, ignore_index=True)

    def kennzahl(self, k: Kennzahl) -> pd.DataFrame:
        """All pool rows of one Kennzahl."""
        periods = self.periods(k)
        if not periods:
            return pd.DataFrame(columns=POOL_COLUMNS)
        tables = self.catalog.tables_of(k)
        with_stv = all(TABLES[t].has_stadtviertel for t in tables)
        z = self.by_ebene(self.sum_terms(k.zaehler, periods), periods, with_stv)
        z = z.rename(columns={"n": "zaehler"})
        if k.nenner:
            n = self.by_ebene(self.sum_terms(k.nenner, periods), periods, with_stv)
            z = z.merge(n.rename(columns={"n": "nenner"}), on=["ebene", "raum", "periode"])
            z = z[z["nenner"] > 0]
            z["wert"] = z["zaehler"] / z["nenner"] * k.faktor
        else:
            z["nenner"] = pd.NA
            z["wert"] = z["zaehler"].astype("float64")
        z.insert(0, "kennzahl", k.id)
        return z[POOL_COLUMNS]

    def build(self) -> pd.DataFrame:
        """The whole pool, sorted, with contract dtypes."""
        parts = [self.kennzahl(k) for k in self.catalog.kennzahlen if k.erhoben]
        parts = [p for p in parts if len(p)]
        pool = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=POOL_COLUMNS)
        pool["zaehler"] = pool["zaehler"].astype("int64")
        pool["nenner"] = pool["nenner"].astype("Int64")
        pool["wert"] = pool["wert"].astype("float64")
        for c in ("kennzahl", "ebene", "raum", "periode"):
            pool[c] = pool[c].astype(str)
        order = {e: i for i, e in enumerate(EBENEN)}
        pool = pool.sort_values(
            ["kennzahl", "ebene", "raum", "periode"],
            key=lambda s: s.map(order) if s.name == "ebene" else s,
            kind="stable",
        )
        return pool.reset_index(drop=True)


def _long(frame: pd.DataFrame, ebene: str, raum: str | None = None) -> pd.DataFrame:
    out = frame.reset_index()
    if raum is not None:
        out.columns = ["periode", "n"]
        out["raum"] = raum
    else:
        out.columns = ["periode", "raum", "n"]
    out["ebene"] = ebene
    return out[["ebene", "raum", "periode", "n"]]


_TRUE = {"ja", "j", "1", "true"}


def _filter_mask(col: pd.Series, value: object, kind: str) -> np.ndarray:
    """Rows of a prepared frame whose column matches a catalog filter value."""
    if isinstance(value, dict):
        mask = np.ones(len(col), dtype=bool)
        if "min" in value:
            mask &= (col >= value["min"]).to_numpy()
        if "max" in value:
            mask &= (col <= value["max"]).to_numpy()
        return mask
    values = value if isinstance(value, list) else [value]
    if kind == "bool":
        wanted = {v if isinstance(v, bool) else str(v).lower() in _TRUE for v in values}
        return col.astype(bool).isin(wanted).to_numpy()
    return col.astype(str).isin([str(v).lower() for v in values]).to_numpy()


# ---------------------------------------------------------------------------- build + write


def build_pool_frames(
    raw_dir: Path,
    catalog: Catalog | None = None,
    raumgliederung: pd.DataFrame | None = None,
    heute: date | None = None,
    vollstaendig_ab: dict[str, pd.Timestamp] | None = None,
) -> tuple[dict[str, pd.DataFrame], object]:
    """Read + validate the raw folder and compute every pool table (nothing is written).

    ``heute``: the day of the build (default: today); a Stand after it is bad input.
    ``vollstaendig_ab``: per record table, the date from which its exports are complete
    (default: ``config/abdeckung.yaml``).
    """
    from .reading import read_raw

    rg = raumgliederung if raumgliederung is not None else geography.raumgliederung()
    raw = read_raw(Path(raw_dir), rg, heute=heute)
    catalog = catalog or load_catalog()
    ab = abdeckung.load_config() if vollstaendig_ab is None else vollstaendig_ab
    builder = PoolBuilder(raw.tables, catalog, rg, raw.files, ab)
    pool = builder.build()
    frames = {"kennzahlen": pool, "stand": raw.files.copy(), "abdeckung": builder.abdeckung()}
    frames.update(_extra_frames(pool, raw, catalog))
    frames.update(_sozialindex_frames(pool, rg, catalog))
    return frames, raw


def _sozialindex_frames(
    pool: pd.DataFrame, rg: pd.DataFrame, catalog: Catalog
) -> dict[str, pd.DataFrame]:
    """The Sozialindex tables (config/sozialindex.yaml; none when the city has no such file)."""
    from . import sozialindex, sozialindex_config

    if not sozialindex_config.vorhanden():
        return {}
    return sozialindex.pool_frames(pool, rg, sozialindex_config.load(catalog=catalog))


def _extra_frames(pool: pd.DataFrame, raw: object, catalog: Catalog) -> dict[str, pd.DataFrame]:
    """Further pool tables: the Ampel (when configured) and the steering deliveries."""
    from . import ampel
    from .steuerung import tabellen

    return {**ampel.pool_frames(pool, raw, catalog), **tabellen.pool_frames(raw)}


def content_hashes(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, str]]:
    """Fingerprints of the pool's content, so that the runner redoes only reports whose data
    changed.

    ``kennzahlen``: one hash per Kennzahl over its rows; ``stand``: per raw table, the exports
    read (file name and Stand).
    """
    out: dict[str, dict[str, str]] = {"kennzahlen": {}, "stand": {}}
    pool = frames.get("kennzahlen")
    if pool is not None and len(pool):
        row_hash = pd.util.hash_pandas_object(
            pool[POOL_COLUMNS].astype(str), index=False
        ).to_numpy()
        for kid, idx in pool.groupby("kennzahl", sort=True).indices.items():
            out["kennzahlen"][str(kid)] = hashlib.sha256(row_hash[idx].tobytes()).hexdigest()
    stand = frames.get("stand")
    if stand is not None and len(stand):
        for table, grp in stand.sort_values("datei").groupby("tabelle", sort=True):
            text = "|".join(
                f"{d}@{pd.Timestamp(s).date()}"
                for d, s in zip(grp["datei"], grp["stand"], strict=True)
            )
            out["stand"][str(table)] = hashlib.sha256(text.encode()).hexdigest()
    return out


def check_stadt_des_ziels(out: Path | str):
    """The identity of the configuration in use; PoolTargetError when ``out`` holds the pool of
    another city (a rebuild of this city's pool, also with a changed catalog, is fine)."""
    from . import poolstore, stadtkennung

    kennung = stadtkennung.aktuell()
    alt = poolstore.current(Path(out)) if Path(out).is_dir() else None
    if alt is None:
        return kennung
    try:
        stempel = alt.manifest.get(stadtkennung.SCHLUESSEL)
    except (ValueError, AttributeError):
        stempel = None
    try:
        stadtkennung.pruefe(stempel, f"Der Datenpool {out}", kennung, "", katalog=False)
    except stadtkennung.FremdeStadt as exc:
        raise poolstore.PoolTargetError(str(exc)) from None
    return kennung


def write_pool(
    frames: dict[str, pd.DataFrame],
    out: Path,
    extra: dict | None = None,
    raw: Path | None = None,
    wait: float = 0.0,
    echo=None,
) -> Path:
    """Write the pool as a new version and switch to it atomically (:mod:`kennzahlen.poolstore`).

    Refuses (``PoolTargetError``) a folder that holds files the program did not write, that
    overlaps the raw folder ``raw`` or that holds another city's pool; readers see the old or the
    new pool at every instant. The manifest carries the identity of the configuration in use
    (:mod:`kennzahlen.stadtkennung`).
    """
    from . import poolstore, stadtkennung

    kennung = check_stadt_des_ziels(out)

    def writer(frame: pd.DataFrame):
        return lambda path: frame.to_parquet(path, index=False)

    tables = {f"{name}.parquet": writer(frame) for name, frame in frames.items()}
    manifest = {
        **content_hashes(frames),
        stadtkennung.SCHLUESSEL: kennung.stempel(),
        **(extra or {}),
    }
    poolstore.write(
        tables, manifest, Path(out), raw=raw, readme=PROCESSED_README, wait=wait, echo=echo
    )
    return Path(out) / paths.POOL_FILE


PROCESSED_README = """# data/processed/ — der Datenpool (Build-Ausgabe)

Erzeugt von `kennzahlen pool` aus `data/raw/`; nicht von Hand ändern, nicht einchecken.

- `kennzahlen.parquet`: eine Zeile je Wert (kennzahl, ebene, raum, periode, zaehler, nenner, wert)
- `stand.parquet`: die gelesenen Exporte mit ihrem Stand (Exportdatum)
- `abdeckung.parquet`: je Rohtabelle der Zeitraum, den ihre Exporte abdecken, und warum
- `ampel.parquet`, `ampel_details.parquet`: die Ampel je Quartal, Sozialraum und Arbeitsfeld
- `erlaeuterungen.parquet`, `massnahmen.parquet`, `personal.parquet`: die Lieferungen der
  Fachkoordination/Fachplanung (Erläuterungen, Maßnahmen zu Ampeln, besetzte Stellen), geprüft
- `sozialindex.parquet`, `sozialindex_indikatoren.parquet`: der Sozialindex je Jahr und Stadtviertel
  (Status, Dynamik, Klassen) und je Indikator (Wert, z-Wert, Veränderung); siehe docs/sozialindex.md
- `manifest.json`: Prüfsummen der Dateien und die aktuelle Version (der Berichtslauf erkennt daran
  Änderungen)
- `versions/v-…/`: je Version ein vollständiger Datenpool; die Dateien oben sind die der aktuellen
  Version. Ein neuer Pool wird erst ganz geschrieben, dann umgeschaltet: Lesende sehen immer den
  alten oder den neuen Pool, nie einen halben. Alte Versionen räumt `kennzahlen pool` selbst auf.

`kennzahlen pool` schreibt nur in einen leeren Ordner oder einen früheren Datenpool und löscht nur,
was es selbst geschrieben hat.
"""


def pool_summary(frames: dict[str, pd.DataFrame], raw: object) -> list[str]:
    """German summary lines of a pool build: tables read, rows, periods, areas, warnings."""
    from .fmt import datum, zahl

    pool = frames["kennzahlen"]
    files = frames["stand"]
    lines = [f"Gelesen: {len(files)} Dateien aus {files['tabelle'].nunique()} Tabellen"]
    for table, grp in files.groupby("tabelle"):
        lines.append(
            f"  {table:<22} {len(grp):>3} Exporte, {zahl(grp['zeilen'].sum()):>9} Zeilen, "
            f"Stand {datum(grp['stand'].min())} bis {datum(grp['stand'].max())}"
        )
    periods = sorted(pool["periode"].unique())
    sr = pool.loc[pool["ebene"] == "sozialraum", "raum"].nunique()
    stv = pool.loc[pool["ebene"] == "stadtviertel", "raum"].nunique()
    lines.append(
        f"Datenpool: {zahl(len(pool))} Werte, {pool['kennzahl'].nunique()} Kennzahlen, "
        f"Perioden {periods[0] if periods else '-'} bis {periods[-1] if periods else '-'}, "
        f"{sr} Sozialräume (inkl. ohne Zuordnung), {stv} Stadtviertel"
    )
    for name, frame in frames.items():
        if name not in ("kennzahlen", "stand"):
            lines.append(f"  {name}.parquet: {zahl(len(frame))} Zeilen")
    for w in getattr(raw, "warnings", []):
        lines.append(f"Warnung: {w}")
    return lines
