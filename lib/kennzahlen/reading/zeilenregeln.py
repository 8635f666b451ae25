"""Checks of the raw tables beyond single values: lists from config and rules across a row.

:mod:`kennzahlen.reading.checks` calls these while it validates a file, so a problem here is bad
input like any other: named with file, line, column and value, and nothing is written.

- Vocabularies (``Column.kind == "vokabel"``): ``rollen`` and ``dienste`` from
  ``config/steuerung.yaml``, ``kennzahlen`` from the catalog. A value matches without regard to
  case and spacing and is given back as the list spells it.
- Row rules (``Table.checks``): e.g. a measure's deadline before its quarter begins.
- Structural zeros (``Table.festlegungen``): code combinations that cannot exist by law or by the
  source system's definition (besondere Wohnform is stationär); such a row is refused, which is
  what lets the publication plan treat the combination as a known zero.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

CONFIG_HINWEIS = {
    "rollen": "config/steuerung.yaml, Abschnitt rollen",
    "dienste": "config/steuerung.yaml, Abschnitt personalbemessung.dienste",
    "kennzahlen": "config/kennzahlen.yaml",
}


def werte(name: str) -> tuple[str, ...]:
    """The entries of a vocabulary, as configured."""
    if name == "kennzahlen":
        from kennzahlen.catalog.model import load_catalog

        return tuple(k.id for k in load_catalog().kennzahlen)
    from kennzahlen.catalog.steuerung import load_config

    cfg = load_config()
    if name == "rollen":
        return tuple(cfg.rollen)
    if name == "dienste":
        return tuple(cfg.dienste)
    raise KeyError(f"unbekanntes Vokabular '{name}'")


def vokabel(s: pd.Series, name: str) -> pd.Series:
    """Values mapped to the configured spelling (an unknown value stays as it is)."""
    from kennzahlen.catalog.steuerung import normal

    lookup = {normal(w): w for w in werte(name)}
    return s.map(lambda v: v if pd.isna(v) else lookup.get(normal(v), v))


def vokabel_meldung(name: str, value: str) -> str:
    """The German message for a value that is not in its vocabulary."""
    erlaubt = werte(name)
    wo = CONFIG_HINWEIS.get(name, name)
    if not erlaubt:
        liste = f"in {wo} ist nichts eingetragen"
    elif len(erlaubt) > 12:
        liste = f"erlaubt ist eine id aus {wo}, z. B. {', '.join(erlaubt[:3])}"
    else:
        liste = f"erlaubt: {', '.join(erlaubt)} – aus {wo}"
    if name == "rollen":
        return (
            f"Rolle unbekannt: '{value}'; hier steht eine Rolle, nie der Name einer Person "
            f"({liste})"
        )
    if name == "dienste":
        return f"Dienst unbekannt: '{value}' ({liste})"
    if name == "kennzahlen":
        return f"Kennzahl unbekannt: '{value}' ({liste})"
    return f"Wert unbekannt: '{value}' ({liste})"


# ------------------------------------------------------------------------------ row rules
#: a rule: (parsed frame, raw text frame) -> [(line, column, value, message)]
Befund = tuple[int, str, str, str]
Regel = Callable[[pd.DataFrame, pd.DataFrame], list[Befund]]


def _leer(raw: pd.DataFrame, col: str) -> pd.Series:
    return raw[col] == "" if col in raw else pd.Series(True, index=raw.index)


def kennzahl_oder_arbeitsfeld(parsed: pd.DataFrame, raw: pd.DataFrame) -> list[Befund]:
    """An explanation is about exactly one thing: a Kennzahl or an Arbeitsfeld."""
    if not {"kennzahl", "arbeitsfeld"} <= set(raw.columns):
        return []
    k_leer, a_leer = _leer(raw, "kennzahl"), _leer(raw, "arbeitsfeld")
    out: list[Befund] = []
    for z in raw.index[k_leer & a_leer]:
        out.append(
            (
                int(z),
                "kennzahl",
                "",
                "Bezug fehlt: bitte entweder kennzahl (eine id aus config/kennzahlen.yaml) "
                "oder arbeitsfeld (jh, egh, ah, es, ws) ausfüllen",
            )
        )
    for z in raw.index[~k_leer & ~a_leer]:
        out.append(
            (
                int(z),
                "arbeitsfeld",
                raw.at[z, "arbeitsfeld"],
                f"Zwei Bezüge: kennzahl '{raw.at[z, 'kennzahl']}' und arbeitsfeld "
                f"'{raw.at[z, 'arbeitsfeld']}'; eine Erläuterung gilt entweder einer Kennzahl "
                "oder einem Arbeitsfeld (für beide bitte zwei Zeilen)",
            )
        )
    return out


def _quartalsbeginn(q: pd.Series) -> pd.Series:
    ok = q.notna() & q.astype(str).str.fullmatch(r"\d{4}-Q[1-4]")
    out = pd.Series(pd.NaT, index=q.index, dtype="datetime64[ns]")
    if ok.any():
        p = pd.PeriodIndex(q[ok].str.replace("-Q", "Q"), freq="Q")
        out[ok] = p.start_time.normalize().to_numpy()
    return out


def frist_nach_quartalsbeginn(parsed: pd.DataFrame, raw: pd.DataFrame) -> list[Befund]:
    """A measure's deadline cannot lie before the quarter whose light caused it."""
    if not {"frist", "quartal"} <= set(parsed.columns):
        return []
    beginn = _quartalsbeginn(parsed["quartal"])
    bad = parsed["frist"].notna() & beginn.notna() & (parsed["frist"] < beginn)
    return [
        (
            int(z),
            "frist",
            raw.at[z, "frist"],
            f"Frist vor dem Quartal: '{raw.at[z, 'frist']}' liegt vor dem Beginn von "
            f"{raw.at[z, 'quartal']}; bitte das Datum prüfen",
        )
        for z in parsed.index[bad]
    ]


