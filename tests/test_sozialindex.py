"""The Sozialindex (kennzahlen.sozialindex.berechnung, config/sozialindex.yaml): hand-computed
cases, the
published MSS 2021 reproduced in full, the config's errors, and the index in the demo pool."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kennzahlen.catalog.model import load_catalog
from kennzahlen.sozialindex import berechnung as si
from kennzahlen.sozialindex import config as sc

MSS = Path(__file__).parent / "corpus" / "mss2021"

#: the MSS rules (the config shipped for Ulm is the same apart from the indicators)
MSS_REGELN = {
    "name": "MSS",
    "mindestbevoelkerung": 300,
    "standardisierung": {"gewichtung": "keine", "streuung": "grundgesamtheit"},
    "dynamik": {"jahre": 2},
    "status_klassen": [
        {"name": "hoch", "bis": -1.0},
        {"name": "mittel", "bis": 1.0},
        {"name": "niedrig", "bis": 1.5},
        {"name": "sehr niedrig"},
    ],
    "dynamik_klassen": [
        {"name": "positiv", "bis": -1.0},
        {"name": "stabil", "bis": 1.0},
        {"name": "negativ"},
    ],
    "aufmerksamkeit": [
        {"status": "niedrig"},
        {"status": "sehr niedrig"},
        {"status": "mittel", "dynamik": "negativ"},
    ],
}


def config(indikatoren: list[str], **andere) -> sc.SozialindexConfig:
    """A config with the MSS rules and the given indicators (any Kennzahl name)."""
    ind = [{"id": i, "kennzahl": i, "titel": i.capitalize()} for i in indikatoren]
    return sc.SozialindexConfig.model_validate({**MSS_REGELN, "indikatoren": ind, **andere})


# ---------------------------------------------------------------------------- 6 areas by hand
# Two indicators a and b (shares), six rated areas A–F and G with 250 residents (not rated).
#   a = 2, 3, 4, 6, 9, 12 %: mean 6, deviations −4 −3 −2 0 3 6, squares sum 74,
#       SD = √(74/6) = 3.51188 → z_a = −1.13899 −0.85424 −0.56949 0 0.85424 1.70848
#   b = 10, 14, 12, 16, 24, 26 %: mean 17, squares sum 214, SD = √(214/6) = 5.97216
#       → z_b = −1.17211 −0.50233 −0.83722 −0.16744 1.17211 1.50699
#   sum S = z_a + z_b = −2.31110 −1.35657 −1.40671 −0.16744 2.02635 3.21548 (mean 0),
#       SD(S) = √(ΣS²/6) = √(23.63371/6) = 1.98468
#   Status-Index = S / SD(S) = −1.16447 −0.68352 −0.70879 −0.08437 1.02100 1.62015
#   classes (≤ −1 hoch, ≤ 1 mittel, ≤ 1.5 niedrig, else sehr niedrig):
#       A hoch, B mittel, C mittel, D mittel, E niedrig, F sehr niedrig
# Dynamics: change over two years Δa = −2 0 0 +2 0 0 pp, Δb = −3 0 0 +3 0 0 pp:
#   z_Δa = ∓√3 (SD √(8/6)), z_Δb = ∓√3 (SD √(18/6)), sum ∓2√3, SD(sum) = 2 → index ∓√3 = ∓1.73205
#   → A positiv, D negativ, the rest stabil. Attention: D (mittel, negativ), E (niedrig),
#   F (sehr niedrig); not A (hoch, positiv).
STV = ["A", "B", "C", "D", "E", "F", "G"]
A = [0.02, 0.03, 0.04, 0.06, 0.09, 0.12, 0.50]
B = [0.10, 0.14, 0.12, 0.16, 0.24, 0.26, 0.90]
BEV = [1000, 800, 1200, 900, 700, 2000, 250]
DA = [-0.02, 0, 0, 0.02, 0, 0, 0]
DB = [-0.03, 0, 0, 0.03, 0, 0, 0]


def sechs() -> tuple[pd.DataFrame, pd.DataFrame]:
    jetzt = pd.DataFrame({"bevoelkerung": BEV, "a": A, "b": B}, index=STV)
    vorher = pd.DataFrame(
        {
            "bevoelkerung": BEV,
            "a": np.subtract(A, DA),
            "b": np.subtract(B, DB),
        },
        index=STV,
    )
    return jetzt, vorher


def test_six_areas_z_values_index_and_classes_by_hand():
    jetzt, vorher = sechs()
    gebiete, ind = si.jahr_berechnen(jetzt, vorher, config(["a", "b"]))
    g = gebiete.set_index("stadtviertel_nr")
    z = ind.pivot(index="stadtviertel_nr", columns="indikator", values="z")
    want_za = [-1.13899, -0.85424, -0.56949, 0.0, 0.85424, 1.70848]
    want_zb = [-1.17211, -0.50233, -0.83722, -0.16744, 1.17211, 1.50699]
    assert z.loc[STV[:6], "a"].tolist() == pytest.approx(want_za, abs=1e-5)
    assert z.loc[STV[:6], "b"].tolist() == pytest.approx(want_zb, abs=1e-5)
    want_index = [-1.16447, -0.68352, -0.70879, -0.08437, 1.02100, 1.62015]
    assert g.loc[STV[:6], "status_index"].tolist() == pytest.approx(want_index, abs=1e-5)
    assert g.loc[STV[:6], "status_summe"].tolist() == pytest.approx(
        [-2.31110, -1.35657, -1.40671, -0.16744, 2.02635, 3.21548], abs=1e-5
    )
    assert g["status_klasse"].tolist() == [
        "hoch",
        "mittel",
        "mittel",
        "mittel",
        "niedrig",
        "sehr niedrig",
        "nicht bewertet",
    ]
    w3 = math.sqrt(3)
    assert g.loc[STV[:6], "dynamik_index"].tolist() == pytest.approx([-w3, 0, 0, w3, 0, 0])
    assert g["dynamik_klasse"].tolist() == [
        "positiv",
        "stabil",
        "stabil",
        "negativ",
        "stabil",
        "stabil",
        "nicht bewertet",
    ]
    assert g["aufmerksamkeit"].tolist() == [False, False, False, True, True, True, False]
    assert g.loc["G", "grund"] == "unter 300 Einwohner*innen" and not g.loc["G", "bewertet"]
    assert math.isnan(z.loc["G", "a"])  # G's 50 % never entered a mean


def test_an_area_rated_only_this_year_has_no_dynamic_class():
    jetzt, vorher = sechs()
    vorher.loc["B", "bevoelkerung"] = 280  # under 300 two years ago
    g = si.jahr_berechnen(jetzt, vorher, config(["a", "b"]))[0].set_index("stadtviertel_nr")
    assert g.loc["B", "status_klasse"] == "mittel"
    assert g.loc["B", "dynamik_klasse"] == "nicht bewertet"
    assert g.loc[["A", "C", "D", "E", "F"], "dynamik_index"].notna().all()


def test_without_earlier_year_there_is_no_dynamic_and_status_cells_still_count():
    jetzt, _ = sechs()
    g = si.jahr_berechnen(jetzt, None, config(["a", "b"]))[0].set_index("stadtviertel_nr")
    assert g["dynamik_klasse"].isna().all()
    assert g["aufmerksamkeit"].tolist() == [False, False, False, False, True, True, False]


def test_direction_low_is_unfavourable_turns_the_sign():
    jetzt, _ = sechs()
    ind = [
        {"id": "a", "kennzahl": "a", "titel": "A"},
        {"id": "b", "kennzahl": "b", "titel": "B", "richtung": "niedrig_ist_unguenstig"},
    ]
    cfg = sc.SozialindexConfig.model_validate({**MSS_REGELN, "indikatoren": ind})
    _, tab = si.jahr_berechnen(jetzt, None, cfg)
    z = tab.pivot(index="stadtviertel_nr", columns="indikator", values="z")
    assert z.loc["A", "b"] == pytest.approx(1.17211, abs=1e-5)


def test_cut_off_value_belongs_to_the_lower_class():
    klassen = config(["a"]).status_klassen
    werte = pd.Series([-1.0, -0.999, 1.0, 1.5, 1.5001, np.nan])
    assert si.klassen_von(werte, klassen).tolist() == [
        "hoch",
        "mittel",
        "mittel",
        "niedrig",
        "sehr niedrig",
        None,
    ]
    assert si.klassen_von(werte, klassen, 0.1).tolist()[:3] == ["hoch", "hoch", "mittel"]


# ---------------------------------------------------------------------------- the published MSS
def mss2021() -> pd.DataFrame:
    werte = pd.read_csv(MSS / "indikatoren.csv", dtype={"plr": str})
    klassen = pd.read_csv(MSS / "klassen.csv", dtype={"plr": str})
    return werte.merge(klassen, on="plr", validate="one_to_one").set_index("plr")


def test_mss_2021_every_status_and_dynamic_class_of_536_planning_areas():
    """Berlin's published MSS 2021 (SenSBW; FIS-Broker, CC BY 3.0 DE): from the published index
    indicators S1, S3, S4 and their two-year changes D1, D3, D4 of all 536 rated planning areas,
    our rules give exactly the published status class (1–4) and dynamic class (+, +/-, −)."""
    d = mss2021()
    assert len(d) == 536
    cfg = config(["s1", "s3", "s4"])
    z = si.z_tabelle(d, cfg, ["s1", "s3", "s4"])
    _, status = si.index_werte(z, cfg)
    got = si.klassen_von(status, cfg.status_klassen).map(
        {"hoch": 1, "mittel": 2, "niedrig": 3, "sehr niedrig": 4}
    )
    assert (got == d["status"]).all(), d.index[got != d["status"]].tolist()
    aenderung = d[["d1", "d3", "d4"]].set_axis(["s1", "s3", "s4"], axis=1)
    dz = si.z_tabelle(aenderung, cfg, ["s1", "s3", "s4"])
    _, dynamik = si.index_werte(dz, cfg)
    got_d = si.klassen_von(dynamik, cfg.dynamik_klassen).map(
        {"positiv": "+", "stabil": "+/-", "negativ": "-"}
    )
    assert (got_d == d["dynamik"]).all(), d.index[got_d != d["dynamik"]].tolist()
    assert d["status"].value_counts().to_dict() == {2: 366, 1: 75, 4: 49, 3: 46}


def test_mss_2021_published_z_values_use_the_population_sd():
    """The published z-values (MSS 2021 table 3: Stülerstraße, Großer Tiergarten) come from the
    SD with n, not n − 1 — so the config's default 'grundgesamtheit' is the MSS's choice."""
    d = mss2021()
    published = {
        "01100101": (-0.25328, -0.40645, -0.30877),
        "01100102": (-1.29522, -1.05422, -0.97314),
    }
    z = si.z_tabelle(d, config(["s1", "s3", "s4"]), ["s1", "s3", "s4"])
    for plr, werte in published.items():
        assert z.loc[plr].tolist() == pytest.approx(werte, abs=5e-6)
    stichprobe = config(["s1", "s3", "s4"], standardisierung={"streuung": "stichprobe"})
    z1 = si.z_tabelle(d, stichprobe, ["s1", "s3", "s4"])
    assert z1.loc["01100101", "s1"] != pytest.approx(-0.25328, abs=5e-6)


# ---------------------------------------------------------------------------- the config file
GUT = Path(__file__).parents[1] / "config" / "sozialindex.yaml"


def load_text(tmp_path: Path, text: str) -> sc.SozialindexConfig:
    p = tmp_path / "sozialindex.yaml"
    p.write_text(text, encoding="utf-8")
    return sc.load(p, catalog=load_catalog())


def test_shipped_config_is_valid_and_follows_mss():
    cfg = sc.load(GUT)
    assert [i.kennzahl for i in cfg.indikatoren] == [
        "arbeitslosigkeit_sgb2",
        "transferbezug",
        "kinderarmut",
    ]
    assert [k.bis for k in cfg.status_klassen] == [-1.0, 1.0, 1.5, None]
    assert [k.bis for k in cfg.dynamik_klassen] == [-1.0, 1.0, None]
    assert cfg.mindestbevoelkerung == 300 and cfg.dynamik.jahre == 2


@pytest.mark.parametrize(
    ("alt", "neu", "meldung"),
    [
        (
            "kennzahl: kinderarmut",
            "kennzahl: kinderarmutt",
            "Indikator 'kinderarmut': Kennzahl 'kinderarmutt' steht nicht im Katalog",
        ),
        (
            "{name: niedrig, bis: 1.5}",
            "{name: niedrig, bis: 0.5}",
            "status_klassen: die Grenzen müssen aufsteigen, aber 'niedrig' (bis 0.5) liegt nicht "
            "über 'mittel' (bis 1)",
        ),
        (
            "{name: negativ}",
            "{name: negativ, bis: 2.0}",
            "dynamik_klassen: die letzte Klasse 'negativ' hat keine Obergrenze",
        ),
        (
            "{status: mittel, dynamik: negativ}",
            "{status: mittel, dynamik: schlecht}",
            "aufmerksamkeit Nr. 3: Dynamikklasse 'schlecht' gibt es nicht",
        ),
        (
            "kennzahl: kinderarmut",
            "kennzahl: sgb2_u15_personen",
            "Kennzahl 'sgb2_u15_personen' ist eine Anzahl",
        ),
        (
            "richtung: hoch_ist_unguenstig\n  - id: transferbezug",
            "richtung: hoch\n  - id: transferbezug",
            "Indikator 'arbeitslosigkeit' (Zeile {zeile}), richtung: Wert 'hoch' nicht erlaubt",
        ),
        ("mindestbevoelkerung: 300", "mindestbevoelkerung: -5", "mindestbevoelkerung: Wert -5"),
    ],
)
def test_bad_config_gives_a_clear_german_error(tmp_path: Path, alt: str, neu: str, meldung: str):
    text = GUT.read_text(encoding="utf-8")
    assert alt in text
    with pytest.raises(sc.SozialindexError) as info:
        load_text(tmp_path, text.replace(alt, neu, 1))
    msg = str(info.value)
    assert str(tmp_path / "sozialindex.yaml") in msg and "falsch konfiguriert" in msg
    zeile = text.splitlines().index("  - id: arbeitslosigkeit") + 1
    assert meldung.format(zeile=zeile) in msg


def test_duplicate_key_in_config_names_the_line(tmp_path: Path):
    text = GUT.read_text(encoding="utf-8").replace(
        "mindestbevoelkerung: 300", "mindestbevoelkerung: 300\nmindestbevoelkerung: 200"
    )
    with pytest.raises(sc.SozialindexError, match=r"Zeile \d+, Spalte 1: der Schlüssel"):
        load_text(tmp_path, text)


# ---------------------------------------------------------------------------- the demo pool
def test_pool_holds_the_index_per_stadtviertel_and_year(demo_pool: Path):
    from kennzahlen.api import load_pool
    from kennzahlen.catalog.geography import raumgliederung
    from kennzahlen.pool import store as poolstore

    g = load_pool(demo_pool, "sozialindex")
    ind = load_pool(demo_pool, "sozialindex_indikatoren")
    stv = raumgliederung()["stadtviertel_nr"].tolist()
    jahre = [f"{j}-12-31" for j in range(2019, 2024)]
    assert list(g.columns) == si.GEBIET_SPALTEN and list(ind.columns) == si.INDIKATOR_SPALTEN
    assert sorted(g["periode"].unique()) == jahre
    assert (
        len(g) == len(jahre) * len(stv) and not g.duplicated(["periode", "stadtviertel_nr"]).any()
    )
    assert len(ind) == 3 * len(g)
    assert {"sozialindex.parquet", "sozialindex_indikatoren.parquet"} <= set(
        poolstore.current(demo_pool).manifest["dateien"]
    )
    klein = g["bevoelkerung"] < 300
    assert klein.any() and (g.loc[klein, "status_klasse"] == "nicht bewertet").all()
    assert (g.loc[klein, "grund"] == "unter 300 Einwohner*innen").all()
    assert g.loc[~klein, "status_klasse"].isin(["hoch", "mittel", "niedrig", "sehr niedrig"]).all()
    # the index of the rated Stadtviertel reads in SD: mean 0, SD 1 (population SD) every year
    r = g[g["bewertet"]].groupby("periode")["status_index"]
    assert r.mean().abs().max() < 1e-9 and (r.std(ddof=0) - 1).abs().max() < 1e-9
    assert g.loc[g["periode"] < "2021", "dynamik_klasse"].isna().all()  # no year 2 years before
    assert g.loc[g["periode"] >= "2021", "dynamik_klasse"].notna().all()


def test_demo_keeps_ulms_picture_and_some_stadtviertel_move(demo_pool: Path):
    from kennzahlen.api import load_pool

    g = load_pool(demo_pool, "sozialindex")
    for periode, jahr in g[g["bewertet"]].groupby("periode"):
        top = jahr.nlargest(3, "status_index")["stadtviertel_nr"]
        assert set(top) == {"150", "135", "112"}, (
            periode
        )  # Mähringer Weg, Böfingen Mitte, Karlstraße
        if periode >= "2021":
            assert {"positiv", "negativ"} <= set(jahr["dynamik_klasse"]), periode
    idx = g.pivot(index="stadtviertel_nr", columns="jahr", values="status_index")
    assert idx.loc["188", "2023"] < idx.loc["188", "2019"] - 1  # Tannenplatz Mitte improves
    assert idx.loc["151", "2023"] > idx.loc["151", "2019"] + 0.5  # Eselsberg Mitte worsens
    klasse = g.pivot(index="stadtviertel_nr", columns="jahr", values="status_klasse")
    assert (klasse.loc["188", "2019"], klasse.loc["188", "2023"]) == ("sehr niedrig", "mittel")
    assert (g["status_klasse"] == "hoch").any()  # the Ortschaften, as in Ulm


def test_pool_index_is_the_computation_of_the_pool_values(demo_pool: Path):
    """Deterministic: the stored tables equal a fresh computation from the pool's Kennzahlen, and
    the indicator values equal the pool's values for the Stadtviertel."""
    from kennzahlen.api import load_pool
    from kennzahlen.catalog.geography import raumgliederung

    pool = load_pool(demo_pool)
    frames = si.pool_frames(pool, raumgliederung(), sc.load())
    pd.testing.assert_frame_equal(frames["sozialindex"], load_pool(demo_pool, "sozialindex"))
    ind = load_pool(demo_pool, "sozialindex_indikatoren")
    pd.testing.assert_frame_equal(frames["sozialindex_indikatoren"], ind)
    werte = pool[pool["ebene"] == "stadtviertel"].set_index(["kennzahl", "raum", "periode"])["wert"]
    ist = ind.dropna(subset=["wert"]).set_index(["kennzahl", "stadtviertel_nr", "periode"])["wert"]
    assert np.allclose(ist.to_numpy(), werte.reindex(ist.index).to_numpy())


