"""The data pool: every Kennzahl of the catalog on every ebene and period the data allow.

Counting rules (DATA_CONTRACT.md section 3), over the normalised raw frames of
:mod:`kennzahlen.reading.raw`, every period in one pass (:mod:`kennzahlen.pool.gruppen`):

- Bestand on Stichtag S: ``beginn <= S`` and (``ende`` empty or ``ende >= S``)
- im Verlauf of [A, B]: ``beginn <= B`` and (``ende`` empty or ``ende >= A``)
- Ereignisse in [A, B]: the event date within [A, B]
- jahr_bis_stichtag on S: events from 01.01. of S's year to S
- Summe (count tables): the sum on the Stichtag at the end of the period
- summe_zeitraum (amounts per period), bestand_quartalsenden (stock on the four quarter ends) and
  ``vergleich: vorjahr``: :mod:`kennzahlen.pool.kosten`

Catalog filters pick groups of a table; Sozialräume and Stadtviertel sum the groups of their
area. Gesamtstadt is the sum of the Sozialräume and ``ohne Zuordnung``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kennzahlen.catalog import geography
from kennzahlen.catalog.model import COUNT_COLUMN, EVENT_DATE, Catalog, Kennzahl, Term
from kennzahlen.core.periods import Periode, jahresbeginn, perioden_fuer
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG, TABLES
from kennzahlen.pool import abdeckung, kosten
from kennzahlen.pool.abdeckung import Abdeckung, build_abdeckung
from kennzahlen.pool.gruppen import (
    Gruppen,
    gruppen,
    quartalsenden,
    spannen,
    summe_zeitraum,
    summen,
)

POOL_COLUMNS = ["kennzahl", "ebene", "raum", "periode", "zaehler", "nenner", "wert"]
EBENEN = ("gesamtstadt", "sozialraum", "stadtviertel")
GEO = ["stadtviertel_nr", "sozialraum"]


def _deckt_ab(cov: Abdeckung, period: Periode, regel: str) -> bool:
    first = period.start
    if regel in kosten.REGELN:
        first = kosten.erster_tag(regel, period)
    elif regel == "bestand":
        first = period.end
    elif regel == "jahr_bis_stichtag":
        first = jahresbeginn(period.end)
    return cov.deckt_ab(first, period.end)


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
        self._groups: dict[str, Gruppen] = {}
        self._counts: dict[tuple[str, str, str, tuple[str, ...]], np.ndarray] = {}
        self._areas: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        self._masks: dict[tuple[str, str, str], np.ndarray] = {}
        self._terms: dict[tuple[str, str, tuple[str, ...], bool], Flaechen] = {}
        self._gedeckt: dict[tuple[str, str, str], bool] = {}
        self._kandidaten: dict[tuple[str, pd.Timestamp, pd.Timestamp], list[Periode]] = {}
        self._sr_names = [*geography.sozialraeume(), OHNE_ZUORDNUNG]
        self._stv_names = list(raumgliederung["stadtviertel_nr"])
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
        key = (k.periodizitaet, min(starts), max(ends))
        if key not in self._kandidaten:
            self._kandidaten[key] = perioden_fuer(*key)
        terms = [self.catalog.basiszahlen[t.basis] for t in [*k.zaehler, *k.nenner]]
        return [
            p
            for p in self._kandidaten[key]
            if all(self._deckt_ab(bz.tabelle, p, bz.regel) for bz in terms)
        ]

    def _deckt_ab(self, tabelle: str, p: Periode, regel: str) -> bool:
        """Whether a table covers a period under a rule (decided once per table, period, rule)."""
        key = (tabelle, p.label, regel)
        if key not in self._gedeckt:
            self._gedeckt[key] = _deckt_ab(self._abdeckungen[tabelle], p, regel)
        return self._gedeckt[key]

    # ------------------------------------------------------------------ base counts
    def _gruppen(self, tabelle: str) -> Gruppen:
        """The groups of a table over its area and code columns (built once per table)."""
        if tabelle not in self._groups:
            table = TABLES[tabelle]
            df = self.tables[tabelle]
            dims = [
                c.name
                for c in table.columns
                if c.kind in ("code", "bool", "int") and c.name not in GEO
            ]
            geo = [g for g in GEO if g in df.columns]
            self._groups[tabelle] = gruppen(df, [*geo, *dims])
        return self._groups[tabelle]

    def counts(self, basis: str, periods: list[Periode]) -> np.ndarray:
        """A Basiszahl per group of its table and period: int64 (groups x periods), one pass."""
        bz = self.catalog.basiszahlen[basis]
        key = (bz.tabelle, bz.regel, bz.spalte or "", tuple(p.label for p in periods))
        if key not in self._counts:
            df = self.tables[bz.tabelle]
            g = self._gruppen(bz.tabelle)
            if bz.regel in kosten.REGELN:
                out = _kosten(bz.regel, df, g, periods, bz.spalte)
            elif bz.regel == "summe":
                out = summen(g, df["stichtag"], df[COUNT_COLUMN[bz.tabelle]], periods)
            elif bz.regel in ("bestand", "im_verlauf"):
                out = spannen(g, df["beginn"], df["ende"], periods, bz.regel)
            else:
                out = spannen(g, df[EVENT_DATE[bz.tabelle]], None, periods, bz.regel)
            self._counts[key] = out
        return self._counts[key]

    def _flaechen(self, tabelle: str) -> tuple[np.ndarray, np.ndarray | None]:
        """Per group of a table: its Sozialraum and Stadtviertel as positions in the lists the
        pool shows (``-1``: not shown on that ebene, e.g. an empty Stadtviertel)."""
        if tabelle not in self._areas:
            frame = self._gruppen(tabelle).frame
            sr = pd.Index(self._sr_names).get_indexer(frame["sozialraum"])
            stv = None
            if "stadtviertel_nr" in frame.columns:
                known = frame["stadtviertel_nr"].notna().to_numpy()
                stv = np.where(
                    known, pd.Index(self._stv_names).get_indexer(frame["stadtviertel_nr"]), -1
                )
            self._areas[tabelle] = (sr, stv)
        return self._areas[tabelle]

    def term_counts(self, term: Term, periods: list[Periode], with_stv: bool) -> Flaechen:
        """One summand per ebene and area: (Gesamtstadt, Sozialräume, Stadtviertel) x periods
        (counted once per Basiszahl, filter and periods: many Kennzahlen share a Nenner)."""
        key = (
            term.basis,
            repr(sorted(term.filter.items())),
            tuple(p.label for p in periods),
            with_stv,
        )
        if key not in self._terms:
            self._terms[key] = self._term_counts(term, periods, with_stv)
        f = self._terms[key]
        if term.vorzeichen == 1:
            return f
        v = term.vorzeichen
        return Flaechen(
            f.gesamtstadt * v,
            f.sozialraum * v,
            None if f.stadtviertel is None else f.stadtviertel * v,
        )

    def _term_counts(self, term: Term, periods: list[Periode], with_stv: bool) -> Flaechen:
        """A term without its sign, per ebene and area."""
        bz = self.catalog.basiszahlen[term.basis]
        table = TABLES[bz.tabelle]
        frame = self._gruppen(bz.tabelle).frame
        mask = np.ones(len(frame), dtype=bool)
        for col, value in term.filter.items():
            key = (bz.tabelle, col, repr(value))
            if key not in self._masks:
                kind = table.column(col).kind if col != "sozialraum" else "code"
                self._masks[key] = _filter_mask(frame[col], value, kind)
            mask &= self._masks[key]
        counts = self.counts(term.basis, periods)[mask]
        sr_idx, stv_idx = self._flaechen(bz.tabelle)
        return Flaechen(
            counts.sum(axis=0),
            _per_area(counts, sr_idx[mask], len(self._sr_names)),
            _per_area(counts, stv_idx[mask], len(self._stv_names))
            if with_stv and stv_idx is not None
            else None,
        )

    def sum_terms(self, terms: list[Term], periods: list[Periode], with_stv: bool) -> Flaechen:
        """Zähler or Nenner: the sum of its terms per ebene, area and period."""
        parts = [self.term_counts(t, periods, with_stv) for t in terms]
        stv = [p.stadtviertel for p in parts if p.stadtviertel is not None]
        return Flaechen(
            np.sum([p.gesamtstadt for p in parts], axis=0),
            np.sum([p.sozialraum for p in parts], axis=0),
            np.sum(stv, axis=0) if with_stv and len(stv) == len(parts) else None,
        )

    # ------------------------------------------------------------------ ebenen
    def _long(self, f: Flaechen, labels: list[str]) -> dict[str, np.ndarray]:
        """The rows of one sum: ebene, raum, periode and the count, every ebene's areas."""
        m = len(labels)
        areas = [("gesamtstadt", [GESAMTSTADT]), ("sozialraum", self._sr_names)]
        values = [f.gesamtstadt[None, :], f.sozialraum]
        if f.stadtviertel is not None:
            areas.append(("stadtviertel", self._stv_names))
            values.append(f.stadtviertel)
        ebene = np.concatenate([np.repeat(e, len(names) * m) for e, names in areas])
        raum = np.concatenate([np.repeat(np.asarray(names, dtype=object), m) for _, names in areas])
        periode = np.tile(np.asarray(labels, dtype=object), len(raum) // max(m, 1))
        n = np.concatenate([v.reshape(-1) for v in values])
        return {"ebene": ebene, "raum": raum, "periode": periode, "n": n}

    def _rows(self, k: Kennzahl) -> dict[str, np.ndarray] | None:
        """All pool rows of one Kennzahl as columns (None: no period has data)."""
        periods = self.periods(k)
        if not periods:
            return None
        labels = [p.label for p in periods]
        tables = self.catalog.tables_of(k)
        with_stv = all(TABLES[t].has_stadtviertel for t in tables)
        rows = self._long(self.sum_terms(k.zaehler, periods, with_stv), labels)
        zaehler = rows.pop("n")
        if k.nenner:
            nenner = self._long(self.sum_terms(k.nenner, periods, with_stv), labels)["n"]
            # a share of nothing (Nenner 0) has no value: the row stays, marked by wert NaN
            with np.errstate(divide="ignore", invalid="ignore"):
                rows["wert"] = np.where(nenner > 0, zaehler / nenner * k.faktor, np.nan)
            rows["nenner"] = nenner.astype(object)
        else:
            rows["wert"] = zaehler.astype("float64")
            rows["nenner"] = np.full(len(zaehler), None, dtype=object)
        rows["zaehler"] = zaehler
        rows["kennzahl"] = np.full(len(zaehler), k.id, dtype=object)
        if k.vergleich == "vorjahr":  # the change against the previous year (pool.kosten)
            frame = kosten.vorjahr(pd.DataFrame(rows))
            rows = {c: frame[c].to_numpy() for c in frame.columns}
        return rows

    def kennzahl(self, k: Kennzahl) -> pd.DataFrame:
        """All pool rows of one Kennzahl."""
        rows = self._rows(k)
        if rows is None:
            return pd.DataFrame(columns=POOL_COLUMNS)
        return _typed(pd.DataFrame(rows)[POOL_COLUMNS])

    def build(self) -> pd.DataFrame:
        """The whole pool, sorted, with contract dtypes."""
        rows = [self._rows(k) for k in self.catalog.kennzahlen if k.erhoben]
        parts = [p for p in rows if p is not None and len(p["kennzahl"])]
        pool = _typed(
            pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in POOL_COLUMNS})
            if parts
            else pd.DataFrame(columns=POOL_COLUMNS)
        )
        order = {e: i for i, e in enumerate(EBENEN)}
        pool = pool.sort_values(
            ["kennzahl", "ebene", "raum", "periode"],
            key=lambda s: s.map(order) if s.name == "ebene" else s,
            kind="stable",
        )
        return pool.reset_index(drop=True)