def erledigt_mit_datum_und_ergebnis(parsed: pd.DataFrame, raw: pd.DataFrame) -> list[Befund]:
    """A finished measure says when and with what result; an open one has no end date."""
    need = {"status", "erledigt_am", "ergebnis"}
    if not need <= set(raw.columns):
        return []
    erledigt = parsed["status"] == "erledigt"
    offen = parsed["status"] == "offen"
    out: list[Befund] = []
    for z in raw.index[erledigt & _leer(raw, "erledigt_am")]:
        out.append((int(z), "erledigt_am", "", "Status erledigt braucht das Datum erledigt_am"))
    for z in raw.index[erledigt & _leer(raw, "ergebnis")]:
        out.append(
            (int(z), "ergebnis", "", "Status erledigt braucht ein Ergebnis (was hat es gebracht?)")
        )
    for z in raw.index[offen & ~_leer(raw, "erledigt_am")]:
        out.append(
            (
                int(z),
                "erledigt_am",
                raw.at[z, "erledigt_am"],
                f"Status offen, aber erledigt_am '{raw.at[z, 'erledigt_am']}' gesetzt; bitte "
                "Status erledigt eintragen oder das Datum leeren",
            )
        )
    return out


def _fassung_text(k, f: int) -> str:
    """'Fassung 2 (Definition ab 2022-Q3)' or 'Fassung 1 (die erste Definition)'."""
    if f == 1:
        return "Fassung 1 (die erste Definition)"
    return f"Fassung {f} (Definition ab {k.definitionen[f - 2].gueltig_ab})"


def _vergleich_fassung(k, jahr: int, fassung: int, z: int, text: str) -> Befund | None:
    """A comparison value by another definition than the catalog's for its year is refused."""
    soll = k.fassung_im(jahr)
    if soll is None:
        wechsel = ", ".join(d.gueltig_ab for d in k.definitionen if d.gueltig_ab[:4] == str(jahr))
        return (
            z,
            "jahr",
            str(jahr),
            f"Kein Vergleich für {jahr} möglich: die Definition von '{k.id}' wechselt in diesem "
            f"Jahr ({wechsel}), der eigene Jahreswert mischt zwei Fassungen",
        )
    if fassung != soll:
        return (
            z,
            "katalogversion",
            text,
            f"Definition passt nicht: der Wert nennt Fassung {fassung}, der Katalog rechnet "
            f"'{k.id}' {jahr} in {_fassung_text(k, soll)}; ein Wert nach einer anderen Definition "
            "ist nicht vergleichbar (bitte die Fassung prüfen oder die Zeile weglassen)",
        )
    return None


def _vergleich_wert(k, row: dict, raw: dict, z: int) -> Befund | None:
    """A share lies between 0 and 1; Zähler and Nenner, where given, give the value."""
    from kennzahlen.core.vocabulary import ist_anteil

    wert = float(row["wert"])
    if ist_anteil(k.einheit) and wert > 1:
        return (z, "wert", raw["wert"], f"Anteil größer als 1: '{raw['wert']}'; Anteile als "
                "Bruch angeben (0,65 statt 65 %)")  # fmt: skip
    if pd.isna(row.get("zaehler")) or pd.isna(row.get("nenner")) or not k.nenner:
        return None
    if float(row["nenner"]) == 0:
        return (
            z,
            "nenner",
            raw.get("nenner", ""),
            "Nenner 0: ein Wert braucht einen Nenner über 0",
        )
    stellen = len(str(raw["wert"]).replace(",", ".").partition(".")[2])
    erwartet = float(row["zaehler"]) / float(row["nenner"]) * k.faktor
    if abs(erwartet - wert) > 0.5 * 10**-stellen + 1e-9:
        return (
            z,
            "wert",
            raw["wert"],
            f"Wert passt nicht zu Zähler und Nenner: {raw.get('zaehler')} / {raw.get('nenner')}"
            + (f" × {k.faktor:g}" if k.faktor != 1 else "")
            + f" = {erwartet:.6g}, geliefert {raw['wert']}",
        )
    return None


