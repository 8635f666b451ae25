"""The steering loop, computed by hand: notable changes and their explanations (Produkt 2),
measures for red lights (Produkt 4): open, overdue, covered, the light's course."""

from __future__ import annotations

import pandas as pd

from kennzahlen.catalog.steuerung import Auffaellig
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.steuerung import erlaeuterungen as erl
from kennzahlen.steuerung import massnahmen as mn

CFG = Auffaellig(vorquartal_prozent=10, vorjahr_prozent=20, mindestens_faelle=10)


def rows(kennzahl: str, raum: str, werte: dict[str, float]) -> list[dict]:
    return [
        {"kennzahl": kennzahl, "ebene": "sozialraum", "raum": raum, "periode": p, "wert": w}
        for p, w in werte.items()
    ]


def daten() -> pd.DataFrame:
    q4, q3, vj = "2023-12-31", "2023-09-30", "2022-12-31"
    return pd.DataFrame(
        # +11 (+12,4 %) to the quarter before: notable; +9 (+9,9 %) to the year before: not
        rows("jh_hze_ambulant", "West", {q4: 100, q3: 89, vj: 91})
        # +10 cases, +200 % to the year before: notable; +9 (+180 %) would be too few cases
        + rows("jh_uma_gesamt", "West", {q4: 15, q3: 14, vj: 5})
        + rows("jh_uma_gesamt", "Böfingen", {q4: 14, q3: 14, vj: 5})
        # year to date: a fall from Q3 to Q4 is no comparison at all; +25 % to the year before is
        + rows("jh_hilfen_vor_dem_fall", "West", {q4: 1000, q3: 2000, vj: 800})
        # -21 % to the year before, but only 9 cases fewer: not notable
        + rows("ah_fallmanagement", "Wiblingen", {q4: 34, q3: 34, vj: 43})
        # no value for the quarter: nothing to say
        + rows("egh_wfbm", "West", {q3: 50, vj: 10})
    )


def test_notable_changes_by_hand() -> None:
    ids = [
        "jh_hze_ambulant",
        "jh_uma_gesamt",
        "jh_hilfen_vor_dem_fall",
        "ah_fallmanagement",
        "egh_wfbm",
    ]
    a = erl.auffaellige(daten(), "2023-Q4", ids, CFG)
    got = {(r.raum, r.kennzahl): r.grund.replace("\xa0", " ") for r in a.itertuples()}
    assert got == {
        ("West", "jh_hze_ambulant"): "+12,4 % zum Vorquartal",
        ("West", "jh_uma_gesamt"): "+200,0 % zum Vorjahresquartal",
        ("West", "jh_hilfen_vor_dem_fall"): "+25,0 % zum Vorjahresquartal",
    }


def test_threshold_rule_edges() -> None:
    assert not erl.ist_auffaellig(110, 100, 10, 10)  # exactly 10 %: not beyond
    assert erl.ist_auffaellig(111, 100, 10, 10)
    assert erl.ist_auffaellig(10, 0, 10, 10)  # from 0: any rise of enough cases
    assert not erl.ist_auffaellig(9, 0, 10, 10)
    assert not erl.ist_auffaellig(5, float("nan"), 10, 1)


def erlaeuterungen() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quartal": ["2023-Q4", "2023-Q4", "2023-Q4", "2023-Q3"],
            "sozialraum": ["West", "West", GESAMTSTADT, "West"],
            "kennzahl": ["jh_uma_gesamt", None, "jh_uma_gesamt", "jh_hze_ambulant"],
            "arbeitsfeld": [None, "jh", None, None],
            "text": ["Clearingstelle", "Zwei Geschwistergruppen", "Landesweit mehr UMA", "alt"],
            "rolle": ["Sozialraumteamleitung"] * 4,
            "datum": pd.to_datetime(["2024-01-15"] * 3 + ["2023-10-15"]),
        }
    )


