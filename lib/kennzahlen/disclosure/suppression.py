"""Disclosure control (Geheimhaltung) for reports that leave the department.

The notebooks apply these functions to what they *display*; the pool keeps exact numbers.
Rules (``config/disclosure.yaml``, see :func:`load_config`):

* **Primary suppression:** a count from 1 to k-1 (k = 3) is shown as ``<3``. A 0 is a true
  zero ("keine Fälle"), reveals nobody and stays visible (configurable: ``null_sichtbar``).
* **Secondary suppression (Gegensperrung):** in a table with a total row and/or total column
  no hidden cell may be recomputable from the totals. Every row/column equation
  ``cells = total`` with a hidden cell gets at least one further hidden cell (the smallest
  non-zero cell that protects it; with only one other cell, the total), iterated until stable;
  then a check of the whole equation system (null space) catches cells that several totals
  together would reveal. The per-line check also uses what a reader knows from the symbols:
  a ``<3`` cell is 1 or 2, an ``x`` cell is 0 or at least k (row ``1, 3, …`` with the 3 as
  partner would still give the 1 away, so a larger partner is chosen).
* **Shares and rates** (:func:`suppress_shares`) are hidden when their numerator or
  denominator is below k or hidden, and for shares also when the complement (denominator
  minus numerator: "2 of 40 without") is below k.
* **Areas** under a population threshold (``mindestbevoelkerung`` in config/disclosure.yaml, 300
  in the demo) are shown as "nicht bewertet".
* Only public products (P3 by default) are suppressed; internal ones show exact counts.

Symbols (document them in every report with :func:`legende`):

``<3``  a count of 1 or 2 (generally 1 to k-1), primary suppression. It says *how* small, as
        the DESIGN asks, and cannot be mistaken for a number.
``x``   hidden so that a ``<3`` cannot be recomputed from a total (secondary suppression), or a
        share/rate based on a small count. German statistical offices write ``.`` for
        "geheim zu halten"; in a German table ``.`` is also the thousands separator and all but
        invisible in an e-mailed report, so we use ``x`` (the offices' sign for a locked cell).
``–``   no value.

Scope: :func:`suppress_table` protects *one* table (one level of totals, per equation with the
reader's interval knowledge). A public product whose tables, sentences and charts share cases
(Produkt 3: six reports per year, Kennzahlen built from the same Basiszahlen) is protected as a
whole by :mod:`kennzahlen.disclosure.plan` (one plan per period over everything published) and
checked by the linear-programming attacker of :mod:`kennzahlen.disclosure.attack`; the audit then
carries
the interval a reader can still believe (``intervall_min``, ``intervall_max``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kennzahlen.core import fmt
from kennzahlen.disclosure.config import SYMBOL_SEKUNDAER, DisclosureConfig, is_public, load_config

PRIMAER = "primär"
SEKUNDAER = "sekundär"
NICHT_BEWERTET = "nicht bewertet"
LEER = "–"
AUDIT_COLUMNS = ["tabelle", "zeile", "spalte", "grund", "regel", "intervall_min", "intervall_max"]
#: the columns every audit has; the interval (what a reader can still believe, from the
#: attacker in :mod:`kennzahlen.disclosure.attack`) is empty where it was not computed
AUDIT_PFLICHT = AUDIT_COLUMNS[:5]


def legende(k: int = 3, symbol_sekundaer: str = SYMBOL_SEKUNDAER) -> str:
    """The German footnote that explains the suppression symbols in a report."""
    klein = "1 oder 2" if k == 3 else f"1 bis {k - 1}"
    return (
        f"<{k}: Anzahl {klein}, aus Datenschutzgründen nicht genau ausgewiesen. "
        f"{symbol_sekundaer}: Wert gesperrt, damit eine kleine Anzahl nicht aus anderen "
        f"veröffentlichten Zahlen (Summen, andere Tabellen, die Berichte der anderen Sozialräume) "
        f"zurückgerechnet werden kann (selten auch eine kleine Anzahl selbst, wo schon „<{k}“ sie "
        f"verraten würde), oder Anteil/Quote, dessen Zähler oder Nenner gesperrt ist. "
        f"0: keine Fälle. {LEER}: kein Wert."
    )


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True)
class SuppressionResult:
    """What a suppression returns.

    ``display``: strings for the report (German numbers, ``<3``, ``x``, ``–``);
    ``mask``: True where a value is hidden; ``reason``: '', 'primär' or 'sekundär' per cell;
    ``audit``: one row per hidden cell (tabelle, zeile, spalte, grund, regel) — never the value.
    """

    display: pd.DataFrame
    mask: pd.DataFrame
    reason: pd.DataFrame
    audit: pd.DataFrame


def _empty_audit() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in AUDIT_COLUMNS})


def _result(
    like: pd.DataFrame,
    display: np.ndarray,
    reasons: dict[tuple[int, int], tuple[str, str]],
    name: str,
) -> SuppressionResult:
    nrow, ncol = like.shape
    mask = np.zeros((nrow, ncol), dtype=bool)
    grund = np.full((nrow, ncol), "", dtype=object)
    rows = []
    for (i, j), (g, regel) in sorted(reasons.items()):
        mask[i, j] = True
        grund[i, j] = g
        rows.append(
            {
                "tabelle": name,
                "zeile": str(like.index[i]),
                "spalte": str(like.columns[j]),
                "grund": g,
                "regel": regel,
                "intervall_min": "",
                "intervall_max": "",
            }
        )
    audit = pd.DataFrame(rows, columns=AUDIT_COLUMNS) if rows else _empty_audit()
    return SuppressionResult(
        display=pd.DataFrame(display, index=like.index, columns=like.columns, dtype=object),
        mask=pd.DataFrame(mask, index=like.index, columns=like.columns),
        reason=pd.DataFrame(grund, index=like.index, columns=like.columns, dtype=object),
        audit=audit,
    )


def _as_counts(counts: pd.DataFrame, name: str) -> np.ndarray:
    label = f"Tabelle '{name}'" if name else "Tabelle"
    try:
        arr = counts.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{label}: enthält Werte, die keine Anzahlen sind ({exc})") from None
    bad = [
        (counts.index[i], counts.columns[j], arr[i, j])
        for i, j in zip(
            *np.where(~np.isnan(arr) & ((arr < 0) | (arr != np.round(arr)))), strict=True
        )
    ]
    if bad:
        shown = "; ".join(f"Zeile {r!r}, Spalte {c!r}: {v}" for r, c, v in bad[:5])
        raise ValueError(f"{label}: keine ganze Anzahl ≥ 0 in {len(bad)} Zelle(n): {shown}")
    return arr


# ---------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class _Line:
    """One equation of the table: the sum of ``members`` equals ``total`` (flat cell ids)."""

    label: str
    members: tuple[int, ...]
    total: int


def _lines(counts: pd.DataFrame, row_total: str | None, col_total: str | None) -> list[_Line]:
    nrow, ncol = counts.shape
    lines = []
    if row_total is not None:
        if row_total not in counts.columns:
            raise ValueError(f"Summenspalte {row_total!r} fehlt (Spalten: {list(counts.columns)})")
        jt = counts.columns.get_loc(row_total)
        for i in range(nrow):
            members = tuple(i * ncol + j for j in range(ncol) if j != jt)
            lines.append(_Line(f"Zeile „{counts.index[i]}“", members, i * ncol + jt))
    if col_total is not None:
        if col_total not in counts.index:
            raise ValueError(f"Summenzeile {col_total!r} fehlt (Zeilen: {list(counts.index)})")
        it = counts.index.get_loc(col_total)
        for j in range(ncol):
            members = tuple(i * ncol + j for i in range(nrow) if i != it)
            lines.append(_Line(f"Spalte „{counts.columns[j]}“", members, it * ncol + j))
    return lines


class _Suppressor:
    """The state of one table's suppression (flat cell ids ``i * ncol + j``)."""

    def __init__(self, values: np.ndarray, lines: list[_Line], k: int, null_sichtbar: bool):
        self.v = np.nan_to_num(values.ravel(), nan=0.0)
        self.missing = np.isnan(values.ravel())
        self.lines = lines
        self.k = k
        self.null_sichtbar = null_sichtbar
        self.hidden: dict[int, tuple[str, str]] = {}
        self.cell_lines: dict[int, list[int]] = {}
        for n, line in enumerate(lines):
            for c in (*line.members, line.total):
                self.cell_lines.setdefault(c, []).append(n)

    def is_small(self, c: int) -> bool:
        v = self.v[c]
        return (1 <= v <= self.k - 1) or (not self.null_sichtbar and v == 0)

    def bounds(self, c: int) -> tuple[float, float]:
        """What a reader knows of a hidden cell from its symbol (conservatively tight)."""
        if self.hidden[c][0] == PRIMAER:
            return (1.0 if self.null_sichtbar else 0.0), float(self.k - 1)
        # an 'x' is never 1..k-1 (that would be '<k'): it is 0 or at least k
        return (float(self.k) if self.v[c] >= self.k else 0.0), math.inf

    def line_unsafe(self, line: _Line, extra: int | None = None) -> bool:
        """True when a hidden cell of the line is pinned down by this line (count or bounds)."""
        hidden = set(self.hidden) | ({extra} if extra is not None else set())
        terms = [(m, 1) for m in line.members if m in hidden]
        if line.total in hidden:
            terms.append((line.total, -1))
        if not terms:
            return False
        visible = sum(self.v[m] for m in line.members if m not in hidden)
        rhs = -visible if line.total in hidden else self.v[line.total] - visible
        bounds = {c: self._bounds_with(c, extra) for c, _ in terms}
        for c, coef in terms:
            tmin = tmax = 0.0
            for o, oc in terms:
                if o == c:
                    continue
                lo, hi = bounds[o]
                tmin += oc * (lo if oc > 0 else hi)
                tmax += oc * (hi if oc > 0 else lo)
            lo_c, hi_c = bounds[c]
            if coef > 0:
                a, b = rhs - tmax, rhs - tmin
            else:
                a, b = tmin - rhs, tmax - rhs
            if min(hi_c, b) - max(lo_c, a) < 0.5:
                return True
        return False

    def _bounds_with(self, c: int, extra: int | None) -> tuple[float, float]:
        if c == extra and c not in self.hidden:
            return (float(self.k) if self.v[c] >= self.k else 0.0), math.inf
        return self.bounds(c)

    def choose(self, line: _Line) -> int | None:
        """The cell to hide next for a line: the smallest non-zero cell that protects it."""

        def visible(c: int) -> bool:
            return c not in self.hidden and not self.missing[c]

        def cross(c: int) -> int:  # prefer a cell that also protects its other line
            for n in self.cell_lines.get(c, []):
                other = self.lines[n]
                if other is line:
                    continue
                cnt = sum(1 for x in (*other.members, other.total) if x in self.hidden)
                if cnt == 1:
                    return 0
            return 1

        nonzero = sorted(
            (m for m in line.members if visible(m) and self.v[m] > 0),
            key=lambda m: (self.v[m], cross(m), m),
        )
        zeros = [m for m in line.members if visible(m) and self.v[m] == 0]
        total = [line.total] if visible(line.total) else []
        # with only one other cell in the line, hide the total instead of that cell
        candidates = total + nonzero + zeros if len(line.members) <= 2 else nonzero + total + zeros
        for c in candidates:
            if not self.line_unsafe(line, extra=c):
                return c
        return candidates[0] if candidates else None

    def determined(self) -> list[int]:
        """Hidden cells that the system of all totals together fixes exactly (null space test)."""
        hidden = sorted(self.hidden)
        if not hidden or not self.lines:
            return []
        idx = {c: n for n, c in enumerate(hidden)}
        rows = []
        for line in self.lines:
            row = np.zeros(len(hidden))
            for m in line.members:
                if m in idx:
                    row[idx[m]] += 1.0
            if line.total in idx:
                row[idx[line.total]] -= 1.0
            if row.any():
                rows.append(row)
        if not rows:
            return []
        a = np.array(rows)
        _, s, vt = np.linalg.svd(a, full_matrices=True)
        rank = int((s > 1e-9).sum())
        null = vt[rank:]
        if null.shape[0] == 0:
            return hidden
        free = np.abs(null).max(axis=0) > 1e-9
        return [c for c, f in zip(hidden, free, strict=True) if not f]

    def run(self) -> None:
        stuck: set[int] = set()
        while True:
            changed = False
            for line in self.lines:
                if self.line_unsafe(line):
                    c = self.choose(line)
                    if c is not None:
                        self.hidden[c] = (
                            SEKUNDAER,
                            f"Gegensperrung: sonst aus {line.label} errechenbar",
                        )
                        changed = True
            if changed:
                continue
            todo = [c for c in self.determined() if c not in stuck]
            if not todo:
                return
            c0 = todo[0]
            for n in self.cell_lines.get(c0, []):
                c = self.choose(self.lines[n])
                if c is not None:
                    self.hidden[c] = (
                        SEKUNDAER,
                        "Gegensperrung: sonst aus mehreren Summen zusammen errechenbar",
                    )
                    break
            else:
                stuck.add(c0)