def test_transferbezug_subtracts_the_unemployed(demo_pool: Path):
    """Zähler of transferbezug = SGB II people − Arbeitslose nach SGB II + HLU and GSI outside
    institutions (catalog term with vorzeichen −1), in every Stadtviertel on 31.12.2023."""
    from kennzahlen.api import load_pool

    p = load_pool(demo_pool)
    p = p[(p["ebene"] == "stadtviertel") & (p["periode"] == "2023-12-31")]
    z = p.pivot(index="raum", columns="kennzahl", values="zaehler")
    erwartet = (
        z["sgb2_personen"]
        - z["sgb2_arbeitslos_personen"]
        + z["es_hlu_ambulant"]
        + z["es_gsi_ambulant"]
    )
    assert (z["transferbezug"] == erwartet).all()
    assert (z["sgb2_u15_personen"] + z["sgb2_arbeitslos_personen"] <= z["sgb2_personen"]).all()
    stadt = p.groupby("kennzahl")["zaehler"].sum()
    assert 0.25 < stadt["sgb2_u15_personen"] / stadt["sgb2_personen"] < 0.35


def test_catalog_refuses_a_negative_term_in_the_nenner_or_alone():
    from kennzahlen.catalog.model import validate_catalog

    def kz(zaehler, nenner=None):
        raw = {
            "basiszahlen": {"t": {"tabelle": "transferleistungen", "regel": "summe"}},
            "kennzahlen": [
                {
                    "id": "x",
                    "titel": "X",
                    "periodizitaet": "stichtag_jahr",
                    "einheit": "quote" if nenner else "anzahl",
                    "zaehler": zaehler,
                    **({"nenner": nenner} if nenner else {}),
                }
            ],
        }
        return validate_catalog(raw)[1]

    minus = {"basis": "t", "filter": {"leistung": "sgb2_arbeitslos"}, "vorzeichen": -1}
    plus = {"basis": "t", "filter": {"leistung": "sgb2"}}
    assert kz([plus, minus]) == []
    assert any("vorzeichen -1 nur im zaehler" in p for p in kz([plus], [plus, minus]))
    assert any("mindestens einen Summanden mit vorzeichen 1" in p for p in kz([minus]))