def test_an_explanation_belongs_to_its_kennzahl_or_arbeitsfeld_area_and_quarter() -> None:
    e = erlaeuterungen()
    # West's UMA: its own explanation, then the Arbeitsfeld's (jh)
    assert erl.fuer(e, "2023-Q4", "West", "jh_uma_gesamt") == [
        "Clearingstelle (Sozialraumteamleitung, 15.01.2024)",
        "Zwei Geschwistergruppen (Sozialraumteamleitung, 15.01.2024)",
    ]
    # ambulant HzE: only the Arbeitsfeld's (the Kennzahl's own is of 2023-Q3)
    assert erl.fuer(e, "2023-Q4", "West", "jh_hze_ambulant") == [
        "Zwei Geschwistergruppen (Sozialraumteamleitung, 15.01.2024)"
    ]
    assert erl.fuer(e, "2023-Q4", "Böfingen", "jh_uma_gesamt") == []  # another area
    assert erl.fuer(e, "2023-Q4", "West", "ah_fallmanagement") == []  # another Arbeitsfeld
    assert erl.fuer(e, "2023-Q4", GESAMTSTADT, "jh_uma_gesamt") == [
        "Landesweit mehr UMA (Sozialraumteamleitung, 15.01.2024)"
    ]


# ------------------------------------------------------------------------------------ measures
def massnahmen() -> pd.DataFrame:
    cols = [
        "massnahme_id",
        "quartal",
        "sozialraum",
        "arbeitsfeld",
        "anlass",
        "frist",
        "status",
        "erledigt_am",
    ]
    data = [
        # open since 2023-Q3, deadline 30.11.2023: overdue on 31.12.2023, not yet on 30.09.2023
        ("A", "2023-Q3", "West", "ah", "rot", "2023-11-30", "offen", None),
        # finished on 05.12.2023: open on 30.09.2023, finished within 2023-Q4
        ("B", "2023-Q3", "Böfingen", "ws", "gelb", "2023-12-15", "erledigt", "2023-12-05"),
        # decided in 2024: not begun in 2023-Q4
        ("C", "2024-Q1", "Wiblingen", "jh", "rot", "2024-03-31", "offen", None),
        # finished long before: not in the report of 2023-Q4, and covers no light of 2023-Q4
        ("D", "2022-Q4", "Wiblingen", "jh", "rot", "2023-03-31", "erledigt", "2023-02-01"),
    ]
    m = pd.DataFrame(data, columns=cols)
    for c in ("frist", "erledigt_am"):
        m[c] = pd.to_datetime(m[c])
    return m


def ampel() -> pd.DataFrame:
    data = [
        ("2023-Q3", "West", "ah", "rot"),
        ("2023-Q4", "West", "ah", "rot"),
        ("2023-Q3", "Wiblingen", "jh", "gelb"),
        ("2023-Q4", "Wiblingen", "jh", "rot"),
        ("2023-Q4", "Böfingen", "ws", "rot"),
        ("2023-Q4", "Eselsberg", "es", "gelb"),
    ]
    return pd.DataFrame(data, columns=["quartal", "sozialraum", "arbeitsfeld", "farbe"])


def test_open_overdue_and_finished_as_of_the_stichtag() -> None:
    lage = mn.lage(massnahmen(), "2023-Q4").set_index("massnahme_id")
    assert list(lage.index) == ["A", "B"]  # overdue first; C not begun, D finished earlier
    assert lage.loc["A", ["offen", "ueberfaellig", "erledigt_im_quartal"]].tolist() == [
        True,
        True,
        False,
    ]
    assert lage.loc["B", ["offen", "ueberfaellig", "erledigt_im_quartal"]].tolist() == [
        False,
        False,
        True,
    ]
    # the report of 2023-Q3 (a later export closed B): both still open, none overdue
    q3 = mn.lage(massnahmen(), "2023-Q3").set_index("massnahme_id")
    assert q3["offen"].all() and not q3["ueberfaellig"].any()
    assert mn.status_text(lage.loc["A"], "2023-Q4") == "überfällig (Frist 30.11.2023)"


def test_red_lights_without_a_measure() -> None:
    rot = mn.rot_ohne_massnahme(ampel(), massnahmen(), "2023-Q4")
    # West ah: covered by A (still open). Wiblingen jh: D was finished in February, C is of 2024.
    # Böfingen ws: B was finished in the quarter and is of 2023-Q3 -> the red light has none.
    assert sorted(zip(rot["sozialraum"], rot["arbeitsfeld"], strict=True)) == [
        ("Böfingen", "ws"),
        ("Wiblingen", "jh"),
    ]
    # in 2023-Q3 West's red light was covered by A, decided in that quarter
    assert mn.rot_ohne_massnahme(ampel(), massnahmen(), "2023-Q3").empty


def test_the_lights_course_since_a_measure_began() -> None:
    assert mn.verlauf(ampel(), "West", "ah", "2023-Q3", "2023-Q4") == [
        ("2023-Q3", "rot"),
        ("2023-Q4", "rot"),
    ]
