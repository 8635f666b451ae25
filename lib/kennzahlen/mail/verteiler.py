"""The Verteiler (``config/verteiler.yaml``): sender, SMTP settings, groups, and its checks."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator

from kennzahlen.core import fmt, paths
from kennzahlen.core.configfile import StrictModel, load_mapping, problems_message, validate
from kennzahlen.core.namen import steuerzeichen
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import PRODUKT_NUMMERN, PRODUKTE
from kennzahlen.runner import KEINE_DATEN

PASSWORD_ENV = "KENNZAHLEN_SMTP_PASSWORD"
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_PASSWORD_KEYS = ("passw", "kennwort", "secret", "geheim")
#: one megabyte as mail servers count it here: 1,000,000 bytes (the smaller reading, so that a
#: server configured in MiB is never exceeded either)
MB = 1_000_000
MAX_NACHRICHT_MB = 10.0
MAX_NACHRICHT_MB_BEREICH = (0.1, 1000.0)


UNGUELTIG = "der Verteiler ist ungültig"


class VerteilerError(ValueError):
    """``config/verteiler.yaml`` is invalid; the message names every problem."""


# ---------------------------------------------------------------------------- the Verteiler
def _address(value: str) -> str:
    v = value.strip()
    if not _ADDRESS.match(v):
        raise ValueError(f"keine gültige E-Mail-Adresse: '{value}'")
    return v.lower()


Adresse = Annotated[str, AfterValidator(_address)]


def _einzeilig(value: str) -> str:
    found = steuerzeichen(value)
    if found:
        raise ValueError(
            f"enthält Steuerzeichen ({', '.join(found)}); bitte in einer Zeile ohne "
            "Steuerzeichen schreiben (ein Name steht auch im Betreff der E-Mail)"
        )
    return value


#: a name that goes into a mail header or body: one line, no control character
Name = Annotated[str, Field(min_length=1), AfterValidator(_einzeilig)]


class Absender(StrictModel):
    """The sender shown in From: (the department's planning office)."""

    name: Name
    adresse: Adresse


class SmtpConfig(StrictModel):
    """Where messages go; the password is never here (``KENNZAHLEN_SMTP_PASSWORD``)."""

    host: Name = "localhost"
    port: int = Field(25, ge=1, le=65535)
    benutzer: Name | None = None
    starttls: bool = False
    timeout: float = Field(30.0, gt=0)
    max_nachricht_mb: float = MAX_NACHRICHT_MB

    @field_validator("max_nachricht_mb", mode="before")
    @classmethod
    def _max_mb(cls, v: Any) -> float:
        lo, hi = MAX_NACHRICHT_MB_BEREICH
        ok = (
            isinstance(v, int | float)
            and not isinstance(v, bool)
            and math.isfinite(v)
            and lo <= v <= hi
        )
        if not ok:
            raise ValueError(
                f"die Höchstgröße einer Nachricht ist eine Zahl in MB von {fmt.zahl(lo, 1)} bis "
                f"{fmt.zahl(hi)} "
                "(1 MB = 1.000.000 Bytes, gemessen wie auf der Leitung, also nach base64), z. B. "
                f"10 oder 7.5 (mit Punkt)"
            )
        return float(v)

    @property
    def max_bytes(self) -> int:
        """The configured largest message in bytes on the wire."""
        return round(self.max_nachricht_mb * MB)


class Gruppe(StrictModel):
    """A recipient group: which products it gets, optionally bound to one Sozialraum.

    ``oeffentlich: true`` marks a group whose reports may become public (Gemeinderat,
    Fachbereichsausschuss, BM 2: council papers): it may only get products that
    ``config/disclosure.yaml`` calls public (disclosure control on). A group that gets a
    public product must state ``oeffentlich`` (true or false) in the file: the default
    (false, internal) is not taken silently where a report may leave the department.
    ``pdf: true``: the group also gets each report's PDF (``kennzahlen report --pdf``); a
    mailing with such a report lacking its PDF is refused before anything is sent.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Name
    produkte: list[int] = Field(min_length=1)
    sozialraum: Name | None = None
    oeffentlich: bool = False
    pdf: bool = False
    empfaenger: list[Adresse] = Field(min_length=1)

    @field_validator("produkte")
    @classmethod
    def _produkte(cls, v: list[int]) -> list[int]:
        bad = [p for p in v if p not in PRODUKT_NUMMERN]
        if bad:
            raise ValueError(
                f"unbekanntes Produkt {', '.join(map(str, bad))} (bekannt: 1, 2, 3, 4)"
            )
        return sorted(set(v))

    @field_validator("empfaenger")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        dup = sorted({a for a in v if v.count(a) > 1})
        if dup:
            raise ValueError(f"Adresse doppelt in der Gruppe: {', '.join(dup)}")
        return v

    def bekommt(self, entry: dict) -> bool:
        """True when this group receives the report of a runs.json entry (one that was made)."""
        if entry.get("produkt") not in self.produkte or entry.get("status") == KEINE_DATEN:
            return False
        return self.sozialraum is None or entry.get("raum") in (self.sozialraum, GESAMTSTADT)


class Verteiler(StrictModel):
    """The validated ``config/verteiler.yaml``.

    ``intern_und_oeffentlich``: the addresses that may stand in a public group and in a group
    that gets internal products (their message carries both); any other such address is refused.
    """

    absender: Absender
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    gruppen: list[Gruppe] = Field(min_length=1)
    intern_und_oeffentlich: list[Adresse] = Field(default_factory=list)

    def adressen(self) -> list[str]:
        """Every recipient address once, in the order of the file."""
        return list(dict.fromkeys(a for g in self.gruppen for a in g.empfaenger))

    def gruppen_von(self, adresse: str) -> list[Gruppe]:
        """The groups an address belongs to."""
        return [g for g in self.gruppen if adresse in g.empfaenger]


def _find_password_keys(node: Any, where: str = "") -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if any(p in str(key).lower() for p in _PASSWORD_KEYS):
                found.append(here)
            found += _find_password_keys(value, here)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            found += _find_password_keys(value, f"{where}[{n}]")
    return found


def _where(loc: tuple, raw: dict) -> str:
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "gruppen" and isinstance(parts[1], int):
        try:
            gid = raw["gruppen"][parts[1]].get("id", "?")
        except (IndexError, AttributeError, KeyError, TypeError):
            gid = "?"
        rest = ".".join(str(x) for x in parts[2:])
        return f"Gruppe '{gid}' (Nr. {parts[1] + 1})" + (f", {rest}" if rest else "")
    return ".".join(str(x) for x in parts) or "(Datei)"


def _gruppen_zeilen(path: Path) -> list[int]:
    """The line (1-based) of each entry under ``gruppen:`` in the file, for messages."""
    import yaml

    from kennzahlen.core.configfile import StrictLoader

    try:
        # noqa: S506 - a SafeLoader
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=StrictLoader)
    except (OSError, yaml.YAMLError):
        return []
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if getattr(key, "value", None) == "gruppen" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def load_verteiler(
    path: Path | str | None = None,
    sozialraeume: list[str] | None = None,
    disclosure_config: Any = None,
) -> Verteiler:
    """Read and validate the Verteiler; raise VerteilerError listing every problem (German).

    Checks: known products, known Sozialräume (``kennzahlen.catalog.geography.sozialraeume()``
    unless
    given), valid addresses, unique group ids, no address bound to two different Sozialräume
    (or bound and unbound), no password in the file, no public group (``oeffentlich:
    true``) with a product that ``config/disclosure.yaml`` (or ``disclosure_config``: a
    DisclosureConfig or a path) calls internal, and ``oeffentlich`` stated explicitly by every
    group that gets a product it calls public.
    """
    path = Path(path or paths.CONFIG / "verteiler.yaml")
    raw = load_mapping(
        path,
        VerteilerError,
        "die Verteiler-Datei",
        "die Abschnitte 'absender', 'smtp' und 'gruppen'",
        leer_erlaubt=False,
    )
    problems = [
        f"{key}: ein Passwort gehört nicht in die Datei; setzen Sie die Umgebungsvariable "
        f"{PASSWORD_ENV}"
        for key in _find_password_keys(raw)
    ]
    if problems:
        raise VerteilerError(problems_message(path, UNGUELTIG, problems))
    verteiler = validate(
        Verteiler, raw, path, VerteilerError, UNGUELTIG, where=lambda loc: _where(loc, raw)
    )
    if sozialraeume is None:
        from kennzahlen.catalog.geography import sozialraeume as _sr

        sozialraeume = _sr()
    problems += _group_problems(verteiler, sozialraeume)
    cfg = _disclosure(disclosure_config)
    if isinstance(cfg, str):
        problems.append(cfg)
    else:
        problems += _public_groups(verteiler, cfg, _gruppen_zeilen(path))
        problems += _public_addresses(verteiler, cfg)
    problems += _binding_problems(verteiler)
    if problems:
        raise VerteilerError(problems_message(path, UNGUELTIG, problems))
    return verteiler


def _group_problems(verteiler: Verteiler, sozialraeume: list[str]) -> list[str]:
    """Group ids written twice; Sozialräume the city does not have."""
    problems = []
    seen: dict[str, int] = {}
    for n, g in enumerate(verteiler.gruppen, start=1):
        if g.id in seen:
            problems.append(f"Gruppe '{g.id}' (Nr. {n}): id doppelt (schon Nr. {seen[g.id]})")
        seen.setdefault(g.id, n)
        if g.sozialraum is not None and g.sozialraum not in sozialraeume:
            problems.append(
                f"Gruppe '{g.id}' (Nr. {n}), sozialraum: unbekannter Sozialraum "
                f"'{g.sozialraum}' (bekannt: {', '.join(sozialraeume)})"
            )
    return problems


def _binding_problems(verteiler: Verteiler) -> list[str]:
    """An address bound to a Sozialraum in one group may not be in a group with another binding."""
    problems = []
    for adresse in verteiler.adressen():
        bindungen = {g.sozialraum for g in verteiler.gruppen_von(adresse)}
        if len(bindungen) > 1 and bindungen != {None}:
            namen = ", ".join(
                f"'{g.id}' ({g.sozialraum or 'alle Sozialräume'})"
                for g in verteiler.gruppen_von(adresse)
            )
            problems.append(
                f"Adresse {adresse}: steht in Gruppen mit verschiedener Bindung ({namen}); "
                f"eine an einen Sozialraum gebundene Adresse darf nur dessen Berichte bekommen"
            )
    return problems


def _disclosure(disclosure_config: Any = None) -> Any:
    """The disclosure rules (a DisclosureConfig), or the German problem when they cannot be read."""
    from kennzahlen.disclosure import config as regeln

    cfg = disclosure_config
    if cfg is None or isinstance(cfg, str | Path):
        try:
            cfg = regeln.load_config(cfg)
        except regeln.DisclosureConfigError as exc:
            return f"Geheimhaltungsregeln nicht lesbar, öffentliche Gruppen nicht prüfbar: {exc}"
    return cfg


def _public_groups(verteiler: Verteiler, cfg: Any, zeilen: list[int] | None = None) -> list[str]:
    """Problems: a public group that would get an internal product (exact small counts), and a
    group that gets a public product without saying whether it is public (``zeilen``: the
    line of each group in the file)."""
    from kennzahlen.disclosure import config as regeln

    problems = []
    zeilen = zeilen or []
    for n, g in enumerate(verteiler.gruppen, start=1):
        oeffentliche = [p for p in g.produkte if regeln.is_public(p, cfg)]
        if oeffentliche and "oeffentlich" not in g.model_fields_set:
            zeile = f", Zeile {zeilen[n - 1]}" if n <= len(zeilen) else ""
            namen = ", ".join(f"Produkt {p} ({PRODUKTE[p].titel})" for p in oeffentliche)
            problems.append(
                f"Gruppe '{g.id}' (Nr. {n}{zeile}): bekommt {namen}, laut config/disclosure.yaml "
                "öffentlich; bitte ausdrücklich angeben, ob die Gruppe Berichte an die "
                "Öffentlichkeit "
                "weitergibt: 'oeffentlich: true' (Gemeinderat, Ausschuss, BM 2: dann nur "
                f"öffentliche Produkte) oder 'oeffentlich: false' (intern)"
            )
        if not g.oeffentlich:
            continue
        intern = [p for p in g.produkte if not regeln.is_public(p, cfg)]
        for p in intern:
            problems.append(
                f"Gruppe '{g.id}' (Nr. {n}): die Gruppe ist öffentlich (oeffentlich: true) und "
                f"darf Produkt {p} ({PRODUKTE[p].titel}) nicht bekommen: es ist laut "
                f"config/disclosure.yaml intern und zeigt genaue kleine Fallzahlen"
            )
    return problems


def _public_addresses(verteiler: Verteiler, cfg: Any) -> list[str]:
    """An address of a public group that also stands in a group getting internal products: its
    one message would carry both (the council office would get exact small counts). Refused,
    naming both groups, unless the address is listed under ``intern_und_oeffentlich``."""
    from kennzahlen.disclosure import config as regeln

    erlaubt = set(verteiler.intern_und_oeffentlich)
    problems = [
        f"intern_und_oeffentlich: {a} steht in keiner Gruppe (Tippfehler?)"
        for a in verteiler.intern_und_oeffentlich
        if a not in verteiler.adressen()
    ]
    for adresse in verteiler.adressen():
        gruppen = verteiler.gruppen_von(adresse)
        oeffentlich = [g for g in gruppen if g.oeffentlich]
        intern = [g for g in gruppen if any(not regeln.is_public(p, cfg) for p in g.produkte)]
        if not oeffentlich or not intern or adresse in erlaubt:
            continue
        o, i = oeffentlich[0], intern[0]
        produkte = ", ".join(str(p) for p in i.produkte if not regeln.is_public(p, cfg))
        problems.append(
            f"Adresse {adresse}: steht in der öffentlichen Gruppe '{o.id}' und in der Gruppe "
            f"'{i.id}', die interne Produkte bekommt (Produkt {produkte}); ihre Nachricht trüge "
            "beides, genaue kleine Fallzahlen an eine öffentliche Stelle. Die Adresse aus einer "
            "der beiden Gruppen nehmen – oder, wenn sie beides bekommen darf, unter "
            "'intern_und_oeffentlich' eintragen"
        )
    return problems
