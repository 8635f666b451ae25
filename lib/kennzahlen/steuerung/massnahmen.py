"""Maßnahmen zu Ampeln (GD 072/23: "Welche Folgen ergeben sich, wenn die Ampel auf Rot steht?").

A measure (table ``massnahmen``) answers a red or yellow light of a quarter in one area and
Arbeitsfeld, with a role responsible, a deadline, its status and result. Counted as of a
quarter's Stichtag S (so an old report stays right when a later export closes a measure):

- *begun*: its quarter is on or before the report's quarter;
- *open at S*: begun, and not finished on or before S (status offen, or erledigt_am after S);
- *overdue at S*: open at S and its frist lies before S;
- a red light of the quarter is *covered* when a measure of its area and Arbeitsfeld was begun
  in that quarter, or begun earlier and still open at S.
"""

from __future__ import annotations

import pandas as pd

from kennzahlen.core import fmt, periods

STATUS_UEBERFAELLIG = "überfällig"


def stichtag(quartal: str) -> pd.Timestamp:
    """The quarter-end Stichtag of 'YYYY-Qn'."""
    return periods.quartal_ende(quartal)


def gefuehrt(m: pd.DataFrame, quartal: str) -> bool:
    """Whether the measures list covers a quarter (it starts with its earliest measure's quarter):
    before that, "no measure" would only mean "no list yet"."""
    return bool(len(m)) and str(m["quartal"].min()) <= quartal


def begonnen(m: pd.DataFrame, quartal: str) -> pd.DataFrame:
    """The measures begun by the quarter (its quarter on or before ``quartal``)."""
    return m[m["quartal"] <= quartal]


def offen_am(m: pd.DataFrame, tag: pd.Timestamp) -> pd.Series:
    """Which measures were still open on a day (not finished on or before it)."""
    ende = pd.to_datetime(m["erledigt_am"])
    return (m["status"] == "offen") | ende.isna() | (ende > tag)


def ueberfaellig_am(m: pd.DataFrame, tag: pd.Timestamp) -> pd.Series:
    """Which measures were open on a day although their deadline lay before it."""
    return offen_am(m, tag) & (pd.to_datetime(m["frist"]) < tag)


def lage(m: pd.DataFrame, quartal: str) -> pd.DataFrame:
    """The measures that matter for a quarter's report: open at its Stichtag (overdue marked),
    or finished within the quarter; with ``offen``, ``ueberfaellig`` and ``erledigt_im_quartal``."""
    s = stichtag(quartal)
    beginn = periods.quartal_beginn(quartal)
    b = begonnen(m, quartal).copy()
    ende = pd.to_datetime(b["erledigt_am"])
    b["offen"] = offen_am(b, s)
    b["ueberfaellig"] = ueberfaellig_am(b, s)
    b["erledigt_im_quartal"] = ~b["offen"] & (ende >= beginn) & (ende <= s)
    return b[b["offen"] | b["erledigt_im_quartal"]].sort_values(
        ["ueberfaellig", "offen", "frist"], ascending=[False, False, True], kind="stable"
    )


def rot_ohne_massnahme(lichter: pd.DataFrame, m: pd.DataFrame, quartal: str) -> pd.DataFrame:
    """The red lights of the quarter that no measure covers (see the module docstring)."""
    rot = lichter[(lichter["quartal"] == quartal) & (lichter["farbe"] == "rot")]
    b = begonnen(m, quartal)
    deckt = b[(b["quartal"] == quartal) | offen_am(b, stichtag(quartal))]
    gedeckt = set(zip(deckt["sozialraum"], deckt["arbeitsfeld"], strict=True))
    keys = zip(rot["sozialraum"], rot["arbeitsfeld"], strict=True)
    return rot[pd.Series([k not in gedeckt for k in keys], index=rot.index, dtype=bool)]


def verlauf(ampel: pd.DataFrame, sozialraum: str, arbeitsfeld: str, von: str, bis: str) -> list:
    """The light's course since a measure began: [(quartal, farbe)] from ``von`` to ``bis``."""
    rows = ampel[
        (ampel["sozialraum"] == sozialraum)
        & (ampel["arbeitsfeld"] == arbeitsfeld)
        & (ampel["quartal"] >= von)
        & (ampel["quartal"] <= bis)
    ].sort_values("quartal")
    return list(zip(rows["quartal"], rows["farbe"], strict=True))


def status_text(row, quartal: str, ergebnis: bool = True) -> str:
    """'überfällig (Frist 30.11.2023)', 'offen (Frist 31.03.2024)' or 'erledigt am …: result'
    (without ``ergebnis``: the result, free text, left out)."""
    if row["ueberfaellig"]:
        return f"{STATUS_UEBERFAELLIG} (Frist {fmt.datum(row['frist'])})"
    if row["offen"]:
        return f"offen (Frist {fmt.datum(row['frist'])})"
    erledigt = f"erledigt am {fmt.datum(row['erledigt_am'])}"
    return f"{erledigt}: {row['ergebnis']}" if ergebnis else erledigt


def anlass_text(row) -> str:
    """'rot im 3. Quartal 2023'."""
    return f"{row['anlass']} im {fmt.periode(row['quartal'])}"
