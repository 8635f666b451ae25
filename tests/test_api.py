"""The analyst's workbench (issue 27): what the API finds, what it says when it finds nothing.

Each failure an analyst met with the old API is a test here, on the session's demo pool:
``kz.wert`` gave None for "2021", "2021-Q4", "31.12.2021", a misspelt Kennzahl and "west";
``kz.zeitreihe`` mixed several areas into one unlabelled series; an unknown Kennzahl gave
``kz.tabelle`` an empty table; Stadtviertel carried numbers but no names; the Sozialindex and
the catalog were not reachable from the API. Expectations come from the pool's own rows (or the
seed's figures), never from the function under test.
"""

from __future__ import annotations

import datetime as dt
import doctest
import inspect

import pandas as pd
import pytest

import kennzahlen as kz
from kennzahlen.api import abfragen as api
from kennzahlen.api import werkbank
from kennzahlen.catalog import geography
from kennzahlen.catalog import model as catalog
from kennzahlen.core import periods

HZE = "jh_hze_gesamt"  # seed: 548 on 31.12.2021 in the Gesamtstadt


@pytest.fixture(scope="module")
def pool(demo_pool):
    return kz.load_pool(demo_pool)


def _row(pool, kennzahl, raum, periode):
    rows = pool[
        (pool["kennzahl"] == kennzahl) & (pool["raum"] == raum) & (pool["periode"] == periode)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


# ------------------------------------------------------------------------------ kz.wert
@pytest.mark.parametrize(
    "periode",
    [
        "2021",
        "2021-Q4",
        "Q4/2021",
        "4. Quartal 2021",
        "31.12.2021",
        "2021-12-31",
        2021,
        dt.date(2021, 12, 31),
        pd.Timestamp("2021-12-31"),
    ],
)
def test_wert_reads_every_period_form_an_analyst_types(pool, periode):
    assert kz.wert(pool, HZE, "Gesamtstadt", periode) == 548  # seed figure
    assert type(kz.wert(pool, HZE, "Gesamtstadt", periode)) is int  # a count is an integer


def test_wert_of_a_yearly_share_and_an_area_in_any_case(pool):
    k = "jh_z5_anteil_hilfen_vor_dem_fall"
    row = _row(pool, k, "Wiblingen", "2021")
    assert kz.wert(pool, k, "wiblingen", "31.12.2021") == row["zaehler"] / row["nenner"]
    assert round(kz.wert(pool, k, "WIBLINGEN", 2021), 2) == 0.74  # seed
    assert kz.wert(pool, HZE, "west", "2021") == _row(pool, HZE, "West", "2021-12-31")["wert"]
    assert kz.wert(pool, "sgb2_quote", "mitte ost", "2023") == kz.wert(
        pool, "sgb2_quote", "Mitte/Ost", "2023"
    )


def test_a_misspelt_kennzahl_raises_with_the_nearest_names(pool):
    with pytest.raises(kz.KennzahlUnbekannt, match="meinten Sie 'jh_hze_gesamt'") as info:
        kz.wert(pool, "jh_hze_gesmt", "Gesamtstadt", "2021")
    assert isinstance(info.value, KeyError) and "kz.katalog()" in str(info.value)
    assert not str(info.value).startswith("'")  # a sentence, not KeyError's quoted repr


def test_a_kennzahl_by_its_catalog_title(pool):
    assert kz.wert(pool, "SGB-II-Quote", "West", "2023") == kz.wert(
        pool, "sgb2_quote", "West", "2023"
    )


def test_an_unknown_area_raises_with_the_nearest_names(pool):
    with pytest.raises(kz.RaumUnbekannt, match="meinten Sie 'Wiblingen'"):
        kz.wert(pool, HZE, "Wiblngen", "2021")
    with pytest.raises(kz.RaumUnbekannt, match="ist ein Stadtteil.*140 Nördliche Wagnerstraße"):
        kz.wert(pool, HZE, "Weststadt", "2021")


def test_a_period_outside_the_pool_names_the_nearest(pool):
    with pytest.raises(kz.PeriodeUnbekannt) as info:
        kz.wert(pool, "sgb2_quote", "West", "2030")
    text = str(info.value)
    assert "31.12.2019 bis 31.12.2023" in text and "am nächsten" in text
    with pytest.raises(kz.PeriodeUnbekannt, match="im Datenpool Jahreswerte.*Jahr 2021"):
        kz.wert(pool, "jh_z5_anteil_hilfen_vor_dem_fall", "West", "2021-Q3")


def test_a_period_that_is_no_period_lists_the_forms(pool):
    with pytest.raises(ValueError, match="nicht erkannt: erlaubt sind '2021' \\(Jahr\\)"):
        kz.wert(pool, HZE, "West", "letztes Jahr")
    with pytest.raises(kz.PeriodeUnbekannt, match="kein gültiges Datum"):
        kz.wert(pool, HZE, "West", "31.02.2021")


def test_a_year_of_a_quarterly_kennzahl_asks_for_the_quarter(pool):
    with pytest.raises(kz.PeriodeUnbekannt, match="mehrere Perioden.*4. Quartal 2021"):
        kz.wert(pool, "jh_hilfen_vor_dem_fall_quartal", "West", "2021")


def test_a_catalog_kennzahl_without_pool_values_says_why(pool):
    with pytest.raises(
        kz.KeinWert, match="noch nicht erhoben: Die Jugendhilfedaten aus ProSoz enthalten weder"
    ):
        kz.wert(pool, "jh_z1_anteil_hilfeende_zielerreichung", "West", "2021")


def test_no_value_at_a_level_the_kennzahl_lacks(pool):
    """jh_z5 exists per Sozialraum, not per Stadtviertel: KeinWert, never None or 0."""
    with pytest.raises(kz.KeinWert, match="Ebenen gesamtstadt, sozialraum"):
        kz.wert(pool, "jh_z5_anteil_hilfen_vor_dem_fall", "Altstadt", "2021")


# ------------------------------------------------------------------------------ tidy frames
def test_zeitreihe_of_several_areas_is_tidy_and_labelled(pool):
    t = kz.zeitreihe(pool, HZE, ["West", "Wiblingen"])
    assert list(t.columns) == [
        "kennzahl",
        "titel",
        "ebene",
        "raum",
        "raum_name",
        "periode",
        "zaehler",
        "nenner",
        "wert",
        "einheit",
    ]
    assert not t.duplicated(["raum", "periode"]).any()
    assert list(dict.fromkeys(t["raum_name"])) == ["West", "Wiblingen"]
    for raum in ("West", "Wiblingen"):
        mine = t[t["raum"] == raum].set_index("periode")["wert"]
        theirs = pool[(pool["kennzahl"] == HZE) & (pool["raum"] == raum)]
        assert mine.to_dict() == theirs.set_index("periode")["wert"].astype(int).to_dict()
        assert list(mine.index) == sorted(mine.index)
    assert str(t["wert"].dtype) == "Int64" and str(t["zaehler"].dtype) == "Int64"
    assert t["titel"].iloc[0] == "Hilfen zur Erziehung ohne UMA, gesamt"


def test_zeitreihe_wide_and_a_span(pool):
    wide = kz.zeitreihe(pool, HZE, ebene="sozialraum", von="2022", bis="Q2/2023", breit=True)
    assert list(wide.index) == ["2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"] + [
        "2023-03-31",
        "2023-06-30",
    ]
    assert list(wide.columns) == [*kz.sozialraeume(), "ohne Zuordnung"]
    assert wide.loc["2022-12-31", "West"] == _row(pool, HZE, "West", "2022-12-31")["wert"]
    assert all(str(d) == "Int64" for d in wide.dtypes)


def test_tabelle_with_an_unknown_kennzahl_raises_instead_of_an_empty_table(pool):
    with pytest.raises(kz.KennzahlUnbekannt, match="meinten Sie 'anteil_65plus'"):
        kz.tabelle(pool, ["bev_gesamt", "anteil_65pls"], "2023-12-31")
    with pytest.raises(kz.RaumUnbekannt, match="meinten Sie 'stadtviertel'"):
        kz.tabelle(pool, "bev_gesamt", "2023", ebene="stadtviertl")


def test_stadtviertel_carry_their_names(pool):
    rg = geography.raumgliederung().set_index("stadtviertel_nr")["stadtviertel"]
    tab = kz.tabelle(pool, "sgb2_quote", ["2019", "2023"], ebene="stadtviertel")
    assert list(tab.columns) == ["2019-12-31", "2023-12-31"]
    assert list(tab.index.names) == ["raum", "raum_name"]
    assert tab.index[0] == ("110", rg["110"]) and tab.index[-1] == ("Gesamtstadt", "Gesamtstadt")
    row = _row(pool, "sgb2_quote", "110", "2023-12-31")
    assert tab.loc[("110", "Altstadt"), "2023-12-31"] == row["zaehler"] / row["nenner"]
    t = kz.select(pool, "bev_gesamt", ebene="stadtviertel", periode="2023")
    assert (t["raum_name"] == t["raum"].map(rg)).all()
    assert kz.wert(pool, "bev_gesamt", "Altstadt", "2023") == kz.wert(
        pool, "bev_gesamt", 110, "2023"
    )


def test_tabelle_keeps_counts_integer_and_areas_in_order(pool):
    tab = kz.tabelle(pool, ["bev_gesamt", "jh_hze_gesamt", "sgb2_quote"], "2023")
    # HzE has cases without an address: "ohne Zuordnung" is a row (its population is 0)
    assert list(tab.index) == [*kz.sozialraeume(), "ohne Zuordnung", "Gesamtstadt"]
    for k in (HZE, "bev_gesamt"):
        assert tab.loc["ohne Zuordnung", k] == _row(pool, k, "ohne Zuordnung", "2023-12-31")["wert"]
    assert str(tab["bev_gesamt"].dtype) == "Int64" and tab["sgb2_quote"].dtype == float
    assert tab.loc["Gesamtstadt", "bev_gesamt"] == 130_276  # seed-calibrated demo figure


# ------------------------------------------------------------------------------ discoverable
def test_katalog_lists_every_kennzahl_with_what_the_pool_has(pool):
    k = kz.katalog(pool)
    assert list(k.index) == [x.id for x in kz.load_catalog().kennzahlen]
    quote = pool[pool["kennzahl"] == "sgb2_quote"]
    assert k.loc["sgb2_quote", "von"] == quote["periode"].min()
    assert k.loc["sgb2_quote", "bis"] == quote["periode"].max()
    assert k.loc["sgb2_quote", "perioden"] == quote["periode"].nunique()
    assert k.loc["sgb2_quote", "ebenen"] == "gesamtstadt, sozialraum, stadtviertel"
    assert k.loc["jh_z5_anteil_hilfen_vor_dem_fall", "ziel"] == 5
    assert k.loc["jh_z5_anteil_hilfen_vor_dem_fall", "arbeitsfeld"] == "Jugendhilfe"
    assert pd.isna(k.loc["jh_z1_anteil_hilfeende_zielerreichung", "von"])
    assert set(kz.katalog(pool, suche="SGB II").index) >= {"sgb2_quote", "sgb2_personen"}
    with pytest.raises(kz.KennzahlUnbekannt, match="Keine Kennzahl passt"):
        kz.katalog(pool, suche="Zuckerwatte")


def test_sozialindex_of_the_highest_class(pool, demo_pool):
    si = kz.sozialindex(pool, "2023", klasse="höchste")
    roh = kz.load_pool(demo_pool, "sozialindex")
    erwartet = roh[(roh["periode"] == "2023-12-31") & (roh["status_klasse"] == "sehr niedrig")]
    assert sorted(si["raum"]) == sorted(erwartet["stadtviertel_nr"]) and len(si) > 0
    rg = geography.raumgliederung().set_index("stadtviertel_nr")["stadtviertel"]
    assert list(si["raum_name"]) == [rg[n] for n in si["raum"]]
    assert si["status_index"].is_monotonic_decreasing
    assert kz.sozialindex(pool, "31.12.2023", klasse="Sehr Niedrig").equals(si)
    west = kz.sozialindex(pool, raum="West")  # newest year
    assert set(west["sozialraum"]) == {"West"} and set(west["periode"]) == {"2023-12-31"}
    with pytest.raises(kz.NichtGefunden, match="meinten Sie 'niedrig'"):
        kz.sozialindex(pool, "2023", klasse="niedrik")
    ind = kz.sozialindex(pool, "2023", klasse="höchste", indikatoren=True)
    assert set(ind["raum"]) == set(si["raum"]) and "z" in ind.columns


def test_ampel_of_a_quarter(pool, demo_pool):
    a = kz.ampel(pool, "Q4/2023", raum="west")
    roh = kz.load_pool(demo_pool, "ampel")
    erwartet = roh[(roh["quartal"] == "2023-Q4") & (roh["sozialraum"] == "West")]
    assert a["farbe"].tolist() == erwartet["farbe"].tolist() and len(a) == 5
    grid = kz.ampel(pool, "31.12.2023", breit=True)
    assert list(grid.index) == [*kz.sozialraeume(), "Gesamtstadt"]
    assert grid.loc["West"].tolist() == erwartet["farbe"].tolist()
    with pytest.raises(kz.RaumUnbekannt, match="nicht für das Stadtviertel 110"):
        kz.ampel(pool, "2023-Q4", raum="Altstadt")
    with pytest.raises(kz.PeriodeUnbekannt, match="am nächsten"):
        kz.ampel(pool, "2030-Q1")


def test_sozialindex_and_ampel_stay_modules(pool):
    """``kz.sozialindex`` and ``kz.ampel`` are the pipeline stages' packages, callable for
    analysts (kennzahlen.core.aufrufbar); the stages stay importable as before."""
    import kennzahlen.sozialindex
    from kennzahlen.sozialindex import berechnung

    assert kz.sozialindex is kennzahlen.sozialindex and callable(berechnung.pool_frames)
    assert "klasse" in inspect.signature(kz.sozialindex).parameters
    assert "quartal" in inspect.signature(kz.ampel).parameters
    assert kz.ampel.__call__.__doc__ == werkbank.ampel.__doc__


def test_grafik_in_the_house_style(pool):
    fig = kz.grafik(kz.zeitreihe(pool, "sgb2_quote", ["West", "Wiblingen"]))
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "SGB-II-Quote: zuletzt am höchsten in Wiblingen"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["West", "Wiblingen"]
    assert all(t.get_text().endswith("%") for t in ax.get_yticklabels() if t.get_text())
    assert "31.12.23" in [t.get_text() for t in ax.get_xticklabels()]
    assert "Fallzahlen unter 3 sind nicht gesperrt" in fig.kz_alt
    bars = kz.grafik(kz.select(pool, "sgb2_quote", [*kz.sozialraeume(), "Gesamtstadt"], "2023"))
    assert "Gestrichelte Linie: Gesamtstadt" in bars.kz_alt
    with pytest.raises(ValueError, match="lange Form"):
        kz.grafik(kz.zeitreihe(pool, HZE, breit=True))


def test_a_frame_remembers_its_pool_version(pool, demo_pool):
    assert kz.load_pool(pool, "stand").equals(kz.load_pool(demo_pool, "stand"))
    with pytest.raises(kz.api.PoolMissing, match="meinten Sie 'sozialindex'"):
        kz.load_pool(pool, "sozialindx")


def test_the_docstring_examples_run_on_the_demo_pool(pool):
    """Every example in the docstrings of the API is run and compared (doctest)."""
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for modul in (api, werkbank, periods, geography, catalog):
        res = doctest.testmod(modul, extraglobs={"kz": kz, "pool": pool}, optionflags=flags)
        assert res.failed == 0 and res.attempted > 0, modul.__name__
