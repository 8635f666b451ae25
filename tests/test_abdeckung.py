"""The Abdeckung (DATA_CONTRACT.md section 3): one full export gives the whole history; config can
start a table later; the pool stores the Abdeckung and reports say from when a series runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from exporte import merge_exports
from test_pool import files, frame, jh

from kennzahlen.api import load_pool, select, wert
from kennzahlen.api.auswahl import KeinWert
from kennzahlen.catalog import geography
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core.schema import TABLES
from kennzahlen.pipeline import build_pool_frames
from kennzahlen.pool import abdeckung
from kennzahlen.pool.load import werte
from kennzahlen.pool.zaehlen import PoolBuilder

T = pd.Timestamp
KEY = ["kennzahl", "ebene", "raum", "periode"]


# ------------------------------------------------------------------ the demo as one full export
@pytest.fixture(scope="module")
def merged(demo_raw: Path, tmp_path_factory) -> tuple[Path, dict[str, pd.DataFrame]]:
    """The demo's quarterly exports merged into ONE export per table (latest version of each
    record), and the pool built from it."""
    raw = tmp_path_factory.mktemp("ein_export") / "raw"
    merge_exports(demo_raw, raw)
    frames, _ = build_pool_frames(raw)
    return raw, frames


def test_merged_raw_has_one_export_per_table(merged, demo_raw):
    raw, frames = merged
    names = sorted(p.name for p in raw.iterdir())
    tables = sorted({p.name.rsplit("_", 1)[0] for p in demo_raw.glob("*_????-??-??.*")})
    assert len(names) == len(tables) == frames["stand"]["tabelle"].nunique()


def test_one_full_export_gives_the_values_of_the_quarterly_exports(merged, demo_pool):
    """Every value the quarterly exports give, the one export gives identically, and no more."""
    _, frames = merged
    quarterly = load_pool(demo_pool)
    single = werte(frames["kennzahlen"])  # the values (load_pool leaves out rows of Nenner 0)
    leer = load_pool(demo_pool, leere=True).merge(frames["kennzahlen"], on=KEY, indicator=True)
    assert len(leer) == len(frames["kennzahlen"])  # the rows of Nenner 0 are the same too
    both = quarterly.merge(single, on=KEY, how="outer", suffixes=("_q", "_1"), indicator=True)
    only = both[both["_merge"] != "both"]
    assert only.empty, only[[*KEY, "_merge"]].head(20).to_string()
    assert (both["zaehler_q"] == both["zaehler_1"]).all()
    assert both["nenner_q"].astype("Float64").equals(both["nenner_1"].astype("Float64"))
    assert (both["wert_q"] == both["wert_1"]).all()
    ampel_q = load_pool(demo_pool, "ampel")
    pd.testing.assert_frame_equal(
        ampel_q.reset_index(drop=True), frames["ampel"].reset_index(drop=True)
    )


def test_one_full_export_gives_every_quarter_and_year_of_its_data(merged):
    _, frames = merged
    pool = frames["kennzahlen"]
    stichtage = [
        d.strftime("%Y-%m-%d") for d in pd.date_range("2019-03-31", "2023-12-31", freq="QE")
    ]

    def perioden(k: str) -> list[str]:
        return sorted(select(pool, k, raum="Gesamtstadt")["periode"])

    assert perioden("jh_hze_gesamt") == stichtage
    assert perioden("jh_hilfen_vor_dem_fall") == stichtage  # year to date, from 31.03.2019 on
    assert perioden("es_gsi_gesamt") == stichtage
    assert perioden("jh_z5_anteil_hilfen_vor_dem_fall") == ["2019", "2020", "2021", "2022", "2023"]
    assert perioden("egh_z2_anteil_nahfeld")[0] == "2020-Q4"  # collected since 2020-Q4
    # the council paper's figures come out of the single export
    assert wert(pool, "jh_hilfen_vor_dem_fall", "Gesamtstadt", "2021-12-31") == 3853
    assert round(wert(pool, "jh_z5_anteil_hilfen_vor_dem_fall", "Gesamtstadt", "2020"), 2) == 0.84
    assert round(wert(pool, "jh_z5_anteil_hilfen_vor_dem_fall", "Gesamtstadt", "2021"), 2) == 0.80
    assert round(wert(pool, "jh_z5_anteil_hilfen_vor_dem_fall", "Wiblingen", "2021"), 2) == 0.74


def test_demo_case_tables_start_where_config_says(demo_pool):
    """The demo's case exports are lists of the cases active from 2019-Q1 on (closed earlier:
    missing), so config/abdeckung.yaml starts them on 01.01.2019: no stock before is made up."""
    cov = load_pool(demo_pool, "abdeckung").set_index("tabelle")
    for t in ("jugendhilfe", "sozialhilfe", "fallmanagement"):
        assert cov.loc[t, "grund"] == "config" and cov.loc[t, "von"] == T("2019-01-01")
        assert cov.loc[t, "erstes_datum"] < T("2019-01-01")  # cases begun earlier are in the data
        assert cov.loc[t, "bis"] == T("2023-12-31")
    assert cov.loc["hilfen_vor_dem_fall", "grund"] == "daten"
    assert cov.loc["teilhabeteam", "von"] == T("2020-10-01")
    assert (
        cov.loc["bevoelkerung", "art"] == "stichtage" and cov.loc["bevoelkerung", "stichtage"] == 6
    )
    pool = load_pool(demo_pool)
    assert min(select(pool, "jh_hze_gesamt")["periode"]) == "2019-03-31"


# ------------------------------------------------------------------ the rule on small cases
def _frame(table: str, rows: list[dict], stand: str) -> pd.DataFrame:
    df = frame(table, rows, stand)
    df.attrs["stand"] = stand
    return df


def _builder(tables: dict[str, pd.DataFrame], ab: dict | None = None) -> PoolBuilder:
    full = {name: tables.get(name, frame(name, [])) for name in TABLES}
    manifest = files(**{n: [f.attrs["stand"]] for n, f in tables.items()})
    return PoolBuilder(full, load_catalog(), geography.raumgliederung(), manifest, ab)


JH = [jh("a", "2018-05-10", "2019-01-31"), jh("b", "2018-11-02"), jh("c", "2019-02-20")]


def test_abdeckung_from_the_quarter_of_the_earliest_beginn_to_the_newest_stand():
    b = _builder({"jugendhilfe": _frame("jugendhilfe", JH, "2019-07-08")})
    pool = b.build()
    got = select(pool, "jh_hze_gesamt", raum="Gesamtstadt").set_index("periode")["wert"]
    # 2018-Q2 (earliest beginn 10.05.2018) up to 30.06.2019 (last quarter end before the Stand)
    assert got.to_dict() == {
        "2018-06-30": 1,
        "2018-09-30": 1,
        "2018-12-31": 2,
        "2019-03-31": 2,
        "2019-06-30": 2,
    }
    row = b.abdeckung().set_index("tabelle").loc["jugendhilfe"]
    assert (row["von"], row["bis"], row["grund"]) == (T("2018-04-01"), T("2019-06-30"), "daten")


def test_config_date_starts_abdeckung_later():
    b = _builder(
        {"jugendhilfe": _frame("jugendhilfe", JH, "2019-07-08")}, {"jugendhilfe": T("2019-01-01")}
    )
    got = select(b.build(), "jh_hze_gesamt", raum="Gesamtstadt")["periode"].tolist()
    assert sorted(got) == ["2019-03-31", "2019-06-30"]
    row = b.abdeckung().set_index("tabelle").loc["jugendhilfe"]
    assert (row["von"], row["grund"]) == (T("2019-01-01"), "config")
    # a date inside a quarter: the stock on that quarter's end is covered, its events are not
    hv = [dict(beratung_id=str(i), beginn=f"2019-0{i}-15", sozialraum="West") for i in range(1, 8)]
    b = _builder(
        {"hilfen_vor_dem_fall": _frame("hilfen_vor_dem_fall", hv, "2020-01-20")},
        {"hilfen_vor_dem_fall": T("2019-02-15")},
    )
    pool = b.build()
    with pytest.raises(KeinWert):  # year to date 2019 is not complete
        select(pool, "jh_hilfen_vor_dem_fall")
    # a config date earlier than the data changes nothing
    b = _builder(
        {"jugendhilfe": _frame("jugendhilfe", JH, "2019-07-08")}, {"jugendhilfe": T("2010-01-01")}
    )
    assert b.abdeckung().set_index("tabelle").loc["jugendhilfe", "grund"] == "daten"


def test_year_to_date_and_years_need_the_whole_year():
    hv = [
        dict(beratung_id="1", beginn="2020-05-04", sozialraum="West"),
        dict(beratung_id="2", beginn="2021-03-01", sozialraum="West"),
    ]
    pool = _builder(
        {"hilfen_vor_dem_fall": _frame("hilfen_vor_dem_fall", hv, "2022-01-20")}
    ).build()
    got = sorted(select(pool, "jh_hilfen_vor_dem_fall", raum="Gesamtstadt")["periode"])
    # data from 2020-Q2: the year to date on 30.06.2020 would miss 2020-Q1 -> first value 2021-03-31
    assert got == ["2021-03-31", "2021-06-30", "2021-09-30", "2021-12-31"]


def test_a_table_without_rows_has_no_abdeckung_unless_config_says():
    b = _builder({"wohnraumsicherung": _frame("wohnraumsicherung", [], "2022-01-20")})
    with pytest.raises(KeinWert, match="keine Werte"):
        select(b.build(), "ws_mietschulden_meldungen")
    b = _builder(
        {"wohnraumsicherung": _frame("wohnraumsicherung", [], "2022-01-20")},
        {"wohnraumsicherung": T("2021-01-01")},
    )
    assert wert(b.build(), "ws_mietschulden_meldungen", "Gesamtstadt", "2021") == 0  # counted: none


# ------------------------------------------------------------------ build date and config file
def test_future_stand_stops_the_build_naming_the_file(demo_raw, tmp_path):
    from kennzahlen.reading.problems import InvalidInput
    from kennzahlen.reading.text import parse_file_name

    with pytest.raises(InvalidInput) as info:
        build_pool_frames(demo_raw, heute=dt.date(2023, 10, 1))
    files = {p.datei for p in info.value.problems}
    stands = {f.name: parse_file_name(f.name) for f in demo_raw.iterdir()}
    expected = {n for n, ts in stands.items() if ts and ts[1] > dt.date(2023, 10, 1)}
    assert files == expected and {"jugendhilfe", "bevoelkerung"} <= {stands[f][0] for f in files}
    assert all("liegt nach dem Tag des Laufs (01.10.2023)" in str(p) for p in info.value.problems)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "vollstaendig_ab:\n  jugendhilfen: 2019-01-01\n",
            "vollstaendig_ab.jugendhilfen: unbekannte Tabelle",
        ),
        (
            "vollstaendig_ab:\n  jugendhilfe: 2019-13-01\n",
            "vollstaendig_ab.jugendhilfe: Datum nicht lesbar: '2019-13-01'",
        ),
        (
            "vollstaendig_ab:\n  bevoelkerung: 2019-01-01\n",
            "'bevoelkerung' hat kein Beginn-/Ereignisdatum",
        ),
        ("ab:\n  jugendhilfe: 2019-01-01\n", "erwartet nur den Abschnitt 'vollstaendig_ab:'"),
        ("vollstaendig_ab: [\n", "kein gültiges YAML"),
    ],
)
def test_config_errors_are_german_and_name_file_and_entry(tmp_path, text, fragment):
    path = tmp_path / "abdeckung.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(abdeckung.AbdeckungConfigError) as info:
        abdeckung.load_config(path)
    assert str(path) in str(info.value) and fragment in str(info.value)


def test_config_dates_in_both_forms(tmp_path):
    path = tmp_path / "abdeckung.yaml"
    path.write_text(
        "vollstaendig_ab:\n  jugendhilfe: 2019-01-01\n  sozialhilfe: '15.02.2020'\n", "utf-8"
    )
    assert abdeckung.load_config(path) == {
        "jugendhilfe": T("2019-01-01"),
        "sozialhilfe": T("2020-02-15"),
    }
    assert abdeckung.load_config(tmp_path / "fehlt.yaml") == {}


# ------------------------------------------------------------------ the sentence under a series
def test_sentence_names_start_and_reason(demo_pool):
    pool, cov = load_pool(demo_pool), load_pool(demo_pool, "abdeckung")
    s = abdeckung.reihen_hinweis(
        pool, cov, ["jh_z5_anteil_hilfen_vor_dem_fall"], "2019", einheit="jahr"
    )
    assert s == (
        "Die Reihe beginnt 2019, weil die Exporte der Jugendhilfe erst ab "
        "dem 1. Quartal 2019 vollständig sind und die Exporte der Hilfen vor dem Fall Daten ab "
        "dem 1. Quartal 2019 enthalten."
    )
    jahresende = pool[pool["periode"].str.endswith("-12-31")]
    s = abdeckung.reihen_hinweis(
        jahresende,
        cov,
        {"bev_gesamt": "Einwohner*innen", "sgb2_quote": "SGB-II-Quote"},
        "2018-12-31",
        raum="Gesamtstadt",
        einheit="jahr",
    )
    assert s == (
        "Die Reihe beginnt 2018, weil die Bevölkerungszahlen ab dem Stichtag 31.12.2018 "
        "geliefert sind; SGB-II-Quote erst ab 2019, weil die Zahlen der Transferleistungen ab dem "
        "Stichtag 31.03.2019 geliefert sind."
    )
    s = abdeckung.reihen_hinweis(pool, cov, ["egh_z2_anteil_nahfeld"], "2020-Q4", einheit="quartal")
    assert s == (
        "Die Reihe beginnt mit dem 4. Quartal 2020, weil die Exporte der Teilhabeteams Daten ab "
        "dem 4. Quartal 2020 enthalten."
    )
    # a chart showing a window of the data says so
    s = abdeckung.reihen_hinweis(
        pool, cov, ["sgb2_leistungsberechtigte"], "2021-03-31", raum="West"
    )
    assert s == (
        "Die Reihe zeigt den Ausschnitt ab dem 31.03.2021; die Daten reichen zurück bis zum "
        "31.03.2019, weil die Zahlen der Transferleistungen ab dem Stichtag 31.03.2019 geliefert "
        "sind."
    )
    # tables with the same reason and start are named together
    s = abdeckung.reihen_hinweis(
        pool,
        cov,
        ["jh_hze_gesamt", "es_gsi_gesamt", "ah_fallmanagement"],
        "2019-Q1",
        einheit="quartal",
        was="Der Verlauf",
    )
    assert s == (
        "Der Verlauf beginnt mit dem 1. Quartal 2019, weil die Exporte des Fallmanagements, der "
        "Jugendhilfe und der Sozialhilfe erst ab dem 1. Quartal 2019 "
        "vollständig sind."
    )
    assert abdeckung.reihen_hinweis(
        pool, cov, ["jh_hze_gesamt"], "2019-03-31", bis="2018-12-31"
    ) == ("Die Reihe hat keine Werte: keine Lieferung deckt einen Zeitraum dafür ab.")