def _check_sums(sup: _Suppressor, lines: list[_Line], name: str) -> None:
    """Every total equals the sum of its cells (a missing part would be recomputable)."""
    for line in lines:
        s = sum(sup.v[m] for m in line.members)
        if s != sup.v[line.total]:
            raise ValueError(
                f"Tabelle '{name}': {line.label}: die Zellen ergeben {fmt.zahl(s)}, die Summe "
                f"zeigt {fmt.zahl(sup.v[line.total])}. Summen müssen zur Tabelle passen (fehlt "
                f"ein Teil, z. B. 'ohne Zuordnung', wäre er als Differenz errechenbar)."
            )


def suppress_table(
    counts: pd.DataFrame,
    k: int = 3,
    row_total: str | None = None,
    col_total: str | None = None,
    *,
    null_sichtbar: bool = True,
    symbol_sekundaer: str = SYMBOL_SEKUNDAER,
    vorgabe: pd.DataFrame | None = None,
    name: str = "",
    summen_pruefen: bool = True,
) -> SuppressionResult:
    """Suppress small counts in a wide table (rows x columns), with secondary suppression.

    ``row_total`` names the column holding each row's total (e.g. 'Gesamtstadt'),
    ``col_total`` the row holding each column's total. Totals must equal the sum of their
    cells (``summen_pruefen``): a missing part (e.g. 'ohne Zuordnung') would be recomputable
    as total minus the shown cells. ``vorgabe`` is a mask of cells to hide in any case (a
    linked table, or this function's own mask: suppression is idempotent). NaN = no value
    ('–'), counted as 0 in the totals and never hidden.
    """
    if k < 2:
        raise ValueError(f"k muss mindestens 2 sein, nicht {k}")
    values = _as_counts(counts, name)
    nrow, ncol = values.shape
    lines = _lines(counts, row_total, col_total)
    sup = _Suppressor(values, lines, k, null_sichtbar)
    if summen_pruefen:
        _check_sums(sup, lines, name)
    klein = f"Anzahl unter {k}" if not null_sichtbar else f"Anzahl zwischen 1 und {k - 1}"
    for c in range(nrow * ncol):
        if not sup.missing[c] and sup.is_small(c):
            sup.hidden[c] = (PRIMAER, f"{klein} (Mindestfallzahl k = {k})")
    if vorgabe is not None:
        pre = vorgabe.reindex(index=counts.index, columns=counts.columns).fillna(False)
        for zelle in np.flatnonzero(pre.to_numpy(dtype=bool).ravel()):
            if not sup.missing[zelle] and zelle not in sup.hidden:
                sup.hidden[int(zelle)] = (
                    SEKUNDAER,
                    "vorgegeben (Sperrung aus verknüpfter Tabelle)",
                )
    sup.run()

    display = np.empty(nrow * ncol, dtype=object)
    for c in range(nrow * ncol):
        if sup.missing[c]:
            display[c] = LEER
        elif c in sup.hidden:
            display[c] = f"<{k}" if sup.hidden[c][0] == PRIMAER else symbol_sekundaer
        else:
            display[c] = fmt.zahl(sup.v[c])
    reasons = {(c // ncol, c % ncol): r for c, r in sup.hidden.items()}
    return _result(counts, display.reshape(nrow, ncol), reasons, name)


def format_table(counts: pd.DataFrame, nachkomma: int = 0, name: str = "") -> SuppressionResult:
    """An internal table: exact German-formatted numbers, nothing hidden, an empty audit."""
    arr = counts.to_numpy(dtype=float, na_value=np.nan)
    display = np.vectorize(lambda x: fmt.zahl(x, nachkomma), otypes=[object])(arr)
    return _result(counts, display, {}, name)


def protect_table(
    counts: pd.DataFrame,
    produkt: int,
    config: DisclosureConfig | None = None,
    **kwargs: Any,
) -> SuppressionResult:
    """Suppress a count table when the product is public, else show exact counts.

    ``kwargs`` go to :func:`suppress_table` (row_total, col_total, vorgabe, name, …).
    """
    cfg = config or load_config()
    if not is_public(produkt, cfg):
        return format_table(counts, name=kwargs.get("name", ""))
    return suppress_table(
        counts,
        cfg.k,
        null_sichtbar=cfg.null_sichtbar,
        symbol_sekundaer=cfg.symbol_sekundaer,
        **kwargs,
    )


# ---------------------------------------------------------------------------- shares, rates
def suppress_shares(
    values: pd.DataFrame,
    zaehler: pd.DataFrame,
    nenner: pd.DataFrame,
    k: int = 3,
    *,
    zaehler_mask: pd.DataFrame | None = None,
    nenner_mask: pd.DataFrame | None = None,
    gegenwert: bool = True,
    null_sichtbar: bool = True,
    formatter: Callable[[float], str] = fmt.prozent,
    symbol: str = SYMBOL_SEKUNDAER,
    name: str = "",
) -> SuppressionResult:
    """Hide shares/rates whose Zähler or Nenner is below k or hidden elsewhere.

    All frames are aligned to ``values``. With ``gegenwert`` (for shares; switch off for rates
    per 1,000) a share is hidden too when Nenner − Zähler is 1..k-1 ("38 von 40": 2 without).
    A value whose Zähler or Nenner is unknown is hidden (the rule cannot be checked).
    Hidden values show ``symbol``; ``formatter`` formats the others (default: percent).
    """
    z = zaehler.reindex(index=values.index, columns=values.columns).to_numpy(
        dtype=float, na_value=np.nan
    )
    n = nenner.reindex(index=values.index, columns=values.columns).to_numpy(
        dtype=float, na_value=np.nan
    )
    w = values.to_numpy(dtype=float, na_value=np.nan)

    def as_mask(m: pd.DataFrame | None) -> np.ndarray:
        if m is None:
            return np.zeros(w.shape, dtype=bool)
        return (
            m.reindex(index=values.index, columns=values.columns).fillna(False).to_numpy(dtype=bool)
        )

    zm, nm = as_mask(zaehler_mask), as_mask(nenner_mask)
    reasons: dict[tuple[int, int], tuple[str, str]] = {}
    display = np.empty(w.shape, dtype=object)
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            if np.isnan(w[i, j]):
                display[i, j] = LEER
                continue
            why = _share_reason(z[i, j], n[i, j], zm[i, j], nm[i, j], k, gegenwert, null_sichtbar)
            if why:
                reasons[(i, j)] = why
                display[i, j] = symbol
            else:
                display[i, j] = formatter(w[i, j])
    return _result(values, display, reasons, name)


def _share_reason(
    zi: float,
    ni: float,
    z_gesperrt: bool,
    n_gesperrt: bool,
    k: int,
    gegenwert: bool,
    null_sichtbar: bool,
) -> tuple[str, str] | None:
    """Why a share with Zähler ``zi`` and Nenner ``ni`` is hidden (kind, reason); None: shown."""

    def small(x: float) -> bool:
        return (1 <= x <= k - 1) or (not null_sichtbar and x == 0)

    if np.isnan(zi) or np.isnan(ni):
        return (PRIMAER, "Zähler oder Nenner unbekannt: Mindestfallzahl nicht prüfbar")
    if small(zi):
        return (PRIMAER, f"Zähler unter {k}")
    if small(ni):
        return (PRIMAER, f"Nenner unter {k}")
    if gegenwert and small(ni - zi):
        return (PRIMAER, f"Gegenwert (Nenner − Zähler) unter {k}")
    if z_gesperrt:
        return (SEKUNDAER, "Zähler in der Zähltabelle gesperrt")
    if n_gesperrt:
        return (SEKUNDAER, "Nenner in der Zähltabelle gesperrt")
    return None


def flag_pool_rows(
    rows: pd.DataFrame, k: int = 3, *, gegenwert: bool = True, null_sichtbar: bool = True
) -> pd.DataFrame:
    """Pool rows (zaehler, nenner, wert) with ``gesperrt`` and ``sperrgrund`` added.

    A plain count (no Nenner) is hidden at 1..k-1; a share/rate when its Zähler, Nenner or
    (with ``gegenwert``) Nenner − Zähler is 1..k-1. No secondary suppression: use
    :func:`suppress_table` on the wide table that is displayed.
    """
    out = rows.copy()
    z = pd.to_numeric(out["zaehler"], errors="coerce")
    n = (
        pd.to_numeric(out["nenner"], errors="coerce")
        if "nenner" in out
        else pd.Series(np.nan, index=out.index)
    )
    lo = 0 if not null_sichtbar else 1

    def small(s: pd.Series) -> pd.Series:
        return (s >= lo) & (s <= k - 1)

    has_n = n.notna()
    grund = pd.Series("", index=out.index, dtype=object)
    grund[small(z)] = f"Zähler unter {k}"
    grund[has_n & small(n) & (grund == "")] = f"Nenner unter {k}"
    if gegenwert:
        grund[has_n & small(n - z) & (grund == "")] = f"Gegenwert (Nenner − Zähler) unter {k}"
    grund[z.isna() & (grund == "")] = "Zähler unbekannt: Mindestfallzahl nicht prüfbar"
    out["gesperrt"] = grund != ""
    out["sperrgrund"] = grund
    return out


# ---------------------------------------------------------------------------- small areas
def rate_area(bevoelkerung: float | int | None, schwelle: int | None = None) -> bool:
    """True when an area is large enough to be rated: a population of at least ``schwelle``
    (default: ``mindestbevoelkerung`` in config/disclosure.yaml)."""
    if bevoelkerung is None or (isinstance(bevoelkerung, float) and math.isnan(bevoelkerung)):
        return False
    return bevoelkerung >= (load_config().mindestbevoelkerung if schwelle is None else schwelle)


# ---------------------------------------------------------------------------- audit
def audit_path(report_html: Path | str) -> Path:
    """Where a report's audit lives: ``<raum>.html`` -> ``<raum>.audit.csv``."""
    p = Path(report_html)
    return p.with_name(p.name.removesuffix(".html") + ".audit.csv")


def write_audit(audit: pd.DataFrame | Iterable[pd.DataFrame], path: Path | str) -> Path:
    """Write the audit (one row per hidden cell, never a value) atomically as ``;``-CSV.

    Only the columns of :data:`AUDIT_COLUMNS` are written (tabelle, zeile, spalte, grund,
    regel, and the interval a reader can still believe: intervall_min, intervall_max), so a
    value column that slipped into a frame never reaches the file. Several tables' audits
    may be given; a frame without the interval columns gets them empty.
    """
    frames = [audit] if isinstance(audit, pd.DataFrame) else list(audit)
    for f in frames:
        missing = set(AUDIT_PFLICHT) - set(f.columns)
        if missing:
            raise ValueError(f"Audit ohne Spalte(n) {', '.join(sorted(missing))}")
    frames = [f.reindex(columns=AUDIT_COLUMNS).fillna("") for f in frames]
    out = (
        pd.concat([f[AUDIT_COLUMNS] for f in frames], ignore_index=True)
        if frames
        else _empty_audit()
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    from kennzahlen.core.safeio import csv_safe, replacing

    out = out.map(csv_safe)  # the audit opens in Excel: no cell may become a formula
    with replacing(path) as tmp:  # a unique temp name: two runs never share it
        out.to_csv(tmp, sep=";", index=False, encoding="utf-8")
    return path