def test_product_1_depends_on_the_sozialindex_tables():
    from kennzahlen.runner import product_dependencies

    manifest = {
        "kennzahlen": {"bev_gesamt": "a"},
        "stand": {"bevoelkerung": "b"},
        "dateien": {"sozialindex.parquet": "1", "sozialindex_indikatoren.parquet": "2"},
    }
    anders = {**manifest, "dateien": {**manifest["dateien"], "sozialindex.parquet": "3"}}
    assert product_dependencies(1, manifest) != product_dependencies(1, anders)
    assert product_dependencies(2, manifest) == product_dependencies(2, anders)


# ---------------------------------------------------------------------------- accessible maps
def test_text_on_every_class_colour_has_contrast_4_5():
    from kennzahlen.charts import klassen as pk
    from kennzahlen.core import farben

    for farbe in (*pk.STATUS_FARBEN, *pk.DYNAMIK_FARBEN, pk.NICHT_BEWERTET_FARBE):
        assert farben.kontrast(farben.textfarbe(farbe), farbe) >= farben.MIN_TEXT, farbe


def test_status_map_is_small_keeps_class_colours_and_says_them_in_alt_text(demo_pool: Path):
    import base64
    import io
    import re

    from PIL import Image

    from kennzahlen.charts import klassen as pk
    from kennzahlen.products.sozialstruktur import sozialmonitoring as sm

    lage = sm.load_lage(demo_pool, "2023", "Eselsberg")
    html_img = sm.statuskarte(lage).data
    alt = re.search(r'alt="([^"]+)"', html_img).group(1)
    assert alt.startswith("Karte der Stadtviertel nach Statusklasse 2023.")
    assert "sehr niedrig: Mähringer Weg" in alt and "nicht bewertet:" in alt
    png = base64.b64decode(re.search(r"base64,([^\"]+)", html_img).group(1))
    assert len(png) < 40_000
    pixel = Image.open(io.BytesIO(png)).convert("RGB").getcolors(4096)
    farben = {"#{:02X}{:02X}{:02X}".format(*c) for _, c in pixel}
    assert set(pk.STATUS_FARBEN) <= farben and pk.NICHT_BEWERTET_FARBE in farben


