"""The Ampel's configuration (``config/ampel.yaml``): models, defaults per indicator, checks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from kennzahlen.catalog.model import Catalog, Kennzahl, load_catalog
from kennzahlen.core import fmt, paths
from kennzahlen.core.configfile import (
    StrictModel,
    german_error,
    problems_message,
    read_yaml,
)
from kennzahlen.core.dateistand import signatur
from kennzahlen.core.periods import QUARTAL_RE
from kennzahlen.core.vocabulary import ARBEITSFELDER, ist_anteil, wert_text
from kennzahlen.statistik.spc import SIGNALE

Richtung = Literal["hoeher_besser", "niedriger_besser"]
Signal = Literal["grenze", "lauf", "trend", "zwei_von_drei"]


class AmpelConfigError(ValueError):
    """``config/ampel.yaml`` is invalid; the message lists every problem."""


# ------------------------------------------------------------------------------- configuration
class ZielwertRegel(StrictModel):
    """Defaults of the target rule."""

    toleranz_pp: float = Field(default=5.0, ge=0)
    #: rot only when the 95 % interval misses the Zielwert too ('verfehlt'); a value that misses
    #: it beyond the tolerance but whose interval still reaches it ('nicht sicher verfehlt') is gelb
    nur_sicher_rot: bool = True


class AnstiegRegel(StrictModel):
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


class SpcRegel(StrictModel):
    """Defaults of the SPC rule (XmR chart on a fixed baseline, NHS "Making Data Count")."""

    basis_perioden: int = Field(default=12, ge=2)
    basis_von: str | None = None
    basis_bis: str | None = None
    grenzfaktor: float = Field(default=2.66, gt=0)
    lauf: int = Field(default=7, ge=2)
    trend: int = Field(default=7, ge=2)
    signale: tuple[Signal, ...] = Field(default=SIGNALE, min_length=1)  # type: ignore[arg-type]
    ausreisser_pruefen: bool = True
    vorlaeufig_ab: int = Field(default=6, ge=2)

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
        if self.vorlaeufig_ab > self.basis_perioden:
            raise ValueError(_VORLAEUFIG.format(self.vorlaeufig_ab, self.basis_perioden))
        return self


_VORLAEUFIG = (
    "vorlaeufig_ab ({}) darf nicht größer als basis_perioden ({}) sein (gleich: keine "
    "vorläufigen Grenzen)"
)


class NeueBasis(StrictModel):
    """A new baseline of the SPC limits from a quarter on, with the day it was decided and why
    (rebasing only with a dated reason)."""

    ab: str
    beschlossen_am: dt.date
    grund: str = Field(min_length=10)

    @field_validator("ab", mode="before")
    @classmethod
    def _quartal(cls, v: object) -> str:
        text = str(v).strip().upper()
        if not QUARTAL_RE.match(text):
            raise ValueError(f"ab '{v}' ist kein Quartal (JJJJ-Qn, z. B. 2022-Q3)")
        return text

    @field_validator("beschlossen_am", mode="before")
    @classmethod
    def _datum(cls, v: object) -> object:
        if isinstance(v, dt.date):
            return v
        text = str(v).strip()
        try:
            if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text):
                tag, monat, jahr = text.split(".")
                return dt.date(int(jahr), int(monat), int(tag))
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"beschlossen_am '{v}' ist kein gültiges Datum (JJJJ-MM-TT oder TT.MM.JJJJ)"
            ) from None

    @field_validator("grund", mode="before")
    @classmethod
    def _grund(cls, v: object) -> object:
        return v.strip() if isinstance(v, str) else v


class Regeln(StrictModel):
    """The rule defaults of ``ampel.yaml``."""

    min_faelle: int = Field(default=10, ge=0)
    zielwert: ZielwertRegel = Field(default_factory=ZielwertRegel)
    anstieg: AnstiegRegel = Field(default_factory=AnstiegRegel)
    spc: SpcRegel = Field(default_factory=SpcRegel)


_OVERRIDES = {
    "min_faelle": None,
    "toleranz_pp": "zielwert",
    "nur_sicher_rot": "zielwert",
    "vorquartale": "anstieg",
    "gelb_ueber_prozent": "anstieg",
    "rot_ueber_prozent": "anstieg",
    "basis_perioden": "spc",
    "basis_von": "spc",
    "basis_bis": "spc",
    "grenzfaktor": "spc",
    "lauf": "spc",
    "trend": "spc",
    "signale": "spc",
    "ausreisser_pruefen": "spc",
    "vorlaeufig_ab": "spc",
}


class Indikator(StrictModel):
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
    trend: int | None = Field(default=None, ge=2)
    signale: tuple[Signal, ...] | None = Field(default=None, min_length=1)
    ausreisser_pruefen: bool | None = None
    vorlaeufig_ab: int | None = Field(default=None, ge=2)
    nur_sicher_rot: bool | None = None
    neue_basis: tuple[NeueBasis, ...] = ()


class Arbeitsfeld(StrictModel):
    """An Arbeitsfeld of the Ampel: its indicators, and a title other than the usual one."""

    titel: str | None = None
    indikatoren: list[Indikator] = Field(min_length=1)


class AmpelConfig(StrictModel):
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
    trend: int = 7
    signale: tuple[str, ...] = SIGNALE
    ausreisser_pruefen: bool = True
    vorlaeufig_ab: int = 6
    nur_sicher_rot: bool = True
    neue_basis: tuple[NeueBasis, ...] = ()

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
        richtung=ind.richtung or k.wertung,
        toleranz=toleranz,
        toleranz_text=toleranz_text,
        neue_basis=tuple(sorted(ind.neue_basis, key=lambda b: b.ab)),
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
    """What is wrong with an indicator for its rule (German, one sentence each)."""
    checks = {"zielwert": _zielwert_problems, "anstieg": _anstieg_problems, "spc": _spc_problems}
    out = checks[p.regel](ind, p) if p.regel in checks else []
    if p.regel != "zielwert" and ind.toleranz is not None:
        out.append("toleranz gilt nur für die Regel zielwert")
    if p.regel == "zielwert":
        out += _basis_problems(ind, p)
    if p.regel == "anstieg" and ind.neue_basis:
        out.append("neue_basis gilt nur für die Regeln spc und zielwert (deren Regelkarte)")
    return out


def _zielwert_problems(ind: Indikator, p: Parameter) -> list[str]:
    k = p.kennzahl
    out = []
    if not k.hat_zielwert:
        out.append(f"Regel zielwert: Kennzahl '{k.id}' hat im Katalog keinen zielwert")
    if not p.anteil and ind.toleranz is None:
        out.append(
            f"Regel zielwert: '{k.id}' ist kein Anteil ({k.einheit}); eine toleranz in "
            f"ihrer Einheit angeben (toleranz_pp gilt nur für Anteile)"
        )
    return out


def _anstieg_problems(ind: Indikator, p: Parameter) -> list[str]:
    k = p.kennzahl
    out = []
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
    return out


def _spc_problems(ind: Indikator, p: Parameter) -> list[str]:
    out = []
    if p.richtung is None:
        out.append(
            f"Regel spc braucht eine richtung: '{p.kennzahl.id}' hat im Katalog keine; "
            f"richtung: hoeher_besser oder niedriger_besser angeben"
        )
    for name in ("basis_von", "basis_bis"):
        value = getattr(p, name)
        if value is not None and not QUARTAL_RE.match(value):
            out.append(f"{name} '{value}' ist kein Quartal (JJJJ-Qn, z. B. 2019-Q1)")
    if (p.basis_von is None) != (p.basis_bis is None):
        out.append("basis_von und basis_bis nur zusammen angeben")
    return out + _basis_problems(ind, p)


def _basis_problems(ind: Indikator, p: Parameter) -> list[str]:
    """The baseline of the limits: provisional limits and new baselines (spc and zielwert)."""
    out = []
    if p.vorlaeufig_ab > p.basis_perioden:
        out.append(_VORLAEUFIG.format(p.vorlaeufig_ab, p.basis_perioden))
    ab = [b.ab for b in ind.neue_basis]
    if len(set(ab)) != len(ab):
        out.append("neue_basis: jedes Quartal ab nur einmal angeben")
    for b in ind.neue_basis:
        if p.basis_bis is not None and b.ab <= p.basis_bis:
            out.append(
                f"neue_basis ab {b.ab} liegt nicht nach basis_bis {p.basis_bis}: eine neue "
                "Basis beginnt nach der ersten"
            )
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
    # a report asks about nine times: parsed and checked once per file state and catalog
    key = (str(path), signatur(path))
    hit = _SETUPS.get(key)
    if hit is not None and hit[0] is catalog:
        return hit[1]
    setup = _load_ampel_config(path, catalog)
    if len(_SETUPS) > 16:
        _SETUPS.clear()
    _SETUPS[key] = (catalog, setup)
    return setup


#: load_ampel_config's results: (path, file state) -> (the catalog checked against, the setup)
_SETUPS: dict[tuple, tuple[Catalog, AmpelSetup]] = {}


def _load_ampel_config(path: Path, catalog: Catalog) -> AmpelSetup:
    raw = read_yaml(path, AmpelConfigError, "die Ampel-Konfiguration")
    setup, problems = check_config(raw, catalog)
    if problems:
        raise AmpelConfigError(
            problems_message(path, "die Ampel-Konfiguration ist ungültig", problems)
        )
    assert setup is not None
    return setup
