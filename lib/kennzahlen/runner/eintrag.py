"""One report's entry in ``runs.json``: the dataclass and its JSON object (the shape the file has
always had, so older files load)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from kennzahlen.runner.basis import RunnerError, Status

#: keys runs.json writes even when they are empty (null): the others only when they have a value
_IMMER = frozenset({"html", "fehler", "pool_manifest_sha256"})


@dataclass(kw_only=True)
class Eintrag:
    """One report in runs.json: what was made, from what, with which status and files.

    The fields are the keys of the JSON object in the order they are written; a field that is
    None is left out, except ``html``, ``fehler`` and ``pool_manifest_sha256`` (written as null).
    Keys this version does not know are kept in ``weitere`` and written back after the others.
    """

    produkt: int
    produkt_ordner: str | None = None
    produkt_titel: str | None = None
    raum: str
    slug: str | None = None
    #: the period the report shows (a quarter, or the year of a yearly product)
    berichtszeitraum: str | None = None
    #: the report's HTML, relative to the period's folder (None: not made)
    html: str | None = None
    anhaenge: list[str] | None = None
    notebook: str | None = None
    input_hash: str | None = None
    pool_manifest_sha256: str | None = None
    erstellt: str | None = None
    #: checksum per file of the report (HTML, attachments, PDF): mail checks what it attaches
    dateien: dict[str, str] | None = None
    audit: str | None = None
    status: Status
    fehler: str | None = None
    #: why a report with status ``keine_daten`` was not made
    grund: str | None = None
    kernaussagen: list | None = None
    zielwerte: list | None = None
    sekunden: float | None = None
    pdf: str | None = None
    #: the hash of the HTML and print rules the PDF was made from
    pdf_quelle: str | None = None
    #: keys of runs.json this version does not know (kept, written back after the others)
    weitere: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def aus_json(cls, obj: Eintrag | Mapping[str, Any]) -> Eintrag:
        """An entry from its JSON object (an ``Eintrag`` is returned as it is)."""
        if isinstance(obj, Eintrag):
            return obj
        try:
            status = Status(obj["status"])
        except ValueError:
            raise RunnerError(
                f"runs.json: Bericht {obj.get('produkt')}/{obj.get('raum')} hat den unbekannten "
                f"Status '{obj['status']}' (erwartet: {', '.join(Status)})"
            ) from None
        known = set(_schluessel()) - {"status"}
        werte = {k: v for k, v in obj.items() if k in known}
        weitere = {k: v for k, v in obj.items() if k not in known and k != "status"}
        return cls(status=status, weitere=weitere, **werte)

    def als_json(self) -> dict[str, Any]:
        """The JSON object of the entry (the shape runs.json has always had)."""
        out: dict[str, Any] = {}
        for name in _schluessel():
            wert = getattr(self, name)
            if wert is not None or name in _IMMER:
                out[name] = wert
        return {**out, **self.weitere}

    @property
    def schluessel(self) -> tuple[int, str]:
        """(produkt, raum): one entry per report of a folder."""
        return (self.produkt, self.raum)

    def __getitem__(self, key: str) -> Any:
        """Read like the JSON object (``e["status"]``), for callers that knew entries as dicts."""
        if key in self.weitere:
            return self.weitere[key]
        if key not in _schluessel():
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            wert = self[key]
        except KeyError:
            return default
        return default if wert is None else wert


def eintraege(runs: Mapping[str, Any]) -> list[Eintrag]:
    """The entries of a runs.json object (``reports``)."""
    return [Eintrag.aus_json(e) for e in runs.get("reports", []) if isinstance(e, Mapping)]


def _schluessel() -> tuple[str, ...]:
    """The JSON keys of an entry in the order runs.json writes them (the fields but ``weitere``)."""
    return tuple(f.name for f in fields(Eintrag) if f.name != "weitere")
