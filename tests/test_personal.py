"""Personalbemessung und Fallverteilung (kennzahlen.steuerung.personal), computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from kennzahlen.catalog.steuerung import SteuerungConfig, check
from kennzahlen.steuerung.personal import bemessung, stellen_stichtag

SR = ["Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen", "ohne Zuordnung"]


def pool_rows(kennzahl: str, periode: str, werte: list[float]) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "kennzahl": kennzahl,
            "ebene": "sozialraum",
            "raum": SR,
            "periode": periode,
            "zaehler": werte,
            "nenner": pd.NA,
            "wert": [float(w) for w in werte],
        }
    )
    total = rows.iloc[:1].assign(ebene="gesamtstadt", raum="Gesamtstadt", wert=float(sum(werte)))
    return pd.concat([rows, total], ignore_index=True)


def staff(stichtag: str, werte: dict[str, float], dienst: str = "SD-F") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stichtag": pd.Timestamp(stichtag),
            "sozialraum": list(werte),
            "dienst": dienst,
            "vzae": list(werte.values()),
        }
    )


CFG = SteuerungConfig.model_validate(
    {
        "personalbemessung": {
            "dienste": {
                "SD-F": {
                    "titel": "SD-F",
                    "fallgewichte": {"jh_hze_ambulant": 1.0, "jh_hilfen_vor_dem_fall_quartal": 0.5},
                }
            }
        }
    }
)


@pytest.fixture
def daten() -> pd.DataFrame:
    return pd.concat(
        [
            # a stock on the Stichtag, and events in the quarter; other periods must not count
            pool_rows("jh_hze_ambulant", "2023-12-31", [10, 20, 30, 40, 0, 5]),
            pool_rows("jh_hze_ambulant", "2023-09-30", [99, 99, 99, 99, 99, 99]),
            pool_rows("jh_hilfen_vor_dem_fall_quartal", "2023-Q4", [20, 0, 20, 40, 20, 4]),
            pool_rows("jh_hilfen_vor_dem_fall_quartal", "2023-Q3", [99, 99, 99, 99, 99, 99]),
        ],
        ignore_index=True,
    )


@pytest.fixture
def personal() -> pd.DataFrame:
    return pd.concat(
        [
            staff("2023-06-30", dict.fromkeys(SR[:5], 9.0)),  # older list: not used
            staff(
                "2023-12-31",
                {
                    "Böfingen": 1.0,
                    "Eselsberg": 1.0,
                    "Mitte/Ost": 1.0,
                    "West": 2.0,
                    "Wiblingen": 1.0,
                    "ohne Zuordnung": 0.5,
                },
            ),
            staff("2024-03-31", dict.fromkeys(SR[:5], 7.0)),  # after the quarter: not used
        ],
        ignore_index=True,
    )


def test_fallverteilung_by_hand(daten, personal) -> None:
    # weighted cases: Böfingen 10 + 0.5*20 = 20, Eselsberg 20, Mitte/Ost 30 + 10 = 40,
    # West 40 + 20 = 60, Wiblingen 0 + 10 = 10: 150 in the Sozialräume (ohne Zuordnung 5 + 2 = 7
    # is not shared). Staff in the Sozialräume: 6 VZÄ. Soll = 6 x G / 150.
    b = bemessung(daten, personal, "2023-Q4", CFG)
    assert b.personal_stichtag == pd.Timestamp("2023-12-31")
    t = b.tabelle.set_index("raum")
    assert t["faelle"].to_dict() == {
        "Böfingen": 30,
        "Eselsberg": 20,
        "Mitte/Ost": 50,
        "West": 80,
        "Wiblingen": 20,
        "ohne Zuordnung": 9,
        "Gesamtstadt": 209,
    }
    assert t.loc[SR[:5], "gewichtet"].tolist() == [20, 20, 40, 60, 10]
    assert t.loc["ohne Zuordnung", "gewichtet"] == 7
    assert t.loc[SR[:5], "vzae_soll"].round(9).tolist() == [0.8, 0.8, 1.6, 2.4, 0.4]
    assert t.loc[SR[:5], "differenz"].round(9).tolist() == [0.2, 0.2, -0.6, -0.4, 0.6]
    assert abs(t.loc[SR[:5], "differenz"].sum()) < 1e-12
    assert pd.isna(t.loc["ohne Zuordnung", "vzae_soll"])  # central staff: shown, not shared
    assert t.loc["ohne Zuordnung", "vzae_ist"] == 0.5
    assert t.loc["ohne Zuordnung", "faelle_je_vzae"] == 18  # 9 cases / 0.5 VZÄ
    assert t.loc["West", "faelle_je_vzae"] == 40
    assert t.loc["Gesamtstadt", "vzae_ist"] == 6.5
    assert t.loc["Gesamtstadt", "vzae_soll"] == 6.0
    assert t.loc["Gesamtstadt", "faelle_je_vzae"] == pytest.approx(209 / 6.5)


def test_staff_list_latest_on_or_before_the_quarter_end(personal) -> None:
    assert stellen_stichtag(personal, "2023-Q3") == pd.Timestamp("2023-06-30")
    assert stellen_stichtag(personal, "2024-Q1") == pd.Timestamp("2024-03-31")
    assert stellen_stichtag(personal, "2023-Q1") is None


def test_service_without_staff_list_or_cases(daten, personal) -> None:
    b = bemessung(daten, personal.iloc[0:0], "2023-Q4", CFG)
    assert b.personal_stichtag is None
    assert b.tabelle["vzae_ist"].isna().all() and b.tabelle["vzae_soll"].isna().all()
    # the pool lacks the events of 2024-Q1: the service is left out and named, never half-weighted
    b = bemessung(daten, personal, "2024-Q1", CFG)
    assert b.tabelle.empty
    assert b.fehlend == {"SD-F": ["jh_hze_ambulant", "jh_hilfen_vor_dem_fall_quartal"]}


def test_config_checks_case_weights_against_the_catalog() -> None:
    from kennzahlen.catalog.model import load_catalog

    raw = {
        "rollen": ["Sozialraumteamleitung", " sozialraumteamleitung "],
        "personalbemessung": {"dienste": {"X": {"titel": "X", "fallgewichte": {"a": 1}}}},
    }
    cfg, problems = check(raw, load_catalog())
    assert cfg is None and "rollen: ' sozialraumteamleitung ' steht doppelt" in problems[0]
    raw["rollen"] = ["Sozialraumteamleitung"]
    raw["personalbemessung"]["dienste"]["X"]["fallgewichte"] = {
        "nope": 1,
        "jh_z3_anteil_ambulant": 1,
        "jh_hze_stationaer": 0,
    }
    cfg, problems = check(raw, load_catalog())
    assert cfg is None
    assert problems == [
        "personalbemessung.dienste.X: Fallgewichte müssen größer als 0 sein (jh_hze_stationaer = 0)"
    ]
    raw["personalbemessung"]["dienste"]["X"]["fallgewichte"]["jh_hze_stationaer"] = 1.5
    cfg, problems = check(raw, load_catalog())
    assert problems == [
        "personalbemessung.dienste.X.fallgewichte.nope: Kennzahl 'nope' steht nicht im Katalog",
        "personalbemessung.dienste.X.fallgewichte.jh_z3_anteil_ambulant: ein Fallgewicht braucht "
        "eine erhobene Fallzahl ohne Nenner, als Bestand am Quartalsende oder Zahl im Quartal "
        "(periodizitaet stichtag_quartal oder quartal); 'jh_z3_anteil_ambulant' ist stichtag_jahr "
        "mit Nenner",
    ]
