"""Counting rules of the pool, checked on small hand-computed cases."""

from __future__ import annotations

import pandas as pd
import pytest

from kennzahlen.api import select, tabelle, wert, zeitreihe
from kennzahlen.api.auswahl import KeinWert, PeriodeUnbekannt
from kennzahlen.catalog import geography
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core.periods import perioden_fuer
from kennzahlen.core.schema import OHNE_ZUORDNUNG, TABLES
from kennzahlen.pool.zaehlen import PoolBuilder

RG = geography.raumgliederung()
STV2SR = geography.stadtviertel_to_sozialraum()
T = pd.Timestamp


def frame(table: str, rows: list[dict], stand: str = "2022-01-15") -> pd.DataFrame:
    """A normalised frame as the reader returns it."""
    spec = TABLES[table]
    df = pd.DataFrame(rows, columns=spec.column_names)
    for c in spec.columns:
        if c.kind == "date":
            df[c.name] = pd.to_datetime(df[c.name])
        elif c.kind == "bool":
            df[c.name] = df[c.name].astype(bool)
        elif c.kind in ("int", "count"):
            df[c.name] = df[c.name].astype("int64")
        elif c.kind == "decimal":  # amounts in Euro (ausgaben)
            df[c.name] = df[c.name].astype("float64")
        else:
            df[c.name] = df[c.name].astype(object).where(df[c.name].notna(), None)
    if spec.has_stadtviertel:
        df["sozialraum"] = df["stadtviertel_nr"].map(STV2SR).fillna(OHNE_ZUORDNUNG)
    elif "sozialraum" in df:
        df["sozialraum"] = df["sozialraum"].fillna(OHNE_ZUORDNUNG)
    df["stand"] = pd.Timestamp(stand)
    df["datei"] = f"{table}_{stand}.csv"
    return df


def files(**stands: list[str]) -> pd.DataFrame:
    rows = [
        {"datei": f"{t}_{s}.csv", "tabelle": t, "stand": pd.Timestamp(s), "zeilen": 1}
        for t, ss in stands.items()
        for s in ss
    ]
    return pd.DataFrame(rows)


def build(tables: dict[str, pd.DataFrame], manifest: pd.DataFrame) -> pd.DataFrame:
    full = {name: tables.get(name, frame(name, [])) for name in TABLES}
    return PoolBuilder(full, load_catalog(), RG, manifest).build()


def jh(fid, beginn, ende=None, stv="110", setting="ambulant", uma=False, paragraph="31"):
    return dict(
        fall_id=fid,
        paragraph=paragraph,
        setting=setting,
        uma=uma,
        beginn=beginn,
        ende=ende,
        stadtviertel_nr=stv,
    )


def test_bestand_edges_on_the_stichtag():
    """Ends on S: counts. Starts on S: counts. Ended the day before: not. Open: counts."""
    rows = [
        jh("a", "2021-01-05", "2021-12-31"),  # ends on the Stichtag
        jh("b", "2021-12-31"),  # starts on the Stichtag, open
        jh("c", "2020-06-01", "2021-12-30"),  # ended the day before
        jh("d", "2019-03-01"),  # open-ended
        jh("e", "2022-01-01"),  # starts after
    ]
    pool = build(
        {"jugendhilfe": frame("jugendhilfe", rows)}, files(jugendhilfe=["2019-04-10", "2022-01-15"])
    )
    assert wert(pool, "jh_hze_gesamt", "Gesamtstadt", "2021-12-31") == 3  # a, b, d
    assert wert(pool, "jh_hze_gesamt", "Gesamtstadt", "2021-09-30") == 3  # a, c, d
    assert wert(pool, "jh_hze_gesamt", "Gesamtstadt", "2019-03-31") == 1  # d


def test_uma_and_setting_split_and_totals():
    rows = [
        jh("a", "2021-01-01", setting="ambulant"),
        jh("b", "2021-01-01", setting="stationaer"),
        jh("c", "2021-01-01", setting="stationaer", uma=True),
        jh("d", "2021-01-01", setting="ambulant", uma=True),
        jh("e", "2021-01-01", setting="stationaer", uma=True),
    ]
    pool = build(
        {"jugendhilfe": frame("jugendhilfe", rows)}, files(jugendhilfe=["2021-04-10", "2022-01-15"])
    )
    p = "2021-12-31"
    assert wert(pool, "jh_hze_ambulant", "Gesamtstadt", p) == 1
    assert wert(pool, "jh_hze_stationaer", "Gesamtstadt", p) == 1
    assert wert(pool, "jh_hze_gesamt", "Gesamtstadt", p) == 2
    assert wert(pool, "jh_uma_stationaer", "Gesamtstadt", p) == 2
    assert wert(pool, "jh_uma_gesamt", "Gesamtstadt", p) == 3


