"""The Abdeckung (coverage): from when to when each raw table can answer a period.

DATA_CONTRACT.md section 3: a record table covers from the first day of the quarter of its
earliest ``beginn``/``datum`` up to the last quarter end on or before its newest Stand;
``config/abdeckung.yaml`` can start a table later (its exports are complete only from that date).
A count table covers the Stichtage it delivers. The pool stores the Abdeckung per table
(``abdeckung.parquet``), so that a report can say from when its time series runs and why, without
reading ``data/raw/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from kennzahlen.catalog.model import EVENT_DATE, load_catalog
from kennzahlen.core import fmt, paths
from kennzahlen.core.configfile import StrictLoader, problems_message, read_yaml
from kennzahlen.core.periods import (
    letzter_tag,
    letztes_quartal_ende,
    quartal_beginn_von_tag,
    quartal_enden,
    quartal_von_tag,
)
from kennzahlen.core.schema import TABLES
from kennzahlen.pool import kosten

CONFIG_FILE = "abdeckung.yaml"
COLUMNS = [
    "tabelle",
    "art",
    "von",
    "bis",
    "grund",
    "erstes_datum",
    "vollstaendig_ab",
    "neuester_stand",
    "stichtage",
]

#: the tables in German, as the genitive after "die Exporte" / the subject of a sentence
GENITIV = {
    "jugendhilfe": "der Jugendhilfe",
    "hilfen_vor_dem_fall": "der Hilfen vor dem Fall",
    "sozialhilfe": "der Sozialhilfe",
    "fallmanagement": "des Fallmanagements",
    "beratungen_altenhilfe": "der Beratungen der Altenhilfe",
    "teilhabeteam": "der Teilhabeteams",
    "wohnraumsicherung": "der Wohnraumsicherung",
    "ampel_schaltungen": "der Ampel-Schaltungen",
    "vergleichswerte": "der Vergleichswerte",
}
ZAEHLTABELLE = {
    "bevoelkerung": "die Bevölkerungszahlen",
    "haushalte": "die Haushaltszahlen",
    "transferleistungen": "die Zahlen der Transferleistungen",
}


class AbdeckungConfigError(ValueError):
    """config/abdeckung.yaml is invalid; the message names the file, the entry and the value."""


def date_column(table: str) -> str | None:
    """The column whose earliest value starts a record table's Abdeckung (None: no such column)."""
    if table in EVENT_DATE:
        return EVENT_DATE[table]
    return "beginn" if "beginn" in TABLES[table].column_names else None


def load_config(path: Path | str | None = None) -> dict[str, pd.Timestamp]:
    """``vollstaendig_ab`` per record table from ``config/abdeckung.yaml`` (no file: none).

    Raises AbdeckungConfigError (German) for an unknown table, a count table or a date that is
    not a date.
    """
    path = Path(path or paths.CONFIG / CONFIG_FILE)
    if not path.exists():
        return {}
    raw = _read_yaml_dates_as_text(path)
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) - {"vollstaendig_ab"}:
        extra = sorted(set(raw) - {"vollstaendig_ab"}) if isinstance(raw, dict) else [str(raw)]
        raise AbdeckungConfigError(
            f"{path}: erwartet nur den Abschnitt 'vollstaendig_ab:' (Tabelle: Datum), "
            f"gefunden: {', '.join(map(str, extra))}"
        )
    entries = raw.get("vollstaendig_ab") or {}
    if not isinstance(entries, dict):
        raise AbdeckungConfigError(
            f"{path}: 'vollstaendig_ab' muss Tabelle: Datum-Zeilen enthalten, nicht {entries!r}"
        )
    problems, out = [], {}
    for table, value in entries.items():
        where = f"vollstaendig_ab.{table}"
        if table not in TABLES:
            problems.append(
                f"{where}: unbekannte Tabelle '{table}' (Tabellen: "
                f"{', '.join(t for t in TABLES if date_column(t))})"
            )
            continue
        if TABLES[table].kind == "count" or date_column(table) is None:
            problems.append(
                f"{where}: '{table}' hat kein Beginn-/Ereignisdatum; ihre Abdeckung sind "
                "die gelieferten Stichtage bzw. Quartale, ein Datum hier ist nicht nötig"
            )
            continue
        day = _as_date(value)
        if day is None:
            problems.append(
                f"{where}: Datum nicht lesbar: '{value}' (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)"
            )
            continue
        out[table] = day
    if problems:
        raise AbdeckungConfigError(problems_message(path, "die Abdeckung ist ungültig", problems))
    return out


