"""The products' key messages, statements and tables on small hand-made frames.

Every expected sentence and cell below is written out by hand from the few numbers in the frame
(German format: thousands '.', decimals ',', a no-break space before '%').
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from kennzahlen.catalog.model import Kennzahl
from kennzahlen.core.fmt import NBSP
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.pool.zaehlen import POOL_COLUMNS
from kennzahlen.products import wirkung
from kennzahlen.products.ampelbericht import bericht as p4
from kennzahlen.products.quartalsmeldung import bericht as qm
from kennzahlen.products.sozialstruktur import bericht as p1

P = NBSP + "%"  # '40,0 %' with the no-break space


def pool(rows: list[tuple[str, str, str, str, float]]) -> pd.DataFrame:
    """Pool rows (kennzahl, ebene, raum, periode, wert); Zähler and Nenner are not needed here."""
    df = pd.DataFrame(rows, columns=["kennzahl", "ebene", "raum", "periode", "wert"])
    df["zaehler"] = df["wert"]
    df["nenner"] = math.nan
    return df[POOL_COLUMNS]


# ----------------------------------------------------------------------- Produkt 2: Quartalsmeldung
#: the six main case numbers in West: 31.12.2023 and 31.12.2022
P2_WERTE = {
    "jh_hze_gesamt": (110, 100),  # +10,0 %
    "egh_eigener_wohnraum": (50, 50),  # ±0,0 %
    "es_gsi_gesamt": (200, 250),  # −20,0 %
    "ah_hzp_gesamt": (30, 20),  # +50,0 %
    "sgb2_leistungsberechtigte": (1000, 1010),  # −0,99 % -> −1,0 %
    "asylblg_leistungsberechtigte": (40, 50),  # −20,0 %
}


def p2_pool(vorjahr: bool = True) -> pd.DataFrame:
    rows = []
    for k, (jetzt, vor) in P2_WERTE.items():
        rows.append((k, "sozialraum", "West", "2023-12-31", jetzt))
        if vorjahr:
            rows.append((k, "sozialraum", "West", "2022-12-31", vor))
    return pool(rows)


def test_p2_key_messages_order_the_changes_by_size():
    assert qm.kernaussagen(p2_pool(), "2023-Q4", "West") == [
        "Fallzahlen im Sozialraum West am 31.12.2023, Veränderung zum Vorjahresquartal in "
        "Klammern.",
        f"Stärkste Veränderung: Hilfe zur Pflege 30 (+50,0{P}).",
        # equal changes keep the form's order: GSI before AsylbLG
        f"Weitere: GSI 200 (−20,0{P}); AsylbLG 40 (−20,0{P}); HzE ohne UMA 110 (+10,0{P}); "
        f"SGB II 1.000 (−1,0{P}); EGH eigener Wohnraum 50 (±0,0{P}).",
    ]


def test_p2_key_messages_without_the_year_before():
    assert qm.kernaussagen(p2_pool(vorjahr=False), "2023-Q4", "West") == [
        "Fallzahlen im Sozialraum West am 31.12.2023: HzE ohne UMA 110; EGH eigener Wohnraum 50; "
        "GSI 200; Hilfe zur Pflege 30; SGB II 1.000; AsylbLG 40.",
        "Zum Vorjahresquartal (31.12.2022) enthält der Datenpool keine Werte; ein Vergleich ist "
        "noch nicht möglich.",
    ]


def test_p2_change_table():
    v = qm.veraenderungen(p2_pool(), "2023-Q4", "West")
    t = qm.veraenderungen_formatiert(v, "2023-Q4", ohne=("vorquartal",))
    assert list(t.columns) == [
        "31.12.2023",
        "Vorjahresquartal (31.12.2022)",
        "Veränderung zum Vorjahr",
        "in %",
    ]
    assert t.loc[("Jugendhilfe", "Jugendhilfe ohne UMA")].tolist() == [
        "110",
        "100",
        "+10",
        f"+10,0{P}",
    ]
    assert t.loc[("SGB II", "SGB II: Leistungsempfänger*innen")].tolist() == [
        "1.000",
        "1.010",
        "−10",
        f"−1,0{P}",
    ]
    # a row the pool does not hold: '–' everywhere
    assert t.loc[("Altenhilfe", "Fallmanagement")].tolist() == ["–"] * 4


def test_p2_row_kinds_give_the_labels_and_the_bold_totals():
    """A row's kind is an enum of the row (issue 29), not read off its words: the total of a
    Bereich is bold and named by the Bereich; its only row too, but not bold; a part says both."""
    from kennzahlen.products.quartalsmeldung.zeilen import ZEILEN, Zeilenart, zeilen_label

    arten = {z.kennzahl: z.art for z in ZEILEN}
    assert arten["jh_hze_gesamt"] is Zeilenart.GESAMT
    assert arten["ah_fallmanagement"] is Zeilenart.ALLEIN
    assert arten["jh_hilfen_vor_dem_fall"] is Zeilenart.TEIL
    labels = {z.kennzahl: zeilen_label(z) for z in ZEILEN}
    assert labels["egh_wfbm"] == "WfbM"
    assert labels["egh_fallmanagement"] == "Fallmanagement"
    assert labels["ah_hzp_ambulant"] == "HzP: ambulant"
    assert labels["sgb2_leistungsberechtigte"] == "SGB II: Leistungsempfänger*innen"
    html = qm.bogen_html(qm.erfassungsbogen(p2_pool(), "2023-Q4"))
    fett = re.findall(r'<th scope="row" style="font-weight:bold;">', html)
    # HzE ohne UMA, UMA, WfbM, Blindenhilfe, HLU, GSI, HzP: the seven totals
    assert len(fett) == sum(z.art is Zeilenart.GESAMT for z in ZEILEN) == 7


# ------------------------------------------------------------- Produkt 1: Sozialstrukturelle Daten
def test_p1_key_messages_for_a_sozialraum():
    stv = p1.stadtviertel_von("West")
    nr, name = list(stv["stadtviertel_nr"]), list(stv["stadtviertel"])
    assert len(nr) >= 5
    rows = [
        ("bev_gesamt", "sozialraum", "West", "2023-12-31", 20_400),
        ("bev_gesamt", "sozialraum", "West", "2022-12-31", 20_000),  # +2,0 %
        ("anteil_unter18", "sozialraum", "West", "2023-12-31", 0.18),
        ("anteil_unter18", "gesamtstadt", GESAMTSTADT, "2023-12-31", 0.17),
        ("anteil_65plus", "sozialraum", "West", "2023-12-31", 0.20),
        ("anteil_65plus", "gesamtstadt", GESAMTSTADT, "2023-12-31", 0.19),
        ("sgb2_quote", "sozialraum", "West", "2023-12-31", 0.08),
        ("sgb2_quote", "sozialraum", "West", "2022-12-31", 0.075),
        ("sgb2_quote", "gesamtstadt", GESAMTSTADT, "2023-12-31", 0.06),
    ]
    # Stadtviertel: the highest quote lives in one under 300 residents (not rated, left out)
    for i, (quote, bev) in enumerate(
        [(0.15, 250), (0.12, 900), (0.10, 800), (0.09, 700), (0.05, 600)]
    ):
        rows.append(("sgb2_quote", "stadtviertel", nr[i], "2023-12-31", quote))
        rows.append(("bev_gesamt", "stadtviertel", nr[i], "2023-12-31", bev))
    assert p1.kernaussagen(pool(rows), "2023", "West") == [
        f"Im Sozialraum West lebten am 31.12.2023 20.400 Menschen (+2,0{P} gegenüber dem Vorjahr).",
        f"Anteil unter 18 Jahren 18,0{P} (Stadt 17,0{P}), Anteil ab 65 Jahren 20,0{P} "
        f"(Stadt 19,0{P}).",
        f"SGB-II-Quote 8,0{P} (Stadt 6,0{P}); Vorjahr 7,5{P}.",
        f"Höchste SGB-II-Quoten (Stadtviertel ab 300 Einwohner*innen): {name[1]} (12,0{P}), "
        f"{name[2]} (10,0{P}), {name[3]} (9,0{P}).",
    ]


def test_p1_table_formats_each_kennzahl_by_its_unit():
    df = pd.DataFrame(
        {"bev_gesamt": [20400.0, math.nan], "anteil_65plus": [0.2, 0.1234]}, index=["a", "b"]
    )
    t = p1.formatiert(df, {"bev_gesamt": "Einwohner", "anteil_65plus": "ab 65"})
    assert t.to_dict("list") == {"Einwohner": ["20.400", "–"], "ab 65": [f"20,0{P}", f"12,3{P}"]}


# --------------------------------------------------------------------- Produkt 3: the statement
def kennzahl(**kw) -> Kennzahl:
    spec = {
        "id": "test",
        "titel": "Test",
        "periodizitaet": "jahr",
        "zaehler": "a",
        "produkt": 3,
    } | kw
    return Kennzahl.model_validate(spec)


ANTEIL = {
    "nenner": "b",
    "einheit": "anteil",
    "zielwert": 0.8,
    "richtung": "hoeher_besser",
    "ziel": 5,
    "arbeitsfeld": "jh",
}
WERTE = pd.Series(
    {
        GESAMTSTADT: 0.82,
        "Böfingen": 0.85,
        "Eselsberg": 0.796,  # shows as 80 % like the target: one decimal then
        "Mitte/Ost": 0.90,
        "West": 0.81,
        "Wiblingen": 0.74,
    }
)


def test_p3_statement_city_against_the_target():
    assert wirkung.aussage(kennzahl(**ANTEIL), "2023", WERTE) == (
        f"Im Jahr 2023 wurde der Zielwert von 80{P} für die Gesamtstadt mit 82,0{P} erreicht; "
        f"in Eselsberg mit 79,6{P}, in Wiblingen mit 74,0{P} unterschritten."
    )


def test_p3_statement_for_a_sozialraum_and_a_hidden_one():
    k = kennzahl(**ANTEIL)
    sichtbar = WERTE.drop("Wiblingen")
    assert wirkung.aussage(k, "2023", sichtbar, "West", ["Wiblingen"]) == (
        f"Im Jahr 2023 wurde der Zielwert von 80{P} im Sozialraum West mit 81,0{P} erreicht; "
        f"die Gesamtstadt hat ihn mit 82,0{P} erreicht."
    )
    assert wirkung.aussage(k, "2023", sichtbar, "Wiblingen", ["Wiblingen"]) == (
        "Im Jahr 2023 ist der Wert für den Sozialraum Wiblingen aus Datenschutzgründen nicht "
        f"ausgewiesen (Zielwert 80{P}); die Gesamtstadt hat ihn mit 82,0{P} erreicht."
    )


def test_p3_statement_without_a_target():
    werte = pd.Series({GESAMTSTADT: 120, "Böfingen": 10, "West": 40, "Wiblingen": 25})
    assert wirkung.aussage(kennzahl(), "2023", werte) == (
        "Im Jahr 2023 lag der Wert für die Gesamtstadt bei 120; am höchsten in West (40), "
        "am niedrigsten in Böfingen (10). Für diese Kennzahl ist kein Zielwert festgelegt."
    )
    assert wirkung.aussage(kennzahl(), "2023", pd.Series(dtype=float)) == (
        "Für 2023 liegen keine Werte vor."
    )


# --------------------------------------------------------------------------- Produkt 4: the Ampel
def lichter() -> pd.DataFrame:
    rows = [
        ("West", "jh", "rot", "rot", False, ""),
        ("West", "egh", "gelb", "gelb", False, ""),
        ("Wiblingen", "jh", "gruen", "gruen", False, ""),
        ("Wiblingen", "ws", "grau", "grau", False, ""),
        (GESAMTSTADT, "jh", "rot", "gelb", True, "Anstieg seit zwei Quartalen"),
    ]
    return pd.DataFrame(
        rows,
        columns=["sozialraum", "arbeitsfeld", "farbe", "farbe_regel", "manuell", "begruendung"],
    )


def test_p4_key_messages():
    details = pd.DataFrame(
        {
            "sozialraum": ["Wiblingen"],
            "arbeitsfeld": ["ws"],
            "farbe": ["grau"],
            "wert": [math.nan],
            "vergleich": [""],
            "faelle": [math.nan],
            "min_faelle": [10],
        }
    )
    assert p4.kernaussagen(lichter(), "2023-Q4", GESAMTSTADT, details) == [
        "Ampel 4. Quartal 2023 über alle Sozialräume und die Gesamtstadt: 2 × rot, 1 × gelb, "
        "1 × grün, 1 ohne Aussage (kein Wert: 1).",
        "Handlungsbedarf (rot): West Jugendhilfe; Gesamtstadt Jugendhilfe.",
        "Manuell: Gesamtstadt Jugendhilfe von gelb (Regel) auf rot geschaltet – Anstieg seit zwei "
        "Quartalen.",
    ]
    assert p4.kernaussagen(lichter(), "2023-Q4", "Wiblingen")[0] == (
        "Ampel 4. Quartal 2023 im Sozialraum Wiblingen: 0 × rot, 0 × gelb, 1 × grün, "
        "1 ohne Aussage."
    )


def test_p4_indicator_table_names_the_rule_with_its_quarters():
    det = pd.DataFrame(
        {
            "sozialraum": ["West"] * 3,
            "arbeitsfeld": ["jh", "jh", "egh"],
            "kennzahl": [
                "jh_hze_stationaer",
                "jh_z5_anteil_hilfen_vor_dem_fall",
                "egh_besondere_wohnform",
            ],
            "indikator": ["HzE stationär", "Anteil <Hilfen>", "EGH"],
            "regel": ["anstieg", "zielwert", "anstieg"],
            "wert": [123.0, 0.803, 12.5],
            "einheit": ["anzahl", "anteil", "anzahl"],
            "vergleich": ["Ø 136,8", "Zielwert mindestens 80 %", None],
            "schwelle_gelb": [150.0, 0.8, math.nan],
            "schwelle_rot": [164.0, 0.75, math.nan],
            "faelle": [123.0, 900.0, 12.0],
            "farbe": ["gruen", "gruen", "gelb"],
        }
    )
    t = p4.details(det, "West")
    assert t["Arbeitsfeld"].tolist() == ["Jugendhilfe", "Jugendhilfe", "Eingliederungshilfe"]
    assert t["Regel"].tolist() == [
        "Anstieg ggü. Ø 4 Vorquartale",  # config/ampel.yaml: vorquartale 4
        "Zielwert",
        "Anstieg ggü. Ø 4 Vorquartale",
    ]
    assert t["Indikator"].tolist()[1] == (  # HTML-safe, a link to the Kennzahl's sheet
        '<a class="kz-steckbrief-link" href="#steckbrief-jh_z5_anteil_hilfen_vor_dem_fall">'
        "Anteil &lt;Hilfen&gt;</a>"
    )
    assert t["Wert"].tolist() == ["123", f"80,3{P}", "12,5"]
    assert t["Schwelle gelb"].tolist() == ["150", f"80,0{P}", "–"]
    assert t["Vergleich"].tolist()[2] == "–"


@pytest.mark.parametrize(
    ("vorquartale", "text"),
    [
        (1, "Anstieg ggü. Vorquartal"),
        (4, "Anstieg ggü. Ø 4 Vorquartale"),
        (6, "Anstieg ggü. Ø 6 Vorquartale"),
    ],
)
def test_p4_rule_name_follows_the_configured_quarters(vorquartale, text):
    assert p4.regel_text("anstieg", vorquartale) == text
    assert p4.regel_text("spc", vorquartale) == "übliche Schwankung (Regelkarte)"


def test_p3_caches_hash_a_pool_frame_once_with_every_other_product_cache(monkeypatch):
    """Issue 29: Produkt 3's tables are kept by the pool's content hash of products.memo, not by a
    copy of it: a pool frame is hashed once for every cache of the reports."""
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.products import memo
    from kennzahlen.products.wirkung import werte

    gehasht = []
    echt = pd.util.hash_pandas_object

    def zaehlend(obj, *args, **kwargs):
        gehasht.append(len(obj))
        return echt(obj, *args, **kwargs)

    monkeypatch.setattr(pd.util, "hash_pandas_object", zaehlend)
    daten = pool([("jh_z5_anteil_hilfen_vor_dem_fall", "gesamtstadt", GESAMTSTADT, "2023", 0.8)])
    memo.fingerprint(daten)
    werte.zaehltabelle(daten, load_catalog().get("jh_z5_anteil_hilfen_vor_dem_fall"), "2023")
    assert gehasht == [1]


def test_jahreswerte_of_a_changed_pool_are_its_own():
    """The pool is split by Kennzahl once per content (products.wirkung.werte._zeilen): a frame
    with other rows never gets the rows of the first."""
    import pandas as pd

    from kennzahlen.products.wirkung import werte

    k = next(k for k in werte.kennzahlen_p3("2023") if k.periodizitaet == "jahr")
    pool = pd.DataFrame(
        {
            "kennzahl": [k.id, k.id, "andere"],
            "ebene": ["sozialraum", "stadtviertel", "sozialraum"],
            "raum": ["West", "West-1", "West"],
            "periode": ["2023", "2023", "2023"],
            "zaehler": [3, 1, 5],
            "nenner": [10, 4, 9],
            "wert": [30.0, 25.0, 55.0],
        }
    )
    assert werte.jahreswerte(pool, k, "2023")["zaehler"].tolist() == [3]
    anders = pool.assign(zaehler=[7, 1, 5])
    assert werte.jahreswerte(anders, k, "2023")["zaehler"].tolist() == [7]
    ohne = pool[pool["kennzahl"] == "andere"]
    assert werte.jahreswerte(ohne, k, "2023").empty