def test_ohne_zuordnung_and_gesamtstadt_is_sum_of_sozialraeume():
    rows = [
        jh("a", "2021-01-01", stv="110"),  # Mitte/Ost
        jh("b", "2021-01-01", stv="186"),  # Wiblingen
        jh("c", "2021-01-01", stv="186"),
        jh("d", "2021-01-01", stv=None),  # address unknown
    ]
    pool = build(
        {"jugendhilfe": frame("jugendhilfe", rows)}, files(jugendhilfe=["2021-04-10", "2022-01-15"])
    )
    p = "2021-12-31"
    sel = select(pool, "jh_hze_gesamt", periode=p)
    sr = sel[sel["ebene"] == "sozialraum"].set_index("raum")["wert"]
    assert sr["Mitte/Ost"] == 1 and sr["Wiblingen"] == 2 and sr[OHNE_ZUORDNUNG] == 1
    assert sr["Böfingen"] == 0  # a counted zero is a row
    assert sr.sum() == wert(pool, "jh_hze_gesamt", "Gesamtstadt", p) == 4
    stv = sel[sel["ebene"] == "stadtviertel"].set_index("raum")["wert"]
    assert stv["186"] == 2 and stv.sum() == 3  # the unknown address is in no Stadtviertel
    assert len(stv) == len(RG)


def test_hilfen_vor_dem_fall_year_to_date_and_no_stadtviertel_ebene():
    rows = [
        dict(beratung_id="1", beginn="2020-12-31", sozialraum="West"),
        dict(beratung_id="2", beginn="2021-01-01", sozialraum="West"),
        dict(beratung_id="3", beginn="2021-03-31", sozialraum="Wiblingen"),
        dict(beratung_id="4", beginn="2021-04-01", sozialraum=None),
        dict(beratung_id="5", beginn="2021-12-31", sozialraum="West"),
    ]
    pool = build(
        {"hilfen_vor_dem_fall": frame("hilfen_vor_dem_fall", rows)},
        files(hilfen_vor_dem_fall=["2020-04-10", "2022-01-15"]),
    )
    k = "jh_hilfen_vor_dem_fall"
    assert wert(pool, k, "Gesamtstadt", "2021-03-31") == 2
    assert wert(pool, k, "Gesamtstadt", "2021-06-30") == 3
    assert wert(pool, k, "Gesamtstadt", "2021-12-31") == 4
    # the data begin in 2020-Q4 (earliest beginn 31.12.2020): 2020's year to date is not covered
    with pytest.raises(PeriodeUnbekannt, match="31.03.2021 bis 31.12.2021"):
        wert(pool, k, "Gesamtstadt", "2020-12-31")
    assert wert(pool, k, OHNE_ZUORDNUNG, "2021-12-31") == 1
    assert wert(pool, k, "West", "2021-12-31") == 2
    with pytest.raises(KeinWert, match="Ebenen gesamtstadt, sozialraum"):
        select(pool, k, ebene="stadtviertel")


def test_jh_z5_in_the_course_of_a_year():
    """Zähler: HvdF begun in the year; Nenner: that + HzE (uma = nein) im Verlauf."""
    hvdf = [dict(beratung_id=str(i), beginn="2021-05-01", sozialraum="West") for i in range(8)]
    hvdf.append(dict(beratung_id="x", beginn="2020-05-01", sozialraum="West"))  # other year
    hze = [
        jh("a", "2020-01-01", "2021-01-01", stv="140"),  # ends on 01.01.: in the course
        jh("b", "2021-12-31", stv="140"),  # begins on 31.12.: in the course
        jh("c", "2019-01-01", "2020-12-31", stv="140"),  # ended before the year
        jh("d", "2021-02-01", "2021-03-01", stv="140", uma=True),  # UMA: not counted
    ]
    pool = build(
        {
            "hilfen_vor_dem_fall": frame("hilfen_vor_dem_fall", hvdf),
            "jugendhilfe": frame("jugendhilfe", hze),
        },
        files(
            hilfen_vor_dem_fall=["2019-04-10", "2022-01-15"],
            jugendhilfe=["2019-04-10", "2022-01-15"],
        ),
    )
    row = select(pool, "jh_z5_anteil_hilfen_vor_dem_fall", "West", "2021")
    assert row["zaehler"].iloc[0] == 8 and row["nenner"].iloc[0] == 10
    assert row["wert"].iloc[0] == pytest.approx(0.8)
    # 2022 is not covered by any export: no row, never a made-up value
    with pytest.raises(PeriodeUnbekannt, match="am nächsten: Jahr 2021"):
        select(pool, "jh_z5_anteil_hilfen_vor_dem_fall", periode="2022")