class _TextDates(StrictLoader):
    """Strict YAML (duplicate keys refused) without its date type: a date stays text and is
    checked here with a clear message."""


_TextDates.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml_dates_as_text(path: Path) -> object:
    return read_yaml(path, AbdeckungConfigError, "die Abdeckung", loader=_TextDates)


def _as_date(value: object) -> pd.Timestamp | None:
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value.date())
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return pd.Timestamp(dt.datetime.strptime(text, pattern).date())
        except ValueError:
            continue
    return None


# ------------------------------------------------------------------------------ the Abdeckung
@dataclass(frozen=True)
class Abdeckung:
    """The time a table can answer: an interval (record tables) or a set of Stichtage (counts).

    ``grund`` says what set the start: ``daten`` (the earliest date in the exports), ``config``
    (``vollstaendig_ab`` in config/abdeckung.yaml), ``stichtage`` (count tables) or
    ``keine_daten`` (no Abdeckung).
    """

    tabelle: str
    art: str  # "zeitraum" | "stichtage" | "zeitraeume" (ausgaben: quarters and whole years)
    von: pd.Timestamp | None = None
    bis: pd.Timestamp | None = None
    stichtage: frozenset = field(default_factory=frozenset)
    #: art "zeitraeume": the years delivered whole (``stichtage``: the quarters' last days)
    jahre: frozenset = field(default_factory=frozenset)
    grund: str = "keine_daten"
    erstes_datum: pd.Timestamp | None = None
    vollstaendig_ab: pd.Timestamp | None = None
    neuester_stand: pd.Timestamp | None = None

    def deckt_ab(self, first: pd.Timestamp, last: pd.Timestamp) -> bool:
        """Whether every day of [first, last] is covered (count tables: ``last`` is a Stichtag)."""
        if self.art == "stichtage":
            return last in self.stichtage
        if self.art == "zeitraeume":
            return self._deckt_ab_zeitraeume(pd.Timestamp(first), pd.Timestamp(last))
        if self.von is None or self.bis is None:
            return False
        return self.von <= first and last <= self.bis

    def _deckt_ab_zeitraeume(self, first: pd.Timestamp, last: pd.Timestamp) -> bool:
        """A whole year delivered whole, or every quarter from ``first`` to ``last`` delivered."""
        ganzes_jahr = first == pd.Timestamp(year=first.year, month=1, day=1) and last == (
            pd.Timestamp(year=first.year, month=12, day=31)
        )
        if ganzes_jahr and first.year in self.jahre:
            return True
        ends = quartal_enden(first, last)
        return (
            bool(ends)
            and first == quartal_beginn_von_tag(first)
            and last == ends[-1]
            and all(e in self.stichtage for e in ends)
        )

    @property
    def span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """(first, last) day that may hold a period of this table, or None."""
        if self.art == "zeitraeume":
            return None if self.von is None or self.bis is None else (self.von, self.bis)
        if self.art == "stichtage":
            if not self.stichtage:
                return None
            return min(self.stichtage) - pd.offsets.YearBegin(1), max(self.stichtage)
        if self.von is None or self.bis is None:
            return None
        return self.von, self.bis


def _neuester_stand(
    table: str, frame: pd.DataFrame, files: pd.DataFrame | None
) -> pd.Timestamp | None:
    """The newest Stand of the table's exports (from the manifest, else from the frame)."""
    stands = None
    if files is not None and len(files):
        stands = pd.to_datetime(files.loc[files["tabelle"] == table, "stand"])
    if (stands is None or stands.empty) and "stand" in frame and len(frame):
        stands = pd.to_datetime(frame["stand"])
    return stands.max() if stands is not None and len(stands) else None


