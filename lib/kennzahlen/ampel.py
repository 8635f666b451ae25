"""Produkt 4, die Ampel: Regeln aus ``config/ampel.yaml`` auf den Datenpool angewandt.

Per quarter, area (the five Sozialräume and Gesamtstadt) and Arbeitsfeld, every indicator of
the Arbeitsfeld gets a colour from its rule:

- ``zielwert``: met -> gruen; missed by at most ``toleranz_pp`` percentage points -> gelb; else rot
- ``anstieg``: the stock on the quarter's Stichtag against the mean of the previous quarter ends:
  rise up to ``gelb_ueber_prozent`` gruen, up to ``rot_ueber_prozent`` gelb, beyond rot
- ``spc``: XmR chart (NHS "Making Data Count") on a fixed baseline; a point beyond a limit
  (rot) or a run on one side of the mean (gelb) in the unfavourable direction
- fewer than ``min_faelle`` cases in the base: grau

The Arbeitsfeld shows its worst indicator; a manual switch (``ampel_schaltungen``) sets the final
``farbe`` and ``begruendung`` while ``farbe_regel`` keeps what the rules said.
:func:`pool_frames` writes ``ampel`` and ``ampel_details`` into the pool; :func:`ampel_fuer`
reads them back for a report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import fmt, geography, paths
from .catalog import Catalog, Kennzahl, german_error, load_catalog
from .configfile import read_yaml
from .periods import QUARTAL_RE, periode_fuer, quartal_ende, quartal_von, quartale_range
from .schema import GESAMTSTADT
from .vocabulary import ARBEITSFELDER, FARBEN, ist_anteil, wert_text

Richtung = Literal["hoeher_besser", "niedriger_besser"]
#: rank of a colour for "worst of": grau < gruen < gelb < rot
RANG = {c: f.rang for c, f in FARBEN.items()}
#: colour names for text (readable without colour)
FARB_TEXT = {c: f.wort for c, f in FARBEN.items()}
#: rounding before a threshold comparison, so that 0.80 - 0.75 is exactly 5 percentage points
_EPS_DIGITS = 9

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
]


class AmpelConfigError(ValueError):
    """``config/ampel.yaml`` is invalid; the message lists every problem."""


# ------------------------------------------------------------------------------- configuration
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ZielwertRegel(_Strict):
    """Defaults of the target rule."""

    toleranz_pp: float = Field(default=5.0, ge=0)


class AnstiegRegel(_Strict):
    """Defaults of the stock-rise rule (percent of the mean of the previous quarter ends)."""

    vorquartale: int = Field(default=4, ge=1, le=12)
    gelb_ueber_prozent: float = Field(default=10.0, ge=0)
    rot_ueber_prozent: float = Field(default=20.0, ge=0)

    @model_validator(mode="after")
    def _order(self) -> AnstiegRegel:
        if self.rot_ueber_prozent < self.gelb_ueber_prozent:
            raise ValueError(
                f"rot_ueber_prozent ({self.rot_ueber_prozent:g}) muss mindestens "
                f"gelb_ueber_prozent ({self.gelb_ueber_prozent:g}) sein"
            )
        return self


class SpcRegel(_Strict):
    """Defaults of the SPC rule (XmR chart on a fixed baseline)."""

    basis_perioden: int = Field(default=8, ge=2)
    basis_von: str | None = None
    basis_bis: str | None = None
    grenzfaktor: float = Field(default=2.66, gt=0)
    lauf: int = Field(default=7, ge=2)

    @model_validator(mode="after")
    def _basis(self) -> SpcRegel:
        for name in ("basis_von", "basis_bis"):
            value = getattr(self, name)
            if value is not None and not QUARTAL_RE.match(value):
                raise ValueError(f"{name} '{value}' ist kein Quartal (JJJJ-Qn, z. B. 2019-Q1)")
        if (self.basis_von is None) != (self.basis_bis is None):
            raise ValueError("basis_von und basis_bis nur zusammen angeben")
        if self.basis_von and self.basis_bis and self.basis_von > self.basis_bis:
            raise ValueError(f"basis_von {self.basis_von} liegt nach basis_bis {self.basis_bis}")
        return self


class Regeln(_Strict):
    """The rule defaults of ``ampel.yaml``."""

    min_faelle: int = Field(default=10, ge=0)
    zielwert: ZielwertRegel = Field(default_factory=ZielwertRegel)
    anstieg: AnstiegRegel = Field(default_factory=AnstiegRegel)
    spc: SpcRegel = Field(default_factory=SpcRegel)


_OVERRIDES = {
    "min_faelle": None,
    "toleranz_pp": "zielwert",
    "vorquartale": "anstieg",
    "gelb_ueber_prozent": "anstieg",
    "rot_ueber_prozent": "anstieg",
    "basis_perioden": "spc",
    "basis_von": "spc",
    "basis_bis": "spc",
    "grenzfaktor": "spc",
    "lauf": "spc",
}


class Indikator(_Strict):
    """One indicator of an Arbeitsfeld: a Kennzahl, its rule and any rule values of its own."""

    kennzahl: str
    regel: Literal["zielwert", "anstieg", "spc"]
    name: str | None = None
    richtung: Richtung | None = None
    toleranz: float | None = Field(default=None, ge=0)
    min_faelle: int | None = Field(default=None, ge=0)
    toleranz_pp: float | None = Field(default=None, ge=0)
    vorquartale: int | None = Field(default=None, ge=1, le=12)
    gelb_ueber_prozent: float | None = Field(default=None, ge=0)
    rot_ueber_prozent: float | None = Field(default=None, ge=0)
    basis_perioden: int | None = Field(default=None, ge=2)
    basis_von: str | None = None
    basis_bis: str | None = None
    grenzfaktor: float | None = Field(default=None, gt=0)
    lauf: int | None = Field(default=None, ge=2)


class Arbeitsfeld(_Strict):
    """An Arbeitsfeld of the Ampel: its indicators, and a title other than the usual one."""

    titel: str | None = None
    indikatoren: list[Indikator] = Field(min_length=1)


class AmpelConfig(_Strict):
    """The whole ``ampel.yaml``."""

    regeln: Regeln = Field(default_factory=Regeln)
    arbeitsfelder: dict[str, Arbeitsfeld] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys(self) -> AmpelConfig:
        unknown = [a for a in self.arbeitsfelder if a not in ARBEITSFELDER]
        if unknown:
            raise ValueError(
                f"Arbeitsfeld '{unknown[0]}' unbekannt (erlaubt: {', '.join(ARBEITSFELDER)})"
            )
        return self


@dataclass(frozen=True)
class Parameter:
    """The effective rule values of one indicator (its own, else the defaults)."""

    arbeitsfeld: str
    kennzahl: Kennzahl
    regel: str
    name: str
    richtung: str | None
    min_faelle: int
    toleranz: float  # in the Kennzahl's unit (percentage points / 100 for shares)
    toleranz_text: str
    vorquartale: int
    gelb_ueber_prozent: float
    rot_ueber_prozent: float
    basis_perioden: int
    basis_von: str | None
    basis_bis: str | None
    grenzfaktor: float
    lauf: int

    @property
    def anteil(self) -> bool:
        """True when the Kennzahl is a share (values 0–1)."""
        return ist_anteil(self.kennzahl.einheit)


def _resolve(ind: Indikator, arbeitsfeld: str, cfg: AmpelConfig, k: Kennzahl) -> Parameter:
    values: dict[str, Any] = {}
    for name, group in _OVERRIDES.items():
        own = getattr(ind, name)
        default = getattr(cfg.regeln if group is None else getattr(cfg.regeln, group), name)
        values[name] = default if own is None else own
    if ist_anteil(k.einheit):
        toleranz = values["toleranz_pp"] / 100
        toleranz_text = f"{fmt.zahl(values['toleranz_pp'], 1)} Prozentpunkte"
    else:
        toleranz = ind.toleranz or 0.0
        toleranz_text = wert_text(toleranz, k.einheit)
    return Parameter(
        arbeitsfeld=arbeitsfeld,
        kennzahl=k,
        regel=ind.regel,
        name=ind.name or k.titel,
        richtung=ind.richtung or k.richtung,
        toleranz=toleranz,
        toleranz_text=toleranz_text,
        **{n: values[n] for n in _OVERRIDES if n != "toleranz_pp"},
    )


@dataclass(frozen=True)
class AmpelSetup:
    """A validated configuration with its indicators resolved against the catalog."""

    config: AmpelConfig
    indikatoren: tuple[Parameter, ...]

    @property
    def arbeitsfelder(self) -> list[str]:
        """The Arbeitsfelder in configuration order."""
        return list(self.config.arbeitsfelder)

    def titel(self, arbeitsfeld: str) -> str:
        """The display title of an Arbeitsfeld (config/ampel.yaml, else the usual title)."""
        return self.config.arbeitsfelder[arbeitsfeld].titel or ARBEITSFELDER[arbeitsfeld]


def check_config(raw: Any, catalog: Catalog) -> tuple[AmpelSetup | None, list[str]]:
    """Validate a parsed ``ampel.yaml`` against the catalog; return the setup and all problems."""
    if not isinstance(raw, dict):
        return None, ["erwartet die Abschnitte 'regeln' und 'arbeitsfelder'"]
    try:
        cfg = AmpelConfig.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e["loc"])
            where = _name_indicator(where, raw)
            problems.append((f"{where}: " if where else "") + german_error(e))
        return None, problems
    problems = []
    params: list[Parameter] = []
    ids = {k.id: k for k in catalog.kennzahlen}
    for af, feld in cfg.arbeitsfelder.items():
        seen: set[tuple[str, str]] = set()
        for i, ind in enumerate(feld.indikatoren):
            where = f"arbeitsfelder.{af}.indikatoren.{i + 1} ({ind.kennzahl})"
            k = ids.get(ind.kennzahl)
            if k is None:
                problems.append(f"{where}: Kennzahl '{ind.kennzahl}' steht nicht im Katalog")
                continue
            if not k.erhoben:
                problems.append(f"{where}: Kennzahl '{ind.kennzahl}' ist noch nicht erhoben")
                continue
            if (ind.kennzahl, ind.regel) in seen:
                problems.append(f"{where}: Indikator doppelt (gleiche Kennzahl und Regel)")
            seen.add((ind.kennzahl, ind.regel))
            p = _resolve(ind, af, cfg, k)
            problems += [f"{where}: {msg}" for msg in _rule_problems(ind, p)]
            params.append(p)
    if problems:
        return None, problems
    return AmpelSetup(cfg, tuple(params)), []


def _rule_problems(ind: Indikator, p: Parameter) -> list[str]:
    k = p.kennzahl
    out = []
    if p.regel == "zielwert":
        if k.zielwert is None:
            out.append(f"Regel zielwert: Kennzahl '{k.id}' hat im Katalog keinen zielwert")
        if not p.anteil and ind.toleranz is None:
            out.append(
                f"Regel zielwert: '{k.id}' ist kein Anteil ({k.einheit}); eine toleranz in "
                f"ihrer Einheit angeben (toleranz_pp gilt nur für Anteile)"
            )
    elif p.regel == "anstieg":
        if k.periodizitaet != "stichtag_quartal" or k.nenner:
            out.append(
                f"Regel anstieg: nur für Bestände am Quartalsende (periodizitaet "
                f"stichtag_quartal, ohne nenner); '{k.id}' ist {k.periodizitaet}"
                + (" mit nenner" if k.nenner else "")
            )
        if p.rot_ueber_prozent < p.gelb_ueber_prozent:
            out.append(
                f"rot_ueber_prozent ({p.rot_ueber_prozent:g}) muss mindestens "
                f"gelb_ueber_prozent ({p.gelb_ueber_prozent:g}) sein"
            )
    elif p.regel == "spc":
        if p.richtung is None:
            out.append(
                f"Regel spc braucht eine richtung: '{k.id}' hat im Katalog keine; "
                f"richtung: hoeher_besser oder niedriger_besser angeben"
            )
        for name in ("basis_von", "basis_bis"):
            value = getattr(p, name)
            if value is not None and not QUARTAL_RE.match(value):
                out.append(f"{name} '{value}' ist kein Quartal (JJJJ-Qn, z. B. 2019-Q1)")
        if (p.basis_von is None) != (p.basis_bis is None):
            out.append("basis_von und basis_bis nur zusammen angeben")
    if p.regel != "zielwert" and ind.toleranz is not None:
        out.append("toleranz gilt nur für die Regel zielwert")
    return out


def _name_indicator(where: str, raw: dict) -> str:
    """'arbeitsfelder.jh.indikatoren.0.regel' -> '... indikatoren.1 (kennzahl_id).regel'."""
    m = re.match(r"arbeitsfelder\.(\w+)\.indikatoren\.(\d+)(.*)", where)
    if not m:
        return where
    af, i, rest = m.group(1), int(m.group(2)), m.group(3)
    try:
        kid = raw["arbeitsfelder"][af]["indikatoren"][i]["kennzahl"]
    except (KeyError, IndexError, TypeError):
        kid = None
    label = f"arbeitsfelder.{af}.indikatoren.{i + 1}" + (f" ({kid})" if kid else "")
    return label + (rest.replace(".", ", ", 1) if rest else "")


def load_ampel_config(path: Path | None = None, catalog: Catalog | None = None) -> AmpelSetup:
    """Read and validate ``config/ampel.yaml`` against the catalog; raise AmpelConfigError."""
    path = Path(path or paths.CONFIG / "ampel.yaml")
    catalog = catalog or load_catalog()
    raw = read_yaml(path, AmpelConfigError, "die Ampel-Konfiguration")
    setup, problems = check_config(raw, catalog)
    if problems:
        head = f"{path}: die Ampel-Konfiguration ist ungültig ({len(problems)} Problem(e)):"
        raise AmpelConfigError("\n".join([head, *[f"  - {p}" for p in problems]]))
    assert setup is not None
    return setup


# ------------------------------------------------------------------------------- the rules
def _series(pool: pd.DataFrame, kennzahl: str, areas: Sequence[str]) -> pd.DataFrame:
    """Pool rows of one Kennzahl for the report areas: raum, periode, zaehler, nenner, wert."""
    rows = pool[(pool["kennzahl"] == kennzahl) & (pool["ebene"] != "stadtviertel")]
    rows = rows[rows["raum"].isin(list(areas))]
    out = pd.DataFrame(
        {
            "raum": rows["raum"].astype(str).to_numpy(),
            "periode": rows["periode"].astype(str).to_numpy(),
            "zaehler": pd.to_numeric(rows["zaehler"], errors="coerce").astype("float64").to_numpy(),
            "nenner": pd.to_numeric(rows["nenner"], errors="coerce").astype("float64").to_numpy(),
            "wert": pd.to_numeric(rows["wert"], errors="coerce").astype("float64").to_numpy(),
        }
    )
    return out.drop_duplicates(["raum", "periode"], keep="first")


def _grid(
    p: Parameter, quartale: Sequence[str], areas: Sequence[str], series: pd.DataFrame
) -> pd.DataFrame:
    """Quarter x area with the indicator's period and its pool value (NaN when missing)."""
    g = pd.MultiIndex.from_product([list(quartale), list(areas)], names=["quartal", "sozialraum"])
    grid = g.to_frame(index=False)
    grid["periode"] = grid["quartal"].map(lambda q: periode_fuer(q, p.kennzahl.periodizitaet))
    grid = grid.merge(
        series.rename(columns={"raum": "sozialraum"}), on=["sozialraum", "periode"], how="left"
    )
    grid["faelle"] = grid["nenner"] if p.kennzahl.nenner else grid["zaehler"]
    return grid