# ---------------------------------------------------------------------------- report tables
def _tabelle(markup: str) -> tuple[str, list[list[str]]]:
    """The caption and the rows (header cells and data cells as text) of the first table."""
    from html.parser import HTMLParser

    class _Leser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.caption, self.rows, self._zelle, self._in_caption = "", [], None, False

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("th", "td"):
                self._zelle = ""
            elif tag == "caption":
                self._in_caption = True

        def handle_endtag(self, tag):
            if tag in ("th", "td") and self._zelle is not None:
                self.rows[-1].append(self._zelle.strip())
                self._zelle = None
            elif tag == "caption":
                self._in_caption = False

        def handle_data(self, data):
            if self._in_caption:
                self.caption += data
            elif self._zelle is not None:
                self._zelle += data

    leser = _Leser()
    leser.feed(markup)
    return leser.caption, leser.rows


@pytest.mark.parametrize("raum", ["Gesamtstadt", "Eselsberg"])
def test_attention_table_lists_the_pools_areas_with_their_indicator_values(
    demo_pool: Path, raum: str
):
    """The Gebiete mit besonderem Aufmerksamkeitsbedarf of the report: exactly the pool's, least
    favourable first, each with its class and every indicator above the average (value as the
    pool holds it, largest z first)."""
    from kennzahlen.core import fmt
    from kennzahlen.products.sozialstruktur import sozialmonitoring as sm

    lage = sm.load_lage(demo_pool, "2023", raum)
    caption, rows = _tabelle(sm.aufmerksamkeit(lage).data)
    g = lage.gebiete[lage.gebiete["aufmerksamkeit"]]
    stadt = len(g)
    if raum != "Gesamtstadt":
        g = g[g["sozialraum"] == raum]
    g = g.sort_values("status_index", ascending=False)
    assert len(g) >= 2  # the demo has some in the city and in Eselsberg
    assert rows[0][1:] == [
        "Sozialraum",
        "Status",
        "Dynamik",
        "Indikatoren (Wert, Abstand zum Durchschnitt)",
    ]
    assert [r[0] for r in rows[1:]] == g["name"].tolist()
    assert caption.startswith(f"Gebiete mit besonderem Aufmerksamkeitsbedarf 2023: {len(g)}")
    assert (f"(in der Stadt {stadt})" in caption) == (raum != "Gesamtstadt")
    for r, gebiet in zip(rows[1:], g.itertuples(), strict=True):
        assert r[1] == gebiet.sozialraum and r[2].startswith(gebiet.status_klasse)
        ind = lage.indikatoren[lage.indikatoren["stadtviertel_nr"] == gebiet.stadtviertel_nr]
        ueber = ind[ind["z"] > 0].sort_values("z", ascending=False)
        erwartet = [
            f"{lage.titel(i)} {fmt.prozent(w)}"
            for i, w in zip(ueber["indikator"], ueber["wert"], strict=True)
        ]
        status_teil = r[4].split(" · ")[0].split("; ")
        ohne = ["kein Indikator über dem Durchschnitt"]  # e.g. status mittel, dynamics negativ
        assert [t.rsplit(" (", 1)[0] for t in status_teil] == (erwartet or ohne)


