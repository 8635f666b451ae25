"""The counting engine before issue 28, kept to compare against: per Basiszahl a boolean mask and
a groupby per period, per Kennzahl three groupbys, a reindex and a merge.

`benchmarks/pool_engine.py` builds the pool with this engine and with
:mod:`kennzahlen.pool.zaehlen` side by side; `tests/test_pool_engine.py` compares the two on
random tables. Not used by the package.

The docstring of the original module:
The data pool: every Kennzahl of the catalog on every ebene and period the data allow.

Counting rules (DATA_CONTRACT.md section 3), vectorised over the normalised raw frames of
:mod:`kennzahlen.reading.raw`:

- Bestand on Stichtag S: ``beginn <= S`` and (``ende`` empty or ``ende >= S``)
- im Verlauf of [A, B]: ``beginn <= B`` and (``ende`` empty or ``ende >= A``)
- Ereignisse in [A, B]: the event date within [A, B]
- jahr_bis_stichtag on S: events from 01.01. of S's year to S
- Summe (count tables): the sum on the Stichtag at the end of the period
- summe_zeitraum (amounts per period), bestand_quartalsenden (stock on the four quarter ends) and
  ``vergleich: vorjahr``: :mod:`kennzahlen.pool.kosten`

Gesamtstadt is the sum of the Sozialräume and ``ohne Zuordnung``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kennzahlen.catalog import geography
from kennzahlen.catalog.model import COUNT_COLUMN, EVENT_DATE, Catalog, Kennzahl, Term
from kennzahlen.core.periods import Periode, jahresbeginn, perioden_fuer
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG, TABLES
from kennzahlen.pool import abdeckung, kosten
from kennzahlen.pool.abdeckung import Abdeckung

POOL_COLUMNS = ["kennzahl", "ebene", "raum", "periode", "zaehler", "nenner", "wert"]
EBENEN = ("gesamtstadt", "sozialraum", "stadtviertel")
GEO = ["stadtviertel_nr", "sozialraum"]


def build_abdeckung(
    table: str,
    frame: pd.DataFrame,
    files: pd.DataFrame | None,
    vollstaendig_ab: pd.Timestamp | None = None,
) -> Abdeckung:
    """The time a table's exports cover (DATA_CONTRACT.md section 3, "Abdeckung").

    Record tables: from the first day of the quarter of the earliest ``beginn``/``datum`` (over
    all exports, after superseding), or from ``vollstaendig_ab`` (config/abdeckung.yaml) when that
    is later, up to the last quarter end on or before the newest Stand. Count tables: the set of
    Stichtage delivered.
    """
    return abdeckung.build_abdeckung(table, frame, files, vollstaendig_ab)


def _deckt_ab(cov: Abdeckung, period: Periode, regel: str) -> bool:
    first = period.start
    if regel in kosten.REGELN:
        first = kosten.erster_tag(regel, period)
    elif regel == "bestand":
        first = period.end
    elif regel == "jahr_bis_stichtag":
        first = jahresbeginn(period.end)
    return cov.deckt_ab(first, period.end)


class NaivPoolBuilder:
    """The pool from normalised raw tables and the catalog, the pre-issue-28 way."""

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
        self._abdeckungen: dict[str, Abdeckung] = {
            name: build_abdeckung(name, frame, files, ab.get(name))
            for name, frame in tables.items()
            if name in TABLES
        }

    def abdeckung(self) -> pd.DataFrame:
        """The coverage per raw table as the pool table ``abdeckung`` (one row per table)."""
        return abdeckung.frame_of(self._abdeckungen.values())

    # ------------------------------------------------------------------ periods
    def periods(self, k: Kennzahl) -> list[Periode]:
        """The periods for which every table the Kennzahl reads has data."""
        starts, ends = [], []
        for term in [*k.zaehler, *k.nenner]:
            cov = self._abdeckungen.get(self.catalog.basiszahlen[term.basis].tabelle)
            span = cov.span if cov is not None else None
            if span is None:
                return []
            starts.append(span[0])
            ends.append(span[1])
        candidates = perioden_fuer(k.periodizitaet, min(starts), max(ends))
        out = []
        for p in candidates:
            ok = all(
                _deckt_ab(
                    self._abdeckungen[self.catalog.basiszahlen[t.basis].tabelle],
                    p,
                    self.catalog.basiszahlen[t.basis].regel,
                )
                for t in [*k.zaehler, *k.nenner]
            )
            if ok:
                out.append(p)
        return out

    # ------------------------------------------------------------------ base counts
    def prepared(self, basis: str, periods: list[Periode]) -> pd.DataFrame:
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
        if bz.regel in kosten.REGELN:
            parts.append(kosten.zaehlen(bz.regel, df, periods, group, bz.spalte))
        elif bz.regel == "summe":
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

    def term_counts(self, term: Term, periods: list[Periode]) -> pd.DataFrame:
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

    def sum_terms(self, terms: list[Term], periods: list[Periode]) -> pd.DataFrame:
        """Zähler or Nenner: the sum of its terms per period and area."""
        parts = [self.term_counts(t, periods) for t in terms]
        for t, part in zip(terms, parts, strict=True):
            if t.vorzeichen < 0:
                part["n"] = -part["n"]
        geo = [g for g in GEO if all(g in p.columns for p in parts)]
        both = pd.concat([p[["periode", *geo, "n"]] for p in parts], ignore_index=True)
        return both.groupby(["periode", *geo], dropna=False, observed=True)["n"].sum().reset_index()

    # ------------------------------------------------------------------ ebenen
    def by_ebene(
        self, counts: pd.DataFrame, periods: list[Periode], with_stv: bool
    ) -> pd.DataFrame:
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
            # Nenner 0: the row stays, without a value (DATA_CONTRACT.md section 4)
            z["wert"] = (z["zaehler"] / z["nenner"] * k.faktor).where(z["nenner"] > 0)
        else:
            z["nenner"] = pd.NA
            z["wert"] = z["zaehler"].astype("float64")
        if k.vergleich == "vorjahr":
            z = kosten.vorjahr(z)
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
