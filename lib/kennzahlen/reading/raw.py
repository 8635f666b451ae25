"""Reading and validating the raw deliveries in ``data/raw/`` (``DATA_CONTRACT.md`` section 2).

Every file ``<table>_<YYYY-MM-DD>.csv|.xlsx`` is read as text, its columns are matched to the
contract (:mod:`kennzahlen.core.schema`), the values are parsed column by column (vectorised) and
checked with pandera. Every problem of every file is collected; :func:`read_raw` raises
:class:`InvalidInput` listing all of them, or returns the normalised tables with superseding
applied (the row from the newest export wins).

Line numbers: the index of every frame built here is the line number in the file (CSV: the
header is line 1; XLSX: the sheet row), so pandera's failure cases point straight at lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from kennzahlen.core.schema import TABLES, Table, output_dtypes
from kennzahlen.reading.checks import empty_frame
from kennzahlen.reading.problems import InvalidInput, Problem
from kennzahlen.reading.text import _read_file, parse_file_name

IGNORED_FILES = {"readme.md", "readme.txt", ".gitkeep", "thumbs.db", "desktop.ini"}
_MANIFEST_DTYPES = {
    "datei": "str",
    "tabelle": "str",
    "stand": "datetime64[ns]",
    "zeilen": "int64",
    "zeilen_verwendet": "int64",
    "format": "str",
    "encoding": "str",
    "trennzeichen": "str",
}


@dataclass
class RawData:
    """The normalised raw tables (superseding applied), the file manifest and warnings."""

    tables: dict[str, pd.DataFrame]
    files: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# public functions


def read_raw(
    raw_dir: Path, raumgliederung: pd.DataFrame | None = None, heute: date | None = None
) -> RawData:
    """Read and validate every delivery in ``raw_dir``; raise InvalidInput listing all problems.

    ``heute`` is the day of the build (default: today): a Stand after it is bad input.
    """
    raw_dir = Path(raw_dir)
    if raumgliederung is None:
        from kennzahlen.catalog.geography import raumgliederung as load_raumgliederung

        raumgliederung = load_raumgliederung()
    found, warn, problems = _scan(raw_dir)
    problems.extend(stand_problems([p.name for p, _ in found], heute or date.today()))
    if not found and not problems:
        problems.append(
            Problem(
                raw_dir.name or str(raw_dir),
                None,
                None,
                None,
                f"Keine Lieferung im Rohdatenordner {raw_dir}: der Ordner fehlt oder enthält "
                "keine Datei <tabelle>_<JJJJ-MM-TT>.csv/.xlsx. Bitte die Exporte dort ablegen "
                "(oder mit 'kennzahlen demo' Demodaten erzeugen).",
            )
        )
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    manifest: list[dict] = []
    for path, table in found:
        frame, file_problems, info = _read_file(path, table, raumgliederung)
        problems.extend(file_problems)
        frames[table.name].append(frame)
        manifest.append(info)
        warn.extend(info.pop("warnungen", []))
        if not file_problems and info["zeilen"] == 0:
            warn.append(
                f"{path.name}: enthält nur die Kopfzeile, keine Datenzeilen (0 Zeilen gelesen); "
                f"bitte prüfen, ob der Export vollständig ist"
            )
    if problems:
        raise InvalidInput(fremde_codes(problems, manifest, raw_dir))

    tables = {name: supersede(parts, TABLES[name]) for name, parts in frames.items()}
    files = pd.DataFrame(manifest, columns=list(_MANIFEST_DTYPES))
    used = pd.concat([t["datei"] for t in tables.values()]).value_counts()
    files["zeilen_verwendet"] = files["datei"].map(used).fillna(0)
    files = files.astype(_MANIFEST_DTYPES)
    return RawData(tables=tables, files=files, warnings=warn)


def read_file(
    path: Path, table: Table, raumgliederung: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one delivery: the normalised frame (before superseding, rows with a problem left
    out) with ``stand``/``datei``, and the list of its problems."""
    frame, problems, _info = _read_file(Path(path), table, raumgliederung)
    return frame, problems


def supersede(frames: list[pd.DataFrame], table: Table) -> pd.DataFrame:
    """Concatenate the files of one table; per key the row of the newest Stand wins (ties: the
    later file name)."""
    if not frames:
        return empty_frame(table)
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["stand", "datei"], kind="stable")
    df = df.drop_duplicates(subset=list(table.key), keep="last")
    return df.reset_index(drop=True).astype(output_dtypes(table))