def test_comparison_tables_agree_with_the_pool(demo_pool: Path):
    """Sozialraum report: its Stadtviertel, the Sozialraum and the city with the pool's indicator
    values; Gesamtstadt report: the status classes per Sozialraum add up to the city."""
    from kennzahlen.api import load_pool
    from kennzahlen.core import fmt
    from kennzahlen.products.sozialstruktur import sozialmonitoring as sm

    daten = load_pool(demo_pool)
    lage = sm.load_lage(demo_pool, "2023", "Eselsberg")
    _, rows = _tabelle(sm.vergleich(lage, daten).data)
    titel = [lage.titel(i.id) for i in lage.cfg.indikatoren]
    assert rows[0][1 : 1 + len(titel)] == titel
    stv = lage.gebiete[lage.gebiete["sozialraum"] == "Eselsberg"]
    namen = [f"{nr} {n}" for nr, n in zip(stv["stadtviertel_nr"], stv["name"], strict=True)]
    assert [r[0] for r in rows[1:]] == [*namen, "Sozialraum Eselsberg", "Gesamtstadt"]
    p = daten[daten["periode"] == "2023-12-31"]
    for r, (ebene, raum) in zip(
        rows[-2:], (("sozialraum", "Eselsberg"), ("gesamtstadt", "Gesamtstadt")), strict=True
    ):
        for i, zelle in zip(lage.cfg.indikatoren, r[1:], strict=False):
            wert = p[(p["kennzahl"] == i.kennzahl) & (p["ebene"] == ebene) & (p["raum"] == raum)]
            assert zelle == fmt.prozent(float(wert["wert"].iloc[0])), (raum, i.id)

    stadt = sm.load_lage(demo_pool, "2023", "Gesamtstadt")
    _, rows = _tabelle(sm.vergleich(stadt, daten).data)
    zahlen = {r[0]: [int(x) for x in r[1:]] for r in rows[1:]}
    summe = [
        sum(z[k] for n, z in zahlen.items() if n != "Gesamtstadt") for k in range(len(rows[0]) - 1)
    ]
    assert zahlen["Gesamtstadt"] == summe
    assert sum(zahlen["Gesamtstadt"][:-1]) == len(stadt.gebiete)
    assert zahlen["Gesamtstadt"][-1] == int(stadt.gebiete["aufmerksamkeit"].sum())


def test_a_city_whose_stadtviertel_are_all_too_small_has_no_index_and_says_why():
    """A small city (or a small demo, scale 0.05) may have no Stadtviertel above the minimum
    population: no mean can be taken, and every area is 'nicht bewertet' with its reason
    (it crashed with 'Weights sum to zero')."""
    jetzt, vorher = sechs()
    jetzt["bevoelkerung"] = 120
    vorher["bevoelkerung"] = 120
    g = si.jahr_berechnen(jetzt, vorher, config(["a", "b"]))[0].set_index("stadtviertel_nr")
    assert not g["bewertet"].any()
    assert (g["grund"] == "unter 300 Einwohner*innen").all()
    assert g["status_index"].isna().all() and (g["status_klasse"] == "nicht bewertet").all()
    assert not g["aufmerksamkeit"].any()
