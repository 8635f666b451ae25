"""The Ampel rules (Produkt 4) on small hand-built pools, with their edges."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from kennzahlen.ampel import (
    AMPEL_COLUMNS,
    DETAIL_COLUMNS,
    AmpelConfigError,
    ampel_fuer,
    build_ampel,
    check_config,
    load_ampel_config,
    pool_frames,
    raster,
    verlauf,
)
from kennzahlen.catalog.model import load_catalog, validate_catalog
from kennzahlen.core.periods import quartale_range, stichtag, vorquartal
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.pool.zaehlen import POOL_COLUMNS

# ----------------------------------------------------------------------------- a small catalog
CATALOG_RAW = {
    "basiszahlen": {
        "tt": {"tabelle": "teilhabeteam", "regel": "ereignisse"},
        "sb": {"tabelle": "sozialhilfe", "regel": "bestand"},
        "ws": {"tabelle": "wohnraumsicherung", "regel": "ereignisse"},
        "bev": {"tabelle": "bevoelkerung", "regel": "summe"},
    },
    "kennzahlen": [
        {
            "id": "ziel_hoch",
            "titel": "Ziel hoch",
            "periodizitaet": "quartal",
            "einheit": "anteil",
            "zielwert": 0.9,
            "richtung": "hoeher_besser",
            "zaehler": "tt",
            "nenner": "tt",
        },
        {
            "id": "ziel_niedrig",
            "titel": "Ziel niedrig",
            "periodizitaet": "quartal",
            "einheit": "anteil",
            "zielwert": 0.2,
            "richtung": "niedriger_besser",
            "zaehler": "tt",
            "nenner": "tt",
        },
        {
            "id": "ziel_jahr",
            "titel": "Ziel Jahr",
            "periodizitaet": "jahr",
            "einheit": "anteil",
            "zielwert": 0.8,
            "richtung": "hoeher_besser",
            "zaehler": "tt",
            "nenner": "tt",
        },
        {
            "id": "rate",
            "titel": "Rate",
            "periodizitaet": "jahr",
            "einheit": "je_1000",
            "faktor": 1000,
            "zielwert": 5,
            "richtung": "niedriger_besser",
            "zaehler": "ws",
            "nenner": "bev",
        },
        {"id": "bestand", "titel": "Bestand", "periodizitaet": "stichtag_quartal", "zaehler": "sb"},
        {
            "id": "anteil_q",
            "titel": "Anteil Q",
            "periodizitaet": "stichtag_quartal",
            "einheit": "anteil",
            "richtung": "hoeher_besser",
            "zaehler": "sb",
            "nenner": "sb",
        },
        {
            "id": "anzahl_q",
            "titel": "Anzahl Q",
            "periodizitaet": "quartal",
            "richtung": "niedriger_besser",
            "zaehler": "ws",
        },
        {
            "id": "ohne_richtung",
            "titel": "Ohne Richtung",
            "periodizitaet": "quartal",
            "zaehler": "ws",
        },
        {
            "id": "offen",
            "titel": "Offen",
            "periodizitaet": "jahr",
            "status": "noch_nicht_erhoben",
            "grund": "keine Daten",
            "benoetigte_daten": "eine Lieferung",
        },
    ],
}
CATALOG, _problems = validate_catalog(CATALOG_RAW)
assert CATALOG is not None, _problems


def setup(felder: dict, regeln: dict | None = None):
    raw = {"arbeitsfelder": felder}
    if regeln:
        raw["regeln"] = regeln
    result, problems = check_config(raw, CATALOG)
    assert not problems, problems
    return result


def feld(*indikatoren: dict, titel: str = "Jugendhilfe") -> dict:
    return {"titel": titel, "indikatoren": list(indikatoren)}


def row(
    kennzahl: str,
    raum: str,
    periode: str,
    zaehler: float,
    nenner: float | None = None,
    faktor: float = 1,
) -> dict:
    wert = zaehler / nenner * faktor if nenner else float(zaehler)
    ebene = "gesamtstadt" if raum == GESAMTSTADT else "sozialraum"
    return dict(
        kennzahl=kennzahl,
        ebene=ebene,
        raum=raum,
        periode=periode,
        zaehler=zaehler,
        nenner=nenner,
        wert=wert,
    )


def pool(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=POOL_COLUMNS)
    df["nenner"] = df["nenner"].astype("Float64").astype("Int64")
    return df


def run(rows, felder, areas=("West",), quartale=None, schaltungen=None, regeln=None):
    return build_ampel(pool(rows), setup(felder, regeln), schaltungen, list(areas), quartale)


def detail(details: pd.DataFrame, quartal: str, raum: str = "West", kennzahl: str | None = None):
    sel = details[(details["quartal"] == quartal) & (details["sozialraum"] == raum)]
    if kennzahl:
        sel = sel[sel["kennzahl"] == kennzahl]
    assert len(sel) == 1, sel
    return sel.iloc[0]


STICHTAGE = {q: stichtag(q) for q in quartale_range("2019-Q1", "2024-Q4")}


# ----------------------------------------------------------------------------- target rule
def test_target_rule_edges_hoeher_besser():
    """On target: gruen; exactly 5 pp below: gelb; 5.1 pp below: rot; 9 cases: grau."""
    rows = [
        row("ziel_hoch", "West", "2023-Q1", 90, 100),  # exactly the target
        row("ziel_hoch", "West", "2023-Q2", 85, 100),  # exactly 5 pp below
        row("ziel_hoch", "West", "2023-Q3", 849, 1000),  # 5.1 pp below
        row("ziel_hoch", "West", "2023-Q4", 9, 9),  # 100 % of 9 cases
    ]
    ind = {"kennzahl": "ziel_hoch", "regel": "zielwert", "name": "Nahfeld"}
    a, d = run(rows, {"egh": feld(ind)})
    assert list(d["farbe"]) == ["gruen", "gelb", "rot", "grau"]
    assert detail(d, "2023-Q2")["begruendung"] == (
        "Nahfeld im 2. Quartal 2023: 85,0\u00a0%, Zielwert mindestens 90,0\u00a0% um 5,0 "
        "Prozentpunkte verfehlt (höchstens 5,0 Prozentpunkte; nicht sicher verfehlt: "
        "95-%-Intervall 76,7\u00a0% bis 90,7\u00a0%) → gelb"
    )
    assert "mehr als 5,0 Prozentpunkte" in detail(d, "2023-Q3")["begruendung"]
    assert "nur 9 Fälle" in detail(d, "2023-Q4")["begruendung"]
    q2 = detail(d, "2023-Q2")
    assert q2["schwelle_gelb"] == pytest.approx(0.9) and q2["schwelle_rot"] == pytest.approx(0.85)
    assert q2["faelle"] == 100 and q2["vergleichswert"] == pytest.approx(0.9)
    assert list(a["farbe_regel"]) == ["gruen", "gelb", "rot", "grau"]


def test_target_rule_float_edge_and_yearly_value():
    """0.80 - 0.75 is 0.05000000000000004 in floats: still gelb. Yearly: last complete year."""
    rows = [row("ziel_jahr", "West", "2022", 75, 100), row("ziel_jahr", "West", "2023", 80, 100)]
    ind = {"kennzahl": "ziel_jahr", "regel": "zielwert"}
    _, d = run(rows, {"jh": feld(ind)}, quartale=["2023-Q1", "2023-Q3", "2023-Q4"])
    assert detail(d, "2023-Q1")["periode"] == "2022" and detail(d, "2023-Q1")["farbe"] == "gelb"
    assert detail(d, "2023-Q3")["farbe"] == "gelb"  # still 2022
    assert detail(d, "2023-Q4")["periode"] == "2023" and detail(d, "2023-Q4")["farbe"] == "gruen"


def test_target_rule_niedriger_besser_and_own_tolerance():
    """Lower is better: at or below the target gruen; above by up to the tolerance gelb."""
    rows = [
        row("ziel_niedrig", "West", "2023-Q1", 20, 100),
        row("ziel_niedrig", "West", "2023-Q2", 23, 100),
        row("ziel_niedrig", "West", "2023-Q3", 24, 100),
        row("ziel_niedrig", "West", "2023-Q4", 10, 100),
    ]
    ind = {"kennzahl": "ziel_niedrig", "regel": "zielwert", "toleranz_pp": 3}
    _, d = run(rows, {"egh": feld(ind)}, regeln={"zielwert": {"nur_sicher_rot": False}})
    assert list(d["farbe"]) == ["gruen", "gelb", "rot", "gruen"]
    assert "Zielwert höchstens 20,0\u00a0%" in detail(d, "2023-Q2")["begruendung"]
    assert detail(d, "2023-Q2")["schwelle_rot"] == pytest.approx(0.23)


def test_target_rule_for_a_rate_uses_its_own_unit():
    rows = [
        row("rate", "West", "2022", 60, 10_000, 1000),
        row("rate", "West", "2023", 71, 10_000, 1000),
    ]
    ind = {"kennzahl": "rate", "regel": "zielwert", "toleranz": 1}
    _, d = run(rows, {"ws": feld(ind)}, quartale=["2023-Q1", "2023-Q4"])
    assert detail(d, "2023-Q1")["farbe"] == "gelb"  # 6.0 per 1,000: 1.0 above 5 = tolerance
    assert detail(d, "2023-Q4")["farbe"] == "rot"  # 7.1 per 1,000


def test_no_value_is_grau():
    _, d = run(
        [], {"egh": feld({"kennzahl": "ziel_hoch", "regel": "zielwert"})}, quartale=["2023-Q1"]
    )
    assert detail(d, "2023-Q1")["farbe"] == "grau"
    assert "kein Wert" in detail(d, "2023-Q1")["begruendung"]


# ----------------------------------------------------------------------------- stock-rise rule
def _stock(
    raum: str, previous: list[float], current: float, quartal: str = "2023-Q1"
) -> list[dict]:
    qs = quartale_range(vorquartal(quartal, len(previous)), quartal)
    return [
        row("bestand", raum, STICHTAGE[q], v) for q, v in zip(qs, [*previous, current], strict=True)
    ]


AREAS = ("Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen", GESAMTSTADT)


def test_rise_rule_edges():
    """+10 % gruen; just over 10 % gelb; exactly 20 % gelb; just over 20 % rot; a fall gruen."""
    rows = [
        *_stock("Böfingen", [100, 100, 100, 100], 110),  # +10 % exactly (floats: 0.1000000009)
        *_stock("Eselsberg", [100, 100, 100, 100], 111),  # +11 %
        *_stock("Mitte/Ost", [100, 100, 100, 100], 120),  # +20 % exactly
        *_stock("West", [100, 105, 110, 119], 131),  # Ø 108.5, +20.7 %
        *_stock("Wiblingen", [100, 100, 100, 100], 50),  # a fall
        *_stock(GESAMTSTADT, [1000, 1000, 1000, 1000], 1201),  # +20.1 %
    ]
    ind = {"kennzahl": "bestand", "regel": "anstieg", "name": "HzE stationär"}
    _, d = run(rows, {"jh": feld(ind)}, areas=AREAS, quartale=["2023-Q1"])
    farben = d.set_index("sozialraum")["farbe"].to_dict()
    assert farben == {
        "Böfingen": "gruen",
        "Eselsberg": "gelb",
        "Mitte/Ost": "gelb",
        "West": "rot",
        "Wiblingen": "gruen",
        GESAMTSTADT: "rot",
    }
    west = detail(d, "2023-Q1", "West")
    assert west["begruendung"] == (
        "HzE stationär: 131 am 31.03.2023 gegenüber Ø 108,5 der vier Vorquartale (+20,7\u00a0%) → "
        "rot"
    )
    assert west["vergleichswert"] == pytest.approx(108.5)
    assert west["veraenderung"] == pytest.approx(131 / 108.5 - 1)
    assert west["schwelle_gelb"] == pytest.approx(119.35) and west["schwelle_rot"] == pytest.approx(
        130.2
    )
    assert "(−50,0\u00a0%) → grün" in detail(d, "2023-Q1", "Wiblingen")["begruendung"]


def test_rise_rule_needs_four_previous_quarter_ends_and_ten_cases():
    rows = [
        *_stock("West", [100, 100, 100], 150),  # only three previous quarter ends
        *_stock("Wiblingen", [9, 10, 10, 10], 30),  # Ø 9.75 < 10: grau
        *_stock("Eselsberg", [10, 10, 10, 10], 30),  # Ø 10: rated
    ]
    ind = {"kennzahl": "bestand", "regel": "anstieg"}
    _, d = run(
        rows, {"jh": feld(ind)}, areas=("West", "Wiblingen", "Eselsberg"), quartale=["2023-Q1"]
    )
    assert detail(d, "2023-Q1", "West")["farbe"] == "grau"
    assert "keine vier Vorquartale" in detail(d, "2023-Q1", "West")["begruendung"]
    assert detail(d, "2023-Q1", "Wiblingen")["farbe"] == "grau"
    assert (
        "nur 9,8 Fälle im Durchschnitt der vier Vorquartale"
        in detail(d, "2023-Q1", "Wiblingen")["begruendung"]
    )
    assert detail(d, "2023-Q1", "Eselsberg")["farbe"] == "rot"


def test_rise_rule_gap_in_the_previous_quarters_is_grau_and_own_thresholds():
    rows = _stock("West", [100, 100, 100, 100], 104)
    rows = [r for r in rows if r["periode"] != STICHTAGE["2022-Q3"]]  # a missing quarter end
    rows += _stock("Wiblingen", [100, 100, 100, 100], 104)
    ind = {
        "kennzahl": "bestand",
        "regel": "anstieg",
        "gelb_ueber_prozent": 3,
        "rot_ueber_prozent": 4,
    }
    _, d = run(rows, {"jh": feld(ind)}, areas=("West", "Wiblingen"), quartale=["2023-Q1"])
    assert detail(d, "2023-Q1", "West")["farbe"] == "grau"
    assert detail(d, "2023-Q1", "Wiblingen")["farbe"] == "gelb"  # exactly 4 %: not over 4


# ----------------------------------------------------------------------------- SPC rule
#: the SPC rule before issue 30, still switchable in config/ampel.yaml: a baseline of 8, two
#: rules (limit, run), no outlier screening, no provisional limits
ALT = {
    "spc": {
        "basis_perioden": 8,
        "signale": ["grenze", "lauf"],
        "ausreisser_pruefen": False,
        "vorlaeufig_ab": 8,
    }
}
BASIS_Q = quartale_range("2019-Q1", "2020-Q4")
NACH_Q = quartale_range("2021-Q1", "2022-Q4")


def _spc_rows(
    kennzahl: str,
    basis: list[float],
    nach: list[float],
    nenner: float | None = None,
    raum: str = "West",
) -> list[dict]:
    qs = quartale_range("2019-Q1", "2024-Q4")[: len(basis) + len(nach)]
    out = []
    for q, v in zip(qs, [*basis, *nach], strict=True):
        periode = q if kennzahl in ("anzahl_q", "ohne_richtung") else STICHTAGE[q]
        out.append(row(kennzahl, raum, periode, v * nenner if nenner else v, nenner))
    return out


def test_spc_point_beyond_the_upper_limit_is_rot_when_lower_is_better():
    """Baseline 12,10,... : mean 11, mean moving range 2, limits 11 ± 5.32."""
    basis = [12, 10] * 4
    rows = _spc_rows("anzahl_q", basis, [17, 16, 10])
    ind = {"kennzahl": "anzahl_q", "regel": "spc", "name": "Räumungsklagen"}
    _, d = run(
        rows, {"ws": feld(ind)}, quartale=["2020-Q3", "2021-Q1", "2021-Q2", "2021-Q3"], regeln=ALT
    )
    q1 = detail(d, "2021-Q1")
    assert q1["vergleichswert"] == pytest.approx(11)
    assert q1["obere_grenze"] == pytest.approx(11 + 2.66 * 2)
    assert q1["untere_grenze"] == pytest.approx(11 - 2.66 * 2)
    assert q1["farbe"] == "rot" and q1["signal"] == "ueber_grenze"
    assert "über der oberen Kontrollgrenze 16,3" in q1["begruendung"]
    assert "Basis 2019-Q1 bis 2020-Q4" in q1["begruendung"]
    assert detail(d, "2021-Q2")["farbe"] == "gruen"  # 16 is inside
    assert detail(d, "2021-Q3")["farbe"] == "gruen"
    # the baseline is not complete before 2020-Q4: no statement
    assert detail(d, "2020-Q3")["farbe"] == "grau"
    assert "Basis noch unvollständig (7 von 8 Werten)" in detail(d, "2020-Q3")["begruendung"]


def test_spc_limit_exactly_is_no_signal():
    """With grenzfaktor 3 the upper limit is 11 + 3 x 2 = 17 exactly: 17 is no signal, 18 is."""
    rows = _spc_rows("anzahl_q", [12, 10] * 4, [17, 18])
    ind = {"kennzahl": "anzahl_q", "regel": "spc", "grenzfaktor": 3}
    _, d = run(rows, {"ws": feld(ind)}, quartale=["2021-Q1", "2021-Q2"], regeln=ALT)
    assert detail(d, "2021-Q1")["farbe"] == "gruen" and detail(d, "2021-Q1")["signal"] == ""
    assert detail(d, "2021-Q2")["farbe"] == "rot"


def test_spc_richtung_respected_for_a_share():
    """Higher is better: beyond the upper limit is favourable (gruen), below the lower rot."""
    basis = [0.52, 0.50] * 4  # mean 0.51, mR 0.02, limits 0.4568 .. 0.5632
    rows = _spc_rows("anteil_q", basis, [0.57, 0.45, 0.46], nenner=100)
    ind = {"kennzahl": "anteil_q", "regel": "spc", "name": "Anteil ambulant"}
    _, d = run(rows, {"ah": feld(ind)}, quartale=["2021-Q1", "2021-Q2", "2021-Q3"], regeln=ALT)
    assert detail(d, "2021-Q1")["farbe"] == "gruen"
    assert "günstige Entwicklung" in detail(d, "2021-Q1")["begruendung"]
    assert detail(d, "2021-Q2")["farbe"] == "rot"
    assert detail(d, "2021-Q2")["signal"] == "unter_grenze"
    assert detail(d, "2021-Q2")["schwelle_rot"] == pytest.approx(0.51 - 2.66 * 0.02)
    assert detail(d, "2021-Q3")["farbe"] == "gruen"  # 0.46 is inside


def test_spc_run_of_seven_on_the_unfavourable_side_is_gelb_six_is_not():
    basis = [12, 10] * 4  # ends below the mean (10 < 11)
    rows = _spc_rows("anzahl_q", basis, [12] * 8)
    ind = {"kennzahl": "anzahl_q", "regel": "spc"}
    _, d = run(rows, {"ws": feld(ind)}, quartale=NACH_Q, regeln=ALT)
    farben = [detail(d, q)["farbe"] for q in NACH_Q]
    # 2021-Q1 .. 2022-Q2 are points 1..6 above the mean; 2022-Q3 is the 7th
    assert farben == ["gruen"] * 6 + ["gelb", "gelb"]
    assert detail(d, "2022-Q3")["signal"] == "lauf_ueber"
    assert "7 Werte in Folge über dem Mittel 11,0" in detail(d, "2022-Q3")["begruendung"]


def test_spc_favourable_run_is_gruen_and_the_baseline_counts_in_the_run():
    """Lower is better: a run below the mean is favourable. Baseline ends with 10 (below)."""
    basis = [12, 10] * 4
    rows = _spc_rows("anzahl_q", basis, [10] * 6)
    ind = {"kennzahl": "anzahl_q", "regel": "spc"}
    _, d = run(rows, {"ws": feld(ind)}, quartale=NACH_Q[:6], regeln=ALT)
    # 2020-Q4 (baseline, 10) + 2021-Q1..2022-Q2: the run reaches 7 at 2022-Q2
    assert detail(d, "2022-Q2")["signal"] == "lauf_unter"
    assert detail(d, "2022-Q1")["signal"] == ""
    assert set(d["farbe"]) == {"gruen"}


def test_spc_fixed_baseline_by_quarters_and_few_cases():
    basis = [30, 50] + [12, 10] * 4  # the first two are outside an explicit baseline
    rows = _spc_rows("anzahl_q", basis, [17, 5])
    ind = {"kennzahl": "anzahl_q", "regel": "spc", "basis_von": "2019-Q3", "basis_bis": "2021-Q2"}
    _, d = run(rows, {"ws": feld(ind)}, quartale=["2021-Q3", "2021-Q4"], regeln=ALT)
    assert detail(d, "2021-Q3")["vergleichswert"] == pytest.approx(11)
    assert detail(d, "2021-Q3")["farbe"] == "rot"
    assert detail(d, "2021-Q4")["farbe"] == "grau"  # 5 cases < 10


# ----------------------------------------------------------------------------- worst of, switches
def test_arbeitsfeld_shows_its_worst_indicator_grau_only_when_all_grau():
    rows = [
        # West: target gelb, stock gruen -> gelb
        row("ziel_hoch", "West", "2023-Q1", 86, 100),
        *_stock("West", [100, 100, 100, 100], 100),
        # Wiblingen: target grau (few cases), stock rot -> rot
        row("ziel_hoch", "Wiblingen", "2023-Q1", 5, 5),
        *_stock("Wiblingen", [100, 100, 100, 100], 150),
        # Eselsberg: target grau, stock gruen -> gruen
        row("ziel_hoch", "Eselsberg", "2023-Q1", 5, 5),
        *_stock("Eselsberg", [100, 100, 100, 100], 90),
        # Böfingen: both grau
        row("ziel_hoch", "Böfingen", "2023-Q1", 5, 5),
    ]
    felder = {
        "egh": feld(
            {"kennzahl": "ziel_hoch", "regel": "zielwert", "name": "Nahfeld"},
            {"kennzahl": "bestand", "regel": "anstieg", "name": "Bestand"},
            titel="Eingliederungshilfe",
        )
    }
    a, d = run(
        rows, felder, areas=("Böfingen", "Eselsberg", "West", "Wiblingen"), quartale=["2023-Q1"]
    )
    got = a.set_index("sozialraum")["farbe_regel"].to_dict()
    assert got == {"Böfingen": "grau", "Eselsberg": "gruen", "West": "gelb", "Wiblingen": "rot"}
    west = a[a["sozialraum"] == "West"].iloc[0]
    assert west["begruendung"].startswith("Nahfeld im 1. Quartal 2023: 86,0\u00a0%")
    assert "Bestand" not in west["begruendung"]  # only the worst indicator explains the light
    assert west["indikatoren"] == 2 and west["arbeitsfeld_titel"] == "Eingliederungshilfe"
    assert a.loc[a["sozialraum"] == "Böfingen", "begruendung"].iloc[0].count("→ grau") == 2
    assert len(d) == 8


def _schaltung(quartal, raum, feld_, farbe, text, am="2023-04-20", stand="2023-04-25"):
    return dict(
        quartal=quartal,
        sozialraum=raum,
        arbeitsfeld=feld_,
        farbe=farbe,
        begruendung=text,
        geschaltet_am=pd.Timestamp(am),
        stand=pd.Timestamp(stand),
        datei="x.csv",
    )


def test_manual_switch_wins_and_keeps_the_rule():
    rows = [
        *_stock("West", [100, 100, 100, 100], 150),
        *_stock("Wiblingen", [100, 100, 100, 100], 100),
    ]
    sw = pd.DataFrame(
        [
            _schaltung("2023-Q1", "West", "jh", "gelb", "Zwei Geschwistergruppen aufgenommen"),
            _schaltung(
                "2023-Q1", "West", "jh", "gruen", "Korrektur: Nacherfassung", am="2023-04-28"
            ),
            _schaltung("2023-Q1", "Wiblingen", "egh", "rot", "gilt für ein anderes Arbeitsfeld"),
            _schaltung("2022-Q4", "Wiblingen", "jh", "rot", "anderes Quartal"),
        ]
    )
    ind = {"kennzahl": "bestand", "regel": "anstieg", "name": "HzE stationär"}
    a, _ = run(
        rows, {"jh": feld(ind)}, areas=("West", "Wiblingen"), quartale=["2023-Q1"], schaltungen=sw
    )
    west = a[a["sozialraum"] == "West"].iloc[0]
    assert west["farbe"] == "gruen" and west["farbe_regel"] == "rot"  # the later switch wins
    assert west["begruendung"] == "Korrektur: Nacherfassung"
    assert west["begruendung_regel"].startswith("HzE stationär: 150 am 31.03.2023")
    assert bool(west["manuell"]) and west["geschaltet_am"] == pd.Timestamp("2023-04-28")
    wib = a[a["sozialraum"] == "Wiblingen"].iloc[0]
    assert wib["farbe"] == wib["farbe_regel"] == "gruen" and not wib["manuell"]
    assert pd.isna(wib["geschaltet_am"]) and wib["begruendung"] == wib["begruendung_regel"]


def test_frames_have_the_contract_columns_and_dtypes():
    rows = _stock("West", [100, 100, 100, 100], 100)
    a, d = run(
        rows, {"jh": feld({"kennzahl": "bestand", "regel": "anstieg"})}, areas=("West", GESAMTSTADT)
    )
    assert list(a.columns) == AMPEL_COLUMNS and list(d.columns) == DETAIL_COLUMNS
    assert {"quartal", "sozialraum", "arbeitsfeld", "farbe_regel", "farbe", "begruendung"} <= set(
        a.columns
    )
    assert list(a["quartal"].unique()) == quartale_range("2022-Q1", "2023-Q1")  # from the pool
    assert set(a["farbe"]) <= {"grau", "gruen", "gelb", "rot"}
    assert a["stichtag"].dtype == "datetime64[ns]" and a["manuell"].dtype == bool
    assert list(a["sozialraum"].unique()) == ["West", GESAMTSTADT]
    empty_a, empty_d = run([], {"jh": feld({"kennzahl": "bestand", "regel": "anstieg"})})
    assert empty_a.empty and list(empty_a.columns) == AMPEL_COLUMNS and empty_d.empty


# ----------------------------------------------------------------------------- pool + notebook API
def test_pool_frames_with_the_project_configuration():
    catalog = load_catalog()
    rows = []
    for area in ("Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen", GESAMTSTADT):
        for q, v in zip(
            quartale_range("2022-Q1", "2023-Q1"), [100, 100, 100, 100, 125], strict=True
        ):
            rows.append(row("jh_hze_stationaer", area, STICHTAGE[q], v))
    sw = pd.DataFrame([_schaltung("2023-Q1", "West", "jh", "gelb", "bekannt, Fallkonferenz")])
    raw = SimpleNamespace(tables={"ampel_schaltungen": sw})
    frames = pool_frames(pool(rows), raw, catalog)
    a, d = frames["ampel"], frames["ampel_details"]
    last = ampel_fuer(frames, "2023-Q1")
    assert set(last["arbeitsfeld"]) == {"jh", "egh", "ah", "es", "ws"}
    assert len(last) == 6 * 5
    jh = ampel_fuer(frames, "2023-Q1", "Wiblingen").set_index("arbeitsfeld")
    assert jh.loc["jh", "farbe"] == "rot" and jh.loc["egh", "farbe"] == "grau"
    west = ampel_fuer(a, "2023-Q1", "West").set_index("arbeitsfeld")
    assert west.loc["jh", "farbe"] == "gelb" and west.loc["jh", "farbe_regel"] == "rot"
    det = ampel_fuer(frames, "2023-Q1", "West", details=True)
    assert set(det["regel"]) == {"zielwert", "anstieg", "spc"}
    grid = raster(last)
    assert (
        list(grid.columns) == ["jh", "egh", "ah", "es", "ws"] and grid.loc["West", "jh"] == "gelb"
    )
    hist = verlauf(frames, "Wiblingen", anzahl=2)
    assert list(hist.columns) == ["2022-Q4", "2023-Q1"] and hist.loc["jh", "2023-Q1"] == "rot"
    with pytest.raises(ValueError, match="JJJJ-Qn"):
        ampel_fuer(frames, "2023/1")
    assert len(d) == len(a) / 5 * 11  # 11 indicators in config/ampel.yaml


def test_pool_frames_without_configuration_is_empty(tmp_path: Path):
    assert pool_frames(pool([]), None, load_catalog(), config=tmp_path / "ampel.yaml") == {}


# ----------------------------------------------------------------------------- config validation
def test_project_ampel_yaml_is_valid():
    result = load_ampel_config()
    assert result.arbeitsfelder == ["jh", "egh", "ah", "es", "ws"]
    regeln = {p.regel for p in result.indikatoren}
    assert regeln == {"zielwert", "anstieg", "spc"}
    p = next(p for p in result.indikatoren if p.kennzahl.id == "jh_hze_stationaer")
    assert (p.vorquartale, p.gelb_ueber_prozent, p.rot_ueber_prozent, p.min_faelle) == (
        4,
        10,
        20,
        10,
    )


def problems_of(raw: dict) -> list[str]:
    result, problems = check_config(raw, CATALOG)
    assert result is None
    return problems


@pytest.mark.parametrize(
    ("indikator", "message"),
    [
        (
            {"kennzahl": "gibt_es_nicht", "regel": "anstieg"},
            "Kennzahl 'gibt_es_nicht' steht nicht im Katalog",
        ),
        ({"kennzahl": "offen", "regel": "anstieg"}, "Kennzahl 'offen' ist noch nicht erhoben"),
        (
            {"kennzahl": "bestand", "regel": "zielwert"},
            "Kennzahl 'bestand' hat im Katalog keinen zielwert",
        ),
        ({"kennzahl": "rate", "regel": "zielwert"}, "eine toleranz in ihrer Einheit angeben"),
        (
            {"kennzahl": "anteil_q", "regel": "anstieg"},
            "Regel anstieg: nur für Bestände am Quartalsende",
        ),
        ({"kennzahl": "ohne_richtung", "regel": "spc"}, "Regel spc braucht eine richtung"),
        (
            {"kennzahl": "bestand", "regel": "anstieg", "gelb_ueber_prozent": 30},
            "rot_ueber_prozent (20) muss mindestens gelb_ueber_prozent (30) sein",
        ),
        (
            {"kennzahl": "anzahl_q", "regel": "spc", "basis_von": "2019/1", "basis_bis": "2020-Q4"},
            "basis_von '2019/1' ist kein Quartal",
        ),
        (
            {"kennzahl": "anzahl_q", "regel": "spc", "basis_von": "2019-Q1"},
            "basis_von und basis_bis nur zusammen",
        ),
        ({"kennzahl": "bestand", "regel": "ampel"}, "regel: Wert 'ampel' nicht erlaubt"),
        ({"kennzahl": "bestand", "regel": "anstieg", "schwelle": 3}, "schwelle: unbekanntes Feld"),
        (
            {"kennzahl": "bestand", "regel": "anstieg", "min_faelle": -1},
            "min_faelle: Wert -1 muss >= 0 sein",
        ),
    ],
)
def test_indicator_validation_errors(indikator: dict, message: str):
    problems = problems_of({"arbeitsfelder": {"jh": feld(indikator)}})
    assert any(message in p for p in problems), problems
    assert all(p.startswith("arbeitsfelder.jh.indikatoren.1") for p in problems), problems


def test_config_validation_errors_outside_indicators():
    assert (
        "Arbeitsfeld 'xx' unbekannt"
        in problems_of(
            {"arbeitsfelder": {"xx": feld({"kennzahl": "bestand", "regel": "anstieg"})}}
        )[0]
    )
    p = problems_of(
        {
            "arbeitsfelder": {"jh": feld({"kennzahl": "bestand", "regel": "anstieg"})},
            "regeln": {"anstieg": {"gelb_ueber_prozent": 25}},
        }
    )
    assert "rot_ueber_prozent (20) muss mindestens gelb_ueber_prozent (25)" in p[0]
    p = problems_of({"arbeitsfelder": {"jh": {"titel": "JH", "indikatoren": []}}})
    assert p[0].startswith("arbeitsfelder.jh.indikatoren")
    assert problems_of({"regeln": {}})[0].startswith("arbeitsfelder: Pflichtfeld fehlt")
    # type: ignore[arg-type]
    assert problems_of([])[0] == "erwartet die Abschnitte 'regeln' und 'arbeitsfelder'"


def test_load_ampel_config_names_the_file_and_every_problem(tmp_path: Path):
    bad = tmp_path / "ampel.yaml"
    bad.write_text(
        "arbeitsfelder:\n  jh:\n    titel: JH\n    indikatoren:\n"
        "      - {kennzahl: jh_hze_stationaer, regel: spc}\n"
        "      - {kennzahl: nix, regel: anstieg}\n",
        encoding="utf-8",
    )
    with pytest.raises(AmpelConfigError) as err:
        load_ampel_config(bad, load_catalog())
    msg = str(err.value)
    assert msg.startswith(f"{bad}: die Ampel-Konfiguration ist ungültig (2 Problem(e))")
    assert (
        "arbeitsfelder.jh.indikatoren.1 (jh_hze_stationaer): Regel spc braucht eine richtung" in msg
    )
    assert "arbeitsfelder.jh.indikatoren.2 (nix): Kennzahl 'nix' steht nicht im Katalog" in msg
    bad.write_text("arbeitsfelder: [unclosed\n", encoding="utf-8")
    with pytest.raises(AmpelConfigError, match="kein gültiges YAML"):
        load_ampel_config(bad, load_catalog())
    with pytest.raises(AmpelConfigError, match="fehlt"):
        load_ampel_config(tmp_path / "nicht_da.yaml", load_catalog())