def build_abdeckung(
    table: str,
    frame: pd.DataFrame,
    files: pd.DataFrame | None = None,
    vollstaendig_ab: pd.Timestamp | None = None,
) -> Abdeckung:
    """The Abdeckung of one table from its normalised frame (superseding applied over all
    exports) and manifest, by the rule in this module's docstring."""
    newest = _neuester_stand(table, frame, files)
    if "periode" in TABLES[table].column_names:  # amounts per period (ausgaben)
        return _zeitraeume(table, frame, newest)
    if TABLES[table].kind == "count":
        days = frozenset(pd.to_datetime(frame["stichtag"]).unique()) if len(frame) else frozenset()
        return Abdeckung(
            table,
            "stichtage",
            stichtage=days,
            grund="stichtage" if days else "keine_daten",
            von=min(days) if days else None,
            bis=max(days) if days else None,
            neuester_stand=newest,
        )
    if "jahr" in TABLES[table].column_names:
        return _jahre(table, frame, newest)
    col = date_column(table)
    earliest = None
    if col is not None and col in frame and frame[col].notna().any():
        earliest = pd.Timestamp(frame[col].min())
    base = Abdeckung(
        table,
        "zeitraum",
        erstes_datum=earliest,
        vollstaendig_ab=vollstaendig_ab,
        neuester_stand=newest,
    )
    if newest is None or col is None:
        return base
    von, grund = (
        (quartal_beginn_von_tag(earliest), "daten")
        if earliest is not None
        else (None, "keine_daten")
    )
    if vollstaendig_ab is not None and (von is None or vollstaendig_ab > von):
        von, grund = pd.Timestamp(vollstaendig_ab), "config"
    if von is None:
        return base
    bis = letztes_quartal_ende(newest)
    if bis < von:
        return base
    return Abdeckung(
        table,
        "zeitraum",
        von=von,
        bis=bis,
        grund=grund,
        erstes_datum=earliest,
        vollstaendig_ab=vollstaendig_ab,
        neuester_stand=newest,
    )


def _jahre(table: str, frame: pd.DataFrame, newest: pd.Timestamp | None) -> Abdeckung:
    """A table of yearly values (``vergleichswerte``) covers the years it holds: from 01.01. of
    the first to 31.12. of the last."""
    jahre = pd.to_numeric(frame["jahr"], errors="coerce").dropna() if len(frame) else None
    if jahre is None or jahre.empty:
        return Abdeckung(table, "zeitraum", neuester_stand=newest)
    von, bis = pd.Timestamp(int(jahre.min()), 1, 1), pd.Timestamp(int(jahre.max()), 12, 31)
    return Abdeckung(
        table, "zeitraum", von=von, bis=bis, grund="daten", erstes_datum=von,
        neuester_stand=newest,
    )  # fmt: skip


def _zeitraeume(table: str, frame: pd.DataFrame, newest: pd.Timestamp | None) -> Abdeckung:
    """The coverage of a table of amounts per period: its quarters and whole years."""
    ends, jahre, von = kosten.abdeckung_frames(frame)
    bis = max([*ends, *(pd.Timestamp(year=j, month=12, day=31) for j in jahre)], default=None)
    return Abdeckung(
        table,
        "zeitraeume",
        von=von,
        bis=bis,
        stichtage=ends,
        jahre=jahre,
        grund="zeitraeume" if von is not None else "keine_daten",
        neuester_stand=newest,
    )