def test_share_with_zero_denominator_has_no_row_and_quarter_abdeckung():
    rows = [
        dict(beratung_id="1", datum="2020-11-03", sozialraum="West", ressourcen="nahfeld"),
        dict(beratung_id="2", datum="2020-12-01", sozialraum="West", ressourcen="institutionell"),
        dict(
            beratung_id="3",
            datum="2020-12-02",
            sozialraum="West",
            ressourcen="institutionell_und_nahfeld",
        ),
        dict(beratung_id="4", datum="2021-01-10", sozialraum="Eselsberg", ressourcen="nahfeld"),
    ]
    pool = build(
        {"teilhabeteam": frame("teilhabeteam", rows)},
        files(teilhabeteam=["2021-01-12", "2021-04-12"]),
    )
    k = "egh_z2_anteil_nahfeld"
    assert wert(pool, k, "West", "2020-Q4") == pytest.approx(2 / 3)
    with pytest.raises(KeinWert, match="Nenner 0"):  # 0 cases: no share
        wert(pool, k, "Eselsberg", "2020-Q4")
    assert wert(pool, k, "Eselsberg", "2021-Q1") == 1.0
    assert sorted(select(pool, k)["periode"].unique()) == ["2020-Q4", "2021-Q1"]  # not before


def test_a_share_of_nenner_0_stays_in_the_pool_marked_and_is_no_value_anywhere(tmp_path):
    """Issue 29: the pool keeps the row of a share whose Nenner is 0 (Zähler 0, Nenner 0, wert
    empty), so every area's parts are there; no reader takes it for a value or for data."""
    import numpy as np

    from kennzahlen.api import perioden
    from kennzahlen.pool.load import leer, werte
    from kennzahlen.runner.fuellbar import _quarters_of, _read_pool_periods
    from kennzahlen.statistik.intervalle import mit_intervallen

    rows = [
        dict(beratung_id="1", datum="2020-11-03", sozialraum="West", ressourcen="nahfeld"),
        dict(beratung_id="2", datum="2021-01-10", sozialraum="West", ressourcen="nahfeld"),
    ]
    pool = build(
        {"teilhabeteam": frame("teilhabeteam", rows)},
        files(teilhabeteam=["2021-01-12", "2021-04-12"]),
    )
    k = "egh_z2_anteil_nahfeld"
    sub = pool[(pool["kennzahl"] == k) & (pool["raum"] == "Eselsberg")]
    assert sub["periode"].tolist() == ["2020-Q4", "2021-Q1"]  # the rows stay (no cases there)
    assert sub["zaehler"].tolist() == [0, 0] and sub["nenner"].tolist() == [0, 0]
    assert sub["wert"].isna().all()  # a share of nothing: no value, never 0
    assert leer(pool).sum() == len(pool[(pool["kennzahl"] == k) & (pool["nenner"] == 0)])
    # the interval of a share of nothing is empty too
    iv = mit_intervallen(sub, load_catalog())
    assert iv["ki95_unten"].isna().all() and iv["ki95_oben"].isna().all()
    # readers: the API finds no value there, and lists no period for the marked rows alone
    with pytest.raises(KeinWert, match="Nenner 0"):
        wert(pool, k, "Eselsberg", "2020-Q4")
    assert "Eselsberg" not in set(select(pool, k)["raum"])
    # the runner: a quarter that only marked rows reach has no data to fill a report with
    nur_leer = pool[leer(pool)].assign(periode="2022-Q3")
    gemischt = pd.concat([werte(pool), nur_leer], ignore_index=True)
    gemischt["nenner"] = gemischt["nenner"].astype("Int64")
    gemischt.to_parquet(tmp_path / "kennzahlen.parquet")
    daten, details = _read_pool_periods(tmp_path)
    assert "2022-Q3" not in _quarters_of(daten, details)
    assert perioden(gemischt, k) == ["2020-Q4", "2021-Q1"]
    assert np.isfinite(werte(pool)["wert"].to_numpy(dtype=float)).all()