def stand_problems(names: list[str], heute: date) -> list[Problem]:
    """Stands that cannot be right: after the day of the build, or two exports of one table with
    the same Stand (which one wins would be a guess)."""
    problems: list[Problem] = []
    by_stand: dict[tuple[str, date], list[str]] = {}
    for name in sorted(names):
        parsed = parse_file_name(name)
        if parsed is None:
            continue
        table, stand = parsed
        by_stand.setdefault((table, stand), []).append(name)
        if stand > heute:
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    stand.isoformat(),
                    f"Der Stand im Dateinamen ({stand:%d.%m.%Y}) liegt nach dem Tag des Laufs "
                    f"({heute:%d.%m.%Y}); bitte das Datum im Dateinamen prüfen (Datum = "
                    "Exportdatum, z. B. ein Tippfehler im Jahr).",
                )
            )
    for (table, stand), files in sorted(by_stand.items()):
        if len(files) > 1:
            others = " und ".join(files[1:])
            problems.append(
                Problem(
                    files[0],
                    None,
                    None,
                    others,
                    f"Zwei Exporte der Tabelle '{table}' mit demselben Stand {stand:%d.%m.%Y}: "
                    f"{files[0]} und {others}. Welcher gilt, wäre geraten; bitte nur einen Export "
                    "je Stand ablegen (den falschen entfernen oder das Datum im Namen "
                    "korrigieren).",
                )
            )
    return problems


#: from this many rows with an unknown area code on, and when they are most rows, the problems are
#: one paragraph (a few unknown codes in a small file keep their line-exact messages)
ZUSAMMENFASSEN_AB = 50
#: the messages of an area code the Raumgliederung does not know (reading_checks)
_UNBEKANNT = ("Stadtviertel unbekannt:", "Sozialraum unbekannt:", "Gebiet unbekannt:")


def fremde_codes(problems: list[Problem], manifest: list[dict], raw_dir: Path) -> list[Problem]:
    """When most rows (and at least ``ZUSAMMENFASSEN_AB``) name a Stadtviertel or Sozialraum the
    Raumgliederung does not know, the
    raw folder belongs to another city (or the configuration does): one paragraph instead of a
    line per row (a whole city's exports gave 332,434 lines); the other problems are counted."""
    from kennzahlen.core import paths
    from kennzahlen.core.fmt import anzahl, zahl

    fremd = [p for p in problems if p.meldung.startswith(_UNBEKANNT)]
    mit_code = sum(
        int(i["zeilen"])
        for i in manifest
        if any(c.kind in ("area", "sozialraum", "gebiet") for c in TABLES[i["tabelle"]].columns)
    )
    if len(fremd) < ZUSAMMENFASSEN_AB or len(fremd) * 2 <= mit_code:
        return problems
    codes = list(dict.fromkeys(p.wert for p in fremd))
    beispiele = ", ".join(f"'{c}'" for c in codes[:8]) + (", …" if len(codes) > 8 else "")
    dateien = len({p.datei for p in fremd})
    zusammen = Problem(
        raw_dir.name or str(raw_dir),
        None,
        None,
        None,
        f"Die Rohdaten in {raw_dir} passen nicht zur Raumgliederung "
        f"{paths.CONFIG / 'raumgliederung.csv'}: {zahl(len(fremd))} von {zahl(mit_code)} Zeilen "
        f"in {anzahl(dateien, 'Datei', 'Dateien')} nennen ein Stadtviertel oder einen Sozialraum, "
        f"den sie nicht kennt ({zahl(len(codes))} verschiedene, z. B. {beispiele}). "
        "Gehören die Exporte zu einer anderen Stadt? Bitte mit --raw den Rohdatenordner dieser "
        "Stadt angeben oder mit --config ihre Konfiguration."
        + (
            f" Weitere {zahl(len(problems) - len(fremd))} Probleme dieser Rohdaten werden nicht "
            "einzeln gezeigt."
            if len(problems) > len(fremd)
            else ""
        ),
    )
    return [zusammen]


# --------------------------------------------------------------------------------------
# finding files


def _scan(raw_dir: Path) -> tuple[list[tuple[Path, Table]], list[str], list[Problem]]:
    found: list[tuple[Path, Table]] = []
    warn: list[str] = []
    problems: list[Problem] = []
    if not raw_dir.is_dir():
        return found, warn, problems
    for path in sorted(raw_dir.iterdir(), key=lambda p: p.name):
        name = path.name
        if name.startswith((".", "~$")) or name.lower() in IGNORED_FILES:
            continue
        if path.is_dir():
            warn.append(f"{name}: Unterordner im Rohdatenordner wird nicht gelesen")
            continue
        try:
            parsed = parse_file_name(name)
        except ValueError:
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    name,
                    "Das Datum im Dateinamen ist kein gültiges Datum; bitte die Datei "
                    "<tabelle>_<JJJJ-MM-TT>.csv nennen (Datum = Exportdatum).",
                )
            )
            continue
        if parsed is None:
            warn.append(
                f"{name}: passt zu keiner Tabelle des Datenvertrags "
                "(<tabelle>_<JJJJ-MM-TT>.csv oder .xlsx) und wird nicht gelesen"
            )
            continue
        found.append((path, TABLES[parsed[0]]))
    return found, warn, problems