@dataclass(frozen=True)
class Flaechen:
    """A count per ebene: Gesamtstadt (periods), Sozialräume and Stadtviertel (areas x periods)."""

    gesamtstadt: np.ndarray
    sozialraum: np.ndarray
    stadtviertel: np.ndarray | None


def _per_area(counts: np.ndarray, area: np.ndarray, n_areas: int) -> np.ndarray:
    """Sum the rows of ``counts`` (groups x periods) into areas (``-1``: left out)."""
    shown = area >= 0
    area, counts = area[shown], counts[shown]
    m = counts.shape[1]
    if not m:
        return np.zeros((n_areas, 0), dtype=np.int64)
    cell = (area[:, None] * m + np.arange(m)).reshape(-1)
    sums = np.bincount(cell, weights=counts.reshape(-1).astype(np.float64), minlength=n_areas * m)
    return np.rint(sums).astype(np.int64).reshape(n_areas, m)  # exact below 2**53


def _kosten(
    regel: str, df: pd.DataFrame, g: Gruppen, periods: list[Periode], spalte: str | None
) -> np.ndarray:
    """A rule of :mod:`kennzahlen.pool.kosten` per group and period (int64, groups x periods),
    counted in one pass (:mod:`kennzahlen.pool.gruppen`; the same numbers as ``kosten.zaehlen``)."""
    if not len(df) or not periods:
        return np.zeros((g.n, len(periods)), dtype=np.int64)
    if regel == "bestand_quartalsenden":
        return quartalsenden(g, df["beginn"], df["ende"], periods)
    jahr, quartal = kosten.jahr_und_quartal(df["periode"])
    return summe_zeitraum(g, jahr, quartal, df[str(spalte)], periods)


def _typed(pool: pd.DataFrame) -> pd.DataFrame:
    """The contract dtypes of the pool's columns."""
    pool["zaehler"] = pool["zaehler"].astype("int64")
    pool["nenner"] = pool["nenner"].astype("Int64")
    pool["wert"] = pool["wert"].astype("float64")
    for c in ("kennzahl", "ebene", "raum", "periode"):
        pool[c] = pool[c].astype(str)
    return pool


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