def test_population_shares_and_rates():
    bev = [
        dict(
            stichtag="2021-12-31",
            stadtviertel_nr="110",
            alter=5,
            geschlecht="w",
            staatsangehoerigkeit="deutsch",
            migrationshintergrund=False,
            anzahl=30,
        ),
        dict(
            stichtag="2021-12-31",
            stadtviertel_nr="110",
            alter=70,
            geschlecht="m",
            staatsangehoerigkeit="nichtdeutsch",
            migrationshintergrund=True,
            anzahl=10,
        ),
        dict(
            stichtag="2021-12-31",
            stadtviertel_nr="186",
            alter=40,
            geschlecht="m",
            staatsangehoerigkeit="deutsch",
            migrationshintergrund=True,
            anzahl=60,
        ),
    ]
    tl = [
        dict(stichtag="2021-12-31", stadtviertel_nr="110", leistung="sgb2", personen=9),
        dict(stichtag="2021-12-31", stadtviertel_nr="186", leistung="sgb2", personen=6),
        dict(stichtag="2021-12-31", stadtviertel_nr=None, leistung="sgb2", personen=3),
    ]
    ws = [
        dict(
            meldung_id="m1",
            datum="2021-02-01",
            art="mietschulden",
            meldende_stelle="uws",
            stadtviertel_nr="110",
        ),
        dict(
            meldung_id="m2",
            datum="2021-11-01",
            art="mietschulden",
            meldende_stelle="klient",
            stadtviertel_nr=None,
        ),
        dict(
            meldung_id="m3",
            datum="2021-11-01",
            art="raeumungsklage",
            meldende_stelle="amtsgericht",
            stadtviertel_nr="186",
        ),
    ]
    pool = build(
        {
            "bevoelkerung": frame("bevoelkerung", bev),
            "transferleistungen": frame("transferleistungen", tl),
            "wohnraumsicherung": frame("wohnraumsicherung", ws),
        },
        files(
            bevoelkerung=["2022-01-20"],
            transferleistungen=["2022-01-20"],
            wohnraumsicherung=["2021-04-10", "2022-01-20"],
        ),
    )
    p = "2021-12-31"
    assert wert(pool, "bev_gesamt", "Gesamtstadt", p) == 100
    assert wert(pool, "anteil_unter18", "Gesamtstadt", p) == pytest.approx(0.30)
    assert wert(pool, "anteil_65plus", "110", p) == pytest.approx(0.25)
    assert wert(pool, "anteil_migrationshintergrund", "Gesamtstadt", p) == pytest.approx(0.70)
    # SGB II quote: sgb2 persons / population aged 0-64 (90); ohne Zuordnung persons count for the
    # city
    assert wert(pool, "sgb2_quote", "Gesamtstadt", p) == pytest.approx(18 / 90)
    assert wert(pool, "sgb2_quote", "Mitte/Ost", p) == pytest.approx(9 / 30)
    with pytest.raises(KeinWert):  # no population there
        wert(pool, "sgb2_quote", OHNE_ZUORDNUNG, p)
    assert wert(pool, "sgb2_leistungsberechtigte", "Gesamtstadt", p) == 18
    # rates per 1,000 on 31.12. of the year
    assert wert(pool, "ws_z5_mietschulden_je_1000", "Gesamtstadt", "2021") == pytest.approx(
        2 / 100 * 1000
    )
    assert wert(pool, "ws_mietschulden_meldungen", "Gesamtstadt", "2021") == 2
    assert wert(pool, "ws_z5_raeumungsklagen_je_1000", "Wiblingen", "2021") == pytest.approx(
        1 / 60 * 1000
    )


def test_periods():
    ps = perioden_fuer("jahr", T("2019-01-01"), T("2021-12-31"))
    assert [p.label for p in ps] == ["2019", "2020", "2021"]
    qs = perioden_fuer("quartal", T("2020-10-01"), T("2021-06-30"))
    assert [q.label for q in qs] == ["2020-Q4", "2021-Q1", "2021-Q2"]
    assert qs[0].start == T("2020-10-01") and qs[0].end == T("2020-12-31")


def test_api_helpers():
    rows = [jh("a", "2021-01-01", stv="186"), jh("b", "2021-06-01", stv="110")]
    pool = build(
        {"jugendhilfe": frame("jugendhilfe", rows)}, files(jugendhilfe=["2021-04-10", "2021-07-15"])
    )
    ts = zeitreihe(pool, "jh_hze_gesamt", "Gesamtstadt")
    assert list(ts["periode"]) == ["2021-03-31", "2021-06-30"] and list(ts["wert"]) == [1, 2]
    wide = tabelle(pool, ["jh_hze_gesamt", "jh_uma_gesamt"], "2021-06-30")
    assert (
        wide.loc["Wiblingen", "jh_hze_gesamt"] == 1
        and wide.loc["Gesamtstadt", "jh_hze_gesamt"] == 2
    )
    assert list(wide.index)[-1] == "Gesamtstadt"