def _r(x: pd.Series | np.ndarray | float) -> Any:
    """Round away float noise before comparing with a threshold."""
    return np.round(x, _EPS_DIGITS)


def _wert(x: float, p: Parameter) -> str:
    return wert_text(x, p.kennzahl.einheit)


def _stat(x: float, p: Parameter) -> str:
    """A derived value (mean, limit): counts with one decimal, else like the values."""
    return fmt.zahl(x, 1) if p.kennzahl.einheit == "anzahl" else _wert(x, p)


def _periode_text(periode: str) -> str:
    if QUARTAL_RE.match(periode):
        return f"im {fmt.periode(periode)}"
    if len(periode) == 4:
        return f"im Jahr {periode}"
    return f"am {fmt.datum(periode)}"


def _zu_wenig(row: Mapping[str, Any], p: Parameter, wo: str) -> str:
    n = row["faelle"]
    n = 0.0 if pd.isna(n) else float(n)
    return (
        f"{p.name}: nur {fmt.zahl(n, 1 if n % 1 else 0)} Fälle {wo}, zu wenige für eine "
        f"Aussage (mindestens {p.min_faelle}) → grau"
    )


def _basis_text(row: Mapping[str, Any], p: Parameter) -> str:
    when = _periode_text(row["periode"])
    return f"in der Basis (Nenner) {when}" if p.kennzahl.nenner else when