def vergleichswert_passt(parsed: pd.DataFrame, raw: pd.DataFrame) -> list[Befund]:
    """A comparison value fits the catalog: the same Fassung of the definition in its year, a
    share as a fraction, Zähler/Nenner (where given) that give the value."""
    from kennzahlen.catalog.model import load_catalog

    if not {"kennzahl", "jahr", "wert", "katalogversion"} <= set(parsed.columns):
        return []
    ids = {k.id: k for k in load_catalog().kennzahlen}
    out: list[Befund] = []
    rows = parsed.to_dict("records")
    raws = raw.to_dict("records")
    for z, row, roh in zip(parsed.index, rows, raws, strict=True):
        k = ids.get(str(row["kennzahl"]))
        if k is None or pd.isna(row["jahr"]) or pd.isna(row["wert"]):
            continue  # an unknown id or an unreadable number is reported already
        befund = None
        if pd.notna(row["katalogversion"]):
            befund = _vergleich_fassung(
                k, int(row["jahr"]), int(row["katalogversion"]), int(z), roh["katalogversion"]
            )
        befund = befund or _vergleich_wert(k, row, roh, int(z))
        if befund is not None:
            out.append(befund)
    return out


#: how far net spending may differ from gross spending minus income (rounding of the export)
CENT = 0.01


def netto_gleich_brutto_minus_einnahmen(parsed: pd.DataFrame, raw: pd.DataFrame) -> list[Befund]:
    """Net spending is gross spending minus income (Erstattungen, Kostenbeiträge), to the cent."""
    if not {"brutto", "einnahmen", "netto"} <= set(parsed.columns):
        return []
    diff = (parsed["brutto"] - parsed["einnahmen"] - parsed["netto"]).abs()
    bad = (diff > CENT + 1e-9).fillna(False).astype(bool)
    out: list[Befund] = []
    for z in parsed.index[bad]:
        soll = f"{parsed.at[z, 'brutto'] - parsed.at[z, 'einnahmen']:.2f}".replace(".", ",")
        out.append(
            (
                int(z),
                "netto",
                raw.at[z, "netto"],
                f"Netto passt nicht zu brutto − einnahmen: '{raw.at[z, 'netto']}', aber "
                f"{raw.at[z, 'brutto']} − {raw.at[z, 'einnahmen']} = {soll}; bitte den Export "
                "prüfen (Beträge in Euro ohne Tausenderpunkt, Nettoausgaben = Bruttoausgaben − "
                "Einnahmen)",
            )
        )
    return out


REGELN: dict[str, Regel] = {
    "vergleichswert_passt": vergleichswert_passt,
    "netto_gleich_brutto_minus_einnahmen": netto_gleich_brutto_minus_einnahmen,
    "kennzahl_oder_arbeitsfeld": kennzahl_oder_arbeitsfeld,
    "frist_nach_quartalsbeginn": frist_nach_quartalsbeginn,
    "erledigt_mit_datum_und_ergebnis": erledigt_mit_datum_und_ergebnis,
}


def festlegungen(table, parsed: pd.DataFrame, raw: pd.DataFrame) -> list[Befund]:
    """Rows with a code combination the table's structural zeros exclude (``Festlegung``)."""
    out: list[Befund] = []
    for f in table.festlegungen:
        if not {f.spalte, f.folge} <= set(parsed.columns):
            continue
        wenn = parsed[f.spalte].astype("string").isin(f.werte)
        folge = parsed[f.folge].astype("string")
        gueltig = folge.isin(table.column(f.folge).codes)  # an unknown code: reported already
        bad = wenn & gueltig & ~folge.isin(f.erlaubt)
        for z in parsed.index[bad.fillna(False).astype(bool)]:
            out.append(
                (
                    int(z),
                    f.folge,
                    raw.at[z, f.folge],
                    f"Unmögliche Kombination: {f.spalte} '{parsed.at[z, f.spalte]}' mit "
                    f"{f.folge} '{raw.at[z, f.folge]}' (erlaubt: {', '.join(f.erlaubt)}). "
                    f"{f.grund}; bitte den Fall im Fachverfahren prüfen",
                )
            )
    return out


def probleme(table, parsed: pd.DataFrame, raw: pd.DataFrame, datei: str) -> list:
    """The problems of the row rules of ``table`` (``Table.checks``) in one file."""
    from kennzahlen.reading.problems import Problem

    out = [Problem(datei, z, col, w, msg) for z, col, w, msg in festlegungen(table, parsed, raw)]
    for name in table.checks:
        regel = REGELN.get(name)
        if regel is None:
            continue  # e.g. ende_nach_beginn, checked by pandera in kennzahlen.reading.checks
        out += [Problem(datei, z, col, w, msg) for z, col, w, msg in regel(parsed, raw)]
    return out