def frame_of(abdeckungen: Iterable[Abdeckung]) -> pd.DataFrame:
    """The pool table ``abdeckung``: one row per table."""
    rows = [
        {
            "tabelle": c.tabelle,
            "art": c.art,
            "von": c.von,
            "bis": c.bis,
            "grund": c.grund,
            "erstes_datum": c.erstes_datum,
            "vollstaendig_ab": c.vollstaendig_ab,
            "neuester_stand": c.neuester_stand,
            "stichtage": len(c.stichtage),
        }
        for c in abdeckungen
    ]
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("von", "bis", "erstes_datum", "vollstaendig_ab", "neuester_stand"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    df["stichtage"] = df["stichtage"].astype("int64")
    for c in ("tabelle", "art", "grund"):
        df[c] = df[c].astype(str)
    return df.sort_values("tabelle").reset_index(drop=True)


# ------------------------------------------------------------------------------ the sentence
def load(pool: str | Path | None = None) -> pd.DataFrame:
    """The pool's table ``abdeckung`` (empty for a pool built before it existed)."""
    from kennzahlen.pool.load import PoolMissing, load_pool

    try:
        return load_pool(pool, "abdeckung")
    except PoolMissing:
        return frame_of([])


def _ab(ts: pd.Timestamp) -> str:
    """'dem 1. Quartal 2019' for a quarter's first day, else 'dem 15.02.2020'."""
    ts = pd.Timestamp(ts)
    return f"dem {_quartal(ts)}" if ts == quartal_beginn_von_tag(ts) else f"dem {fmt.datum(ts)}"


def _quartal(ts: pd.Timestamp) -> str:
    """'4. Quartal 2023' for a day of that quarter."""
    return fmt.periode(quartal_von_tag(ts))


def _und(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} und {items[-1]}"


def grund_text(rows: Sequence[pd.Series | dict] | pd.Series | dict) -> str:
    """Why tables' Abdeckung starts where it does, as a German clause after 'weil'.

    Several rows with the same reason and start are named together: "die Exporte der
    Jugendhilfe und der Sozialhilfe erst ab dem 1. Quartal 2019 vollständig
    sind".
    """
    rows = [rows] if isinstance(rows, (dict, pd.Series)) else list(rows)
    first = rows[0]
    tables = [r["tabelle"] for r in rows]
    if first["art"] == "zeitraeume":
        return f"die Ausgaben (Finanzverfahren) ab {_ab(first['von'])} geliefert sind"
    if first["art"] == "stichtage":
        subject = _und([ZAEHLTABELLE.get(t, f"die Zahlen der Tabelle {t}") for t in tables])
        return f"{subject} ab dem Stichtag {fmt.datum(first['von'])} geliefert sind"
    namen = _und([GENITIV.get(t, f"der Tabelle {t}") for t in tables])
    if first["grund"] == "config":
        return f"die Exporte {namen} erst ab {_ab(first['von'])} vollständig sind"
    return f"die Exporte {namen} Daten ab {_ab(first['von'])} enthalten"


def _first_period(
    enden: dict[tuple[str, str | None], str], kennzahl: str, raum: str | None, bis: str | None
) -> str | None:
    """The last day of the Kennzahl's first period (in the area; up to ``bis``), None without
    one: the earliest of all its periods (``enden``: :func:`_erste_enden` of the pool), when that
    is not after ``bis``."""
    erste = enden.get((kennzahl, raum))
    if erste is None or (bis is not None and erste > letzter_tag(bis)):
        return None
    return erste


#: content hash of the pool's columns kennzahl, raum, periode -> (Kennzahl, area or None for
#: all areas) -> the last day of its first period
_ERSTE: dict[str, dict[tuple[str, str | None], str]] = {}


def _erste_enden(pool: pd.DataFrame) -> dict[tuple[str, str | None], str]:
    """Per Kennzahl and area (and per Kennzahl over all areas, area None) the earliest last day
    of its periods (as :func:`letzter_tag` gives it), computed once per pool content: a warm
    kernel asks again in every area's report."""
    spalten = pool[["kennzahl", "raum", "periode"]]
    key = hashlib.sha256(pd.util.hash_pandas_object(spalten, index=False).to_numpy().tobytes())
    key.update(repr([str(t) for t in spalten.dtypes]).encode())
    hit = _ERSTE.get(key.hexdigest())
    if hit is not None:
        return hit
    perioden = pool["periode"].astype(str)
    ende = {p: letzter_tag(p) for p in perioden.unique()}
    frame = pd.DataFrame(
        {
            "kennzahl": pool["kennzahl"].to_numpy(),
            "raum": pool["raum"].to_numpy(),
            "ende": perioden.map(ende).astype(object).to_numpy(),
        }
    )
    out: dict[tuple[str, str | None], str] = {}
    for (k, r), e in frame.groupby(["kennzahl", "raum"], sort=False)["ende"].min().items():
        out[(k, r)] = str(e)
    for k, e in frame.groupby("kennzahl", sort=False)["ende"].min().items():
        out[(k, None)] = str(e)
    if len(_ERSTE) >= 8:
        _ERSTE.pop(next(iter(_ERSTE)))
    _ERSTE[key.hexdigest()] = out
    return out


def _reasons(kennzahlen: Iterable[str], cov: pd.DataFrame | None) -> list[str]:
    """The Abdeckung clauses of the tables that start the given Kennzahlen latest."""
    if cov is None:
        return []
    catalog = load_catalog()
    limiting: dict[str, pd.Series] = {}
    for k in kennzahlen:
        tables = [t for t in sorted(catalog.tables_of(catalog.get(k))) if t in cov.index]
        if not tables:
            continue
        latest = max(cov.loc[t, "von"] for t in tables)
        limiting.update({t: cov.loc[t] for t in tables if cov.loc[t, "von"] == latest})
    groups: dict[tuple, list[dict]] = {}
    for t, row in sorted(limiting.items()):
        groups.setdefault((row["art"], row["grund"], row["von"]), []).append(
            {**row.to_dict(), "tabelle": t}
        )
    order = {"config": 0, "daten": 1, "stichtage": 2, "zeitraeume": 3}
    keys = sorted(groups, key=lambda g: (order.get(g[1], 3), g[2]))
    return [grund_text(groups[g]) for g in keys]


def reihen_hinweis(
    pool: pd.DataFrame,
    abdeckung: pd.DataFrame,
    kennzahlen: Sequence[str] | dict[str, str],
    erste_gezeigt: str | None,
    raum: str | None = None,
    bis: str | None = None,
    was: str = "Die Reihe",
    einheit: str = "stichtag",
) -> str:
    """German text: from when a time series runs and why (the Abdeckung of the tables it reads).

    ``kennzahlen``: the Kennzahlen shown (a dict gives their labels: then Kennzahlen that start
    later get their own clause). ``erste_gezeigt``: the first period the chart/table shows (a pool
    label); when the data reach further back (the chart shows a window), the text says so.
    ``einheit``: how the chart labels its periods: ``jahr``, ``quartal`` or ``stichtag``.
    Example: "Die Reihe beginnt 2019, weil die Exporte der Jugendhilfe erst
    ab dem 1. Quartal 2019 vollständig sind."
    """
    labels = dict(kennzahlen) if isinstance(kennzahlen, dict) else {}
    enden = _erste_enden(pool)
    erste = {k: _first_period(enden, k, raum, bis) for k in kennzahlen}
    firsts = {k: p for k, p in erste.items() if p is not None}
    if not firsts or erste_gezeigt is None:
        return f"{was} hat keine Werte: keine Lieferung deckt einen Zeitraum dafür ab."
    cov = abdeckung.set_index("tabelle") if len(abdeckung) else None
    start = min(firsts.values())
    gezeigt = letzter_tag(erste_gezeigt)

    def zeit(tag: str, wie: str) -> str:
        """The period ending on ``tag`` after 'beginnt', 'ab' or 'bis' in the chart's unit."""
        ts = pd.Timestamp(tag)
        if einheit == "jahr":
            return f"{ts.year}" if wie == "beginnt" else f"{wie} {ts.year}"
        name = _quartal(ts) if einheit == "quartal" else fmt.datum(ts)
        if wie == "beginnt":
            return f"mit dem {name}" if einheit == "quartal" else f"am {name}"
        return f"{'ab dem' if wie == 'ab' else 'bis zum'} {name}"

    def weil(ks: Iterable[str]) -> str:
        reasons = _reasons(ks, cov)
        return f", weil {' und '.join(reasons)}" if reasons else ""

    leading = [k for k, p in firsts.items() if p == start]
    if gezeigt > start:
        text = (
            f"{was} zeigt den Ausschnitt {zeit(gezeigt, 'ab')}; die Daten reichen zurück "
            f"{zeit(start, 'bis')}{weil(leading)}"
        )
    else:
        text = f"{was} beginnt {zeit(start, 'beginnt')}{weil(leading)}"
    later: dict[str, list[str]] = {}
    for k, p in firsts.items():
        if p > max(start, gezeigt) and k in labels:
            later.setdefault(p, []).append(k)
    for p, ks in sorted(later.items()):
        text += f"; {_und([labels[k] for k in ks])} erst {zeit(p, 'ab')}{weil(ks)}"
    return text + "."


__all__ = [
    "AbdeckungConfigError",
    "Abdeckung",
    "build_abdeckung",
    "frame_of",
    "grund_text",
    "load",
    "load_config",
    "reihen_hinweis",
]