def regel_zielwert(p: Parameter, grid: pd.DataFrame) -> pd.DataFrame:
    """Target rule: met -> gruen; missed by at most the tolerance -> gelb; beyond -> rot."""
    ziel = float(p.kennzahl.zielwert)  # type: ignore[arg-type]
    sign = 1.0 if p.richtung == "hoeher_besser" else -1.0
    out = grid.copy()
    missed = _r((ziel - out["wert"]) * sign)  # > 0: target missed by that much
    out["vergleichswert"] = ziel
    out["schwelle_gelb"] = ziel
    out["schwelle_rot"] = ziel - sign * p.toleranz
    out["abweichung"] = missed
    no_data = out["wert"].isna()
    few = ~no_data & (out["faelle"].fillna(0) < p.min_faelle)
    out["farbe"] = np.select(
        [no_data, few, missed <= 0, missed <= _r(p.toleranz)],
        ["grau", "grau", "gruen", "gelb"],
        "rot",
    )
    op = "mindestens" if sign > 0 else "höchstens"
    out["vergleich"] = f"Zielwert {op} {_wert(ziel, p)}"

    def sentence(row: Mapping[str, Any]) -> str:
        if pd.isna(row["wert"]):
            return f"{p.name}: kein Wert {_periode_text(row['periode'])} → grau"
        if row["farbe"] == "grau":
            return _zu_wenig(row, p, _basis_text(row, p))
        head = f"{p.name} {_periode_text(row['periode'])}: {_wert(row['wert'], p)}"
        if row["farbe"] == "gruen":
            return f"{head}, Zielwert {op} {_wert(ziel, p)} erreicht → grün"
        gap = (
            f"{fmt.zahl(row['abweichung'] * 100, 1)} Prozentpunkte"
            if p.anteil
            else _wert(row["abweichung"], p)
        )
        tol = (
            f"höchstens {p.toleranz_text}"
            if row["farbe"] == "gelb"
            else f"mehr als {p.toleranz_text}"
        )
        return f"{head}, Zielwert {op} {_wert(ziel, p)} um {gap} verfehlt ({tol}) → {FARB_TEXT[row['farbe']]}"

    out["begruendung"] = [sentence(r) for r in out.to_dict("records")]
    return out


def regel_anstieg(p: Parameter, grid: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """Stock-rise rule: the value against the mean of the previous quarter ends."""
    out = grid.copy()
    s = series.copy()
    s["quartal"] = s["periode"].map(quartal_von)
    s = s.dropna(subset=["quartal"])
    n = p.vorquartale
    if len(s):
        wide = s.pivot_table(index="quartal", columns="raum", values="wert", aggfunc="first")
        wide = wide.reindex(
            quartale_range(min(wide.index), max(out["quartal"].max(), max(wide.index)))
        )
        prev = wide.shift(1).rolling(n, min_periods=n).mean()
        prev = prev.stack().rename("vergleichswert").reset_index()
        prev.columns = ["quartal", "sozialraum", "vergleichswert"]
        out = out.merge(prev, on=["quartal", "sozialraum"], how="left")
    else:
        out["vergleichswert"] = np.nan
    mean = out["vergleichswert"]
    out["faelle"] = mean
    change = (out["wert"] - mean) / mean.where(mean > 0)
    out["veraenderung"] = change
    pct = _r(change * 100)
    no_data = out["wert"].isna()
    short = ~no_data & mean.isna()
    few = ~no_data & ~short & (mean < p.min_faelle)
    out["farbe"] = np.select(
        [no_data, short, few, pct <= _r(p.gelb_ueber_prozent), pct <= _r(p.rot_ueber_prozent)],
        ["grau", "grau", "grau", "gruen", "gelb"],
        "rot",
    )
    out["schwelle_gelb"] = mean * (1 + p.gelb_ueber_prozent / 100)
    out["schwelle_rot"] = mean * (1 + p.rot_ueber_prozent / 100)
    vq = "des Vorquartals" if n == 1 else f"der {_zahlwort(n)} Vorquartale"
    out["vergleich"] = [
        f"Ø {fmt.zahl(m, 1)} {vq}" if pd.notna(m) else f"Ø {vq} fehlt" for m in mean
    ]

    def sentence(row: Mapping[str, Any]) -> str:
        when = _periode_text(row["periode"])
        if pd.isna(row["wert"]):
            return f"{p.name}: kein Wert {when} → grau"
        if pd.isna(row["vergleichswert"]):
            return (
                f"{p.name}: {_wert(row['wert'], p)} {when}, aber keine {_zahlwort(n)} Vorquartale "
                f"zum Vergleich → grau"
            )
        if row["farbe"] == "grau":
            return _zu_wenig(row, p, f"im Durchschnitt {vq}")
        change_text = fmt.veraenderung(row["wert"], row["vergleichswert"])
        return (
            f"{p.name}: {_wert(row['wert'], p)} {when} gegenüber Ø {fmt.zahl(row['vergleichswert'], 1)} "
            f"{vq} ({change_text}) → {FARB_TEXT[row['farbe']]}"
        )

    out["begruendung"] = [sentence(r) for r in out.to_dict("records")]
    return out


def _zahlwort(n: int) -> str:
    return {2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 8: "acht"}.get(n, str(n))


def regel_spc(p: Parameter, grid: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """SPC rule: XmR chart on a fixed baseline; limits and a run of ``lauf`` on one side."""
    out = grid.copy()
    hoeher = p.richtung == "hoeher_besser"
    cols = {
        c: []
        for c in ("vergleichswert", "untere_grenze", "obere_grenze", "signal", "basis", "farbe_spc")
    }
    by_area = {
        raum: grp.sort_values("periode").reset_index(drop=True)
        for raum, grp in series.dropna(subset=["wert"]).groupby("raum")
    }
    for row in out.itertuples(index=False):
        res = _spc_point(p, by_area.get(row.sozialraum), row.periode, row.wert, hoeher)
        for c, v in zip(cols, res, strict=True):
            cols[c].append(v)
    for c, values in cols.items():
        out[c] = values
    no_data = out["wert"].isna()
    few = ~no_data & (out["faelle"].fillna(0) < p.min_faelle)
    out["farbe"] = np.where(no_data | few, "grau", out["farbe_spc"])
    out["schwelle_gelb"] = np.nan
    out["schwelle_rot"] = out["untere_grenze"] if hoeher else out["obere_grenze"]
    out["vergleich"] = [
        f"Mittel {_stat(m, p)}, Grenzen {_stat(lo, p)} bis {_stat(hi, p)} (Basis {b})"
        if pd.notna(m)
        else f"Basis {b}"
        for m, lo, hi, b in zip(
            out["vergleichswert"],
            out["untere_grenze"],
            out["obere_grenze"],
            out["basis"],
            strict=True,
        )
    ]

    def sentence(row: Mapping[str, Any]) -> str:
        when = _periode_text(row["periode"])
        if pd.isna(row["wert"]):
            return f"{p.name}: kein Wert {when} → grau"
        if pd.isna(row["vergleichswert"]):
            return f"{p.name}: {_wert(row['wert'], p)} {when}; {row['basis']} → grau"
        if row["farbe"] == "grau":
            return _zu_wenig(row, p, _basis_text(row, p))
        head = f"{p.name}: {_wert(row['wert'], p)} {when}"
        limits = f"Grenzen {_stat(row['untere_grenze'], p)} bis {_stat(row['obere_grenze'], p)}"
        mean = f"Mittel {_stat(row['vergleichswert'], p)}"
        sig = row["signal"]
        colour = FARB_TEXT[row["farbe"]]
        if sig in ("ueber_grenze", "unter_grenze"):
            side = "über der oberen" if sig == "ueber_grenze" else "unter der unteren"
            grenze = row["obere_grenze"] if sig == "ueber_grenze" else row["untere_grenze"]
            verdict = (
                "günstige Entwicklung" if row["farbe"] == "gruen" else "ungünstige Entwicklung"
            )
            return f"{head} liegt {side} Kontrollgrenze {_stat(grenze, p)} ({mean}, Basis {row['basis']}): {verdict} → {colour}"
        if sig in ("lauf_ueber", "lauf_unter"):
            side = "über" if sig == "lauf_ueber" else "unter"
            verdict = (
                "günstige Verschiebung" if row["farbe"] == "gruen" else "ungünstige Verschiebung"
            )
            return f"{head}; {p.lauf} Werte in Folge {side} dem {mean} der Basis {row['basis']}: {verdict} → {colour}"
        return f"{head} innerhalb der {limits}, kein Signal (Basis {row['basis']}) → {colour}"

    out["begruendung"] = [sentence(r) for r in out.to_dict("records")]
    return out.drop(columns=["farbe_spc", "basis"])


def _spc_point(
    p: Parameter, s: pd.DataFrame | None, periode: str, wert: float, hoeher: bool
) -> tuple[float, float, float, str, str, str]:
    """Centre, limits, signal, baseline text and colour of one point of an area's series."""
    nan = float("nan")
    if s is None or pd.isna(wert):
        return nan, nan, nan, "", "keine Reihe", "grau"
    keys = s["periode"].map(quartal_von)
    if p.basis_von:
        base_mask = (keys >= p.basis_von) & (keys <= p.basis_bis)
        quarterly = p.kennzahl.periodizitaet in ("quartal", "stichtag_quartal")
        needed = (
            len(quartale_range(p.basis_von, p.basis_bis)) if quarterly else int(base_mask.sum())
        )
    else:
        base_mask = pd.Series(np.arange(len(s)) < p.basis_perioden, index=s.index)
        needed = p.basis_perioden
    base = s.loc[base_mask.to_numpy()]
    label = (
        f"{_kurz(base['periode'].iloc[0])} bis {_kurz(base['periode'].iloc[-1])}"
        if len(base)
        else "–"
    )
    upto = s[s["periode"] <= periode]
    if len(base) < max(needed, 2) or (len(base) and base["periode"].iloc[-1] > periode):
        have = int((base["periode"] <= periode).sum()) if len(base) else 0
        return nan, nan, nan, "", f"Basis noch unvollständig ({have} von {needed} Werten)", "grau"
    x = base["wert"].to_numpy(dtype="float64")
    centre = float(x.mean())
    mr = float(np.abs(np.diff(x)).mean())
    lo, hi = centre - p.grenzfaktor * mr, centre + p.grenzfaktor * mr
    # a count is never below 0 and a share never outside 0–1: clamping changes no signal
    lo = max(lo, 0.0)
    if p.anteil:
        hi = min(hi, 1.0)
    v = _r(wert)
    signal = ""
    if v > _r(hi):
        signal = "ueber_grenze"
    elif v < _r(lo):
        signal = "unter_grenze"
    else:  # a run: the last `lauf` points all strictly on one side (a point on the mean breaks it)
        last = _r(upto["wert"].to_numpy(dtype="float64")[-p.lauf :])
        c = _r(centre)
        if len(last) == p.lauf and (last > c).all():
            signal = "lauf_ueber"
        elif len(last) == p.lauf and (last < c).all():
            signal = "lauf_unter"
    if not signal:
        colour = "gruen"
    else:
        unfavourable = ("ueber" in signal) != hoeher
        colour = ("rot" if signal.endswith("grenze") else "gelb") if unfavourable else "gruen"
    return centre, lo, hi, signal, label, colour


def _kurz(periode: str) -> str:
    q = quartal_von(periode)
    return q if q and len(periode) != 4 else periode


# ------------------------------------------------------------------------------- the Ampel
def _indicator(
    p: Parameter, pool: pd.DataFrame, quartale: Sequence[str], areas: Sequence[str]
) -> pd.DataFrame:
    series = _series(pool, p.kennzahl.id, areas)
    grid = _grid(p, quartale, areas, series)
    if p.regel == "zielwert":
        out = regel_zielwert(p, grid)
    elif p.regel == "anstieg":
        out = regel_anstieg(p, grid, series)
    else:
        out = regel_spc(p, grid, series)
    out["arbeitsfeld"] = p.arbeitsfeld
    out["kennzahl"] = p.kennzahl.id
    out["indikator"] = p.name
    out["regel"] = p.regel
    out["einheit"] = p.kennzahl.einheit
    out["richtung"] = p.richtung if p.regel != "anstieg" else "niedriger_besser"
    out["min_faelle"] = p.min_faelle
    for c in DETAIL_COLUMNS:
        if c not in out.columns:
            out[c] = np.nan if c not in ("signal", "vergleich") else ""
    return out[DETAIL_COLUMNS]


def ampel_quartale(pool: pd.DataFrame, setup: AmpelSetup) -> list[str]:
    """The quarters for which any indicator of the Ampel has a value in the pool."""
    ids = {p.kennzahl.id for p in setup.indikatoren}
    periods = pool.loc[pool["kennzahl"].isin(ids), "periode"].astype(str).unique()
    qs = {q for q in (quartal_von(x) for x in periods) if q}
    return sorted(qs)


def berechne_ampel(
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
    details = pd.concat(
        [_indicator(p, pool, quartale, areas) for p in setup.indikatoren], ignore_index=True
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


#: the float columns of the frames: wert, faelle and vergleichswert .. obere_grenze
_FLOATS = frozenset(
    [
        "wert",
        "faelle",
        *DETAIL_COLUMNS[
            DETAIL_COLUMNS.index("vergleichswert") : DETAIL_COLUMNS.index("obere_grenze") + 1
        ],
    ]
)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """Stable dtypes for the parquet files."""
    df = df.copy()
    for c in df.columns:
        if c in _FLOATS:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
        elif c in ("manuell",):
            df[c] = df[c].astype(bool)
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
    ampel, details = berechne_ampel(pool, setup, tables.get("ampel_schaltungen"))
    return {"ampel": ampel, "ampel_details": details}


def _frames(
    quelle: str | Path | Mapping[str, pd.DataFrame] | pd.DataFrame, table: str
) -> pd.DataFrame:
    if isinstance(quelle, pd.DataFrame):
        return quelle
    if isinstance(quelle, Mapping):
        return quelle[table]
    from .api import load_pool

    return load_pool(quelle, table)


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


__all__ = [
    "AMPEL_COLUMNS",
    "DETAIL_COLUMNS",
    "FARB_TEXT",
    "AmpelConfigError",
    "AmpelSetup",
    "ampel_fuer",
    "berechne_ampel",
    "load_ampel_config",
    "pool_frames",
    "raster",
    "verlauf",
]
