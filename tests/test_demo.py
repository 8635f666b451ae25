"""The demo deliveries: refusal, determinism, formats and the calibration of GD 072/23.

The figures are counted here with a small self-contained reader (pandas only, superseding by
the newest Stand per key), independent of kennzahlen.reading.raw / kennzahlen.pool.zaehlen.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from kennzahlen.catalog.geography import stadtviertel_to_sozialraum
from kennzahlen.core.schema import TABLES
from kennzahlen.demo import write_demo

FILE_RE = re.compile(r"^(?P<table>[a-z_]+)_(?P<stand>\d{4}-\d{2}-\d{2})\.(?P<ext>csv|xlsx)$")
SOZIALRAEUME = ("Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen")


# ----------------------------------------------------------------------- reference reader
def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252"


def _read_file(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        df = pd.read_excel(path, dtype=str).fillna("")
    else:
        text, _ = _decode(path.read_bytes())
        sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    df.columns = [c.strip().lower() for c in df.columns]
    return df


def _date(s: pd.Series) -> pd.Series:
    s = s.str.strip()
    iso = pd.to_datetime(s.where(s.str.match(r"^\d{4}-\d{2}-\d{2}$")), format="%Y-%m-%d")
    de = pd.to_datetime(s.where(s.str.match(r"^\d{2}\.\d{2}\.\d{4}$")), format="%d.%m.%Y")
    out = iso.fillna(de)
    bad = s[(s != "") & out.isna()]
    assert bad.empty, f"unparseable dates: {bad.head().tolist()}"
    return out


def _bool(s: pd.Series) -> pd.Series:
    s = s.str.strip().str.lower()
    assert s.isin(["ja", "nein", "j", "n", "1", "0", "true", "false"]).all()
    return s.isin(["ja", "j", "1", "true"])


def read_table(folder: Path, table: str) -> pd.DataFrame:
    """All files of a table, typed, newest Stand per key."""
    spec = TABLES[table]
    frames = []
    for path in sorted(folder.iterdir()):
        m = FILE_RE.match(path.name)
        if not m or m["table"] != table:
            continue
        df = _read_file(path)
        missing = set(spec.column_names) - set(df.columns)
        assert not missing, f"{path.name}: missing {missing}"
        df = df[spec.column_names].copy()
        df["stand"] = pd.Timestamp(m["stand"])
        frames.append(df)
    assert frames, f"no files for {table}"
    df = pd.concat(frames, ignore_index=True)
    for c in spec.columns:
        if c.kind == "date":
            df[c.name] = _date(df[c.name])
        elif c.kind == "bool":
            df[c.name] = _bool(df[c.name])
        elif c.kind in ("int", "count"):
            df[c.name] = df[c.name].astype("int64")
    key = list(spec.key)
    df = df.sort_values("stand", kind="stable").drop_duplicates(key, keep="last")
    if "stadtviertel_nr" in df.columns:
        sr = stadtviertel_to_sozialraum()
        df["sozialraum"] = df["stadtviertel_nr"].map(sr).fillna("ohne Zuordnung")
    elif "sozialraum" in df.columns:
        df["sozialraum"] = df["sozialraum"].replace("", "ohne Zuordnung")
    return df.reset_index(drop=True)


def stock(df: pd.DataFrame, day: str) -> pd.Series:
    s = pd.Timestamp(day)
    return (df["beginn"] <= s) & (df["ende"].isna() | (df["ende"] >= s))


def im_verlauf(df: pd.DataFrame, year: int) -> pd.Series:
    a, b = pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-12-31")
    return (df["beginn"] <= b) & (df["ende"].isna() | (df["ende"] >= a))


def in_year(s: pd.Series, year: int) -> pd.Series:
    return s.dt.year == year


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def demo(demo_raw: Path) -> Path:
    """The default demo (``write_demo(out)``): the session's deliveries, written by the default
    call in another process (or earlier in this one), read-only."""
    return demo_raw


@pytest.fixture(scope="module")
def tables(demo) -> dict[str, pd.DataFrame]:
    return {t: read_table(demo, t) for t in TABLES}


# --------------------------------------------------------------------------------- tests
def test_refuses_non_empty_folder(tmp_path):
    (tmp_path / "jugendhilfe_2020-01-15.csv").write_text("fall_id\n")
    with pytest.raises(FileExistsError, match="nicht leer"):
        write_demo(tmp_path, scale=0.05)
    assert [p.name for p in tmp_path.iterdir()] == ["jugendhilfe_2020-01-15.csv"]


def test_readme_and_gitkeep_count_as_empty(tmp_path):
    (tmp_path / "README.md").write_text("Rohdaten\n")
    (tmp_path / ".gitkeep").write_text("")
    files = write_demo(tmp_path, scale=0.05)
    assert files and all(p.parent == tmp_path for p in files)
    assert (tmp_path / "README.md").read_text() == "Rohdaten\n"


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_deterministic(tmp_path, demo, small_demo_raw):
    # the same call twice: the session's small demo (``write_demo(out, scale=0.1)`` with the
    # default seed, in another process or earlier in this one) and here
    b = write_demo(tmp_path / "b", scale=0.1)
    write_demo(tmp_path / "c", seed=8, scale=0.1)
    da, db, dc = _digest(small_demo_raw), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert da == db
    assert len(db) == len(b)
    differing = [n for n in da if n in dc and da[n] != dc[n]]
    assert len(differing) > 50 or set(da) != set(dc)
    # the default run too (the session's deliveries: the same call in another process)
    write_demo(tmp_path / "d")
    assert _digest(tmp_path / "d") == _digest(demo)


def test_files_and_formats(demo):
    names = sorted(p.name for p in demo.iterdir())
    parsed = [FILE_RE.match(n) for n in names]
    assert all(parsed), [n for n, m in zip(names, parsed, strict=True) if not m]
    per_table: dict[str, list[str]] = {}
    for m in parsed:
        assert m["table"] in TABLES
        per_table.setdefault(m["table"], []).append(m["stand"])
    quarterly = (
        "jugendhilfe",
        "sozialhilfe",
        "fallmanagement",
        "hilfen_vor_dem_fall",
        "beratungen_altenhilfe",
        "wohnraumsicherung",
        "transferleistungen",
    )
    for t in quarterly:
        assert len(per_table[t]) == 20, t
        # one export 10-25 days (+weekend) after each quarter end, 2019-Q1 ... 2023-Q4
        q_ends = pd.date_range("2019-03-31", "2023-12-31", freq="QE")
        stands = pd.to_datetime(sorted(per_table[t]))
        lag = (stands - q_ends).days
        assert ((lag >= 10) & (lag <= 28)).all(), (t, list(lag))
    assert len(per_table["teilhabeteam"]) == 13  # since 2020-Q4
    assert len(per_table["bevoelkerung"]) == len(per_table["haushalte"]) == 6
    assert len(per_table["ampel_schaltungen"]) == 1

    encodings, seps, exts, headers = set(), set(), set(), set()
    for p in demo.iterdir():
        exts.add(p.suffix)
        if p.suffix == ".csv":
            raw = p.read_bytes()
            text, enc = _decode(raw)
            encodings.add(enc)
            first = text.splitlines()[0]
            seps.add(";" if ";" in first else ",")
            headers.add("upper" if first.isupper() else "lower" if first.islower() else "mixed")
    assert encodings == {"utf-8", "utf-8-sig", "cp1252"}
    assert seps == {";", ","}
    assert exts == {".csv", ".xlsx"}
    assert headers == {"upper", "lower", "mixed"}
    xlsx = {m["table"] for m in parsed if m["ext"] == "xlsx"}
    assert {"fallmanagement", "teilhabeteam", "ampel_schaltungen"} <= xlsx
    assert "bevoelkerung" not in xlsx

    # both date styles and several boolean styles occur
    jh_old = next(p for p in sorted(demo.glob("jugendhilfe_2019-*.csv")))
    jh_new = next(p for p in sorted(demo.glob("jugendhilfe_2023-*.csv")))
    assert re.search(r"\d{2}\.\d{2}\.\d{4}", _decode(jh_old.read_bytes())[0])
    assert re.search(r"\d{4}-\d{2}-\d{2}", _decode(jh_new.read_bytes())[0])
    rows = list(csv.reader(io.StringIO(_decode(jh_old.read_bytes())[0]), delimiter=";"))
    assert {r[3] for r in rows[1:]} <= {"j", "n"}
    ab = _read_file(next(demo.glob("beratungen_altenhilfe_*.csv")))
    assert set(ab["verbleib_haeuslichkeit"]) <= {"1", "0"}
    bev = _read_file(next(demo.glob("bevoelkerung_*.csv")))
    assert set(bev["migrationshintergrund"]) == {"ja", "nein"}


def test_xlsx_readable_and_stable_metadata(demo):
    from openpyxl import load_workbook

    p = next(demo.glob("ampel_schaltungen_*.xlsx"))
    wb = load_workbook(p)
    assert wb.properties.modified.year == int(p.stem[-10:-6])
    df = _read_file(p)
    assert 4 <= len(df) <= 6
    assert df["quartal"].str.match(r"^2023-Q[1-4]$").all()
    assert set(df["sozialraum"]) <= set(SOZIALRAEUME)
    assert set(df["arbeitsfeld"]) <= {"jh", "egh", "ah", "es", "ws"}
    assert set(df["farbe"]) <= {"gruen", "gelb", "rot"}
    assert (df["begruendung"].str.len() > 20).all()


def test_codes_and_keys_valid(tables):
    stv = set(stadtviertel_to_sozialraum())
    for name, df in tables.items():
        spec = TABLES[name]
        for c in spec.columns:
            if c.codes:
                leer = set() if c.required else {""}
                assert set(df[c.name]) - leer <= set(c.codes), (name, c.name, set(df[c.name]))
            if c.kind == "area":
                assert set(df[c.name]) <= stv | {""}, name
            if c.kind == "sozialraum":
                assert set(df[c.name]) <= set(SOZIALRAEUME) | {"", "ohne Zuordnung"}
        if "ende" in df.columns:
            assert not (df["ende"] < df["beginn"]).any(), name
    jh = tables["jugendhilfe"]
    assert jh["fall_id"].str.match(r"^JH-\d{6,}$").all()
    stat = jh[jh["setting"] == "stationaer"]
    assert stat["paragraph"].isin(["33", "34", "35a", "41"]).all()
    amb = jh[jh["setting"] == "ambulant"]
    assert amb["paragraph"].isin(["27", "29", "30", "31", "32", "35", "35a"]).all()
    uma = jh[jh["uma"]]
    assert (uma["setting"] == "stationaer").mean() > 0.6


def test_superseding_closes_cases(demo):
    """A case delivered as running is closed by a later export; ids are stable."""
    first = _read_file(min(demo.glob("jugendhilfe_2019-*.csv")))
    final = read_table(demo, "jugendhilfe").set_index("fall_id")
    running = first[first["ende"] == ""]
    closed_later = final.loc[running["fall_id"], "ende"].notna()
    assert closed_later.mean() > 0.5


def test_calibration_quartalsmeldung(tables):
    s = "2021-12-31"
    jh = tables["jugendhilfe"]
    st = jh[stock(jh, s)]
    got = {
        (uma, setting): int(((st["uma"] == uma) & (st["setting"] == setting)).sum())
        for uma in (False, True)
        for setting in ("ambulant", "stationaer")
    }
    assert got == {
        (False, "ambulant"): 425,
        (False, "stationaer"): 123,
        (True, "ambulant"): 5,
        (True, "stationaer"): 19,
    }
    hv = tables["hilfen_vor_dem_fall"]
    assert int(in_year(hv["beginn"], 2021).sum()) == 3853
    sh = tables["sozialhilfe"]
    st = sh[stock(sh, s)]
    by = st.groupby(["leistung", "setting"]).size()
    assert by.groupby(level=0).sum()[
        ["egh_eigener_wohnraum", "egh_besondere_wohnform", "egh_wfbm", "blindenhilfe"]
    ].tolist() == [656, 304, 337, 85]
    assert [int(by[("hlu", "ambulant")]), int(by[("hlu", "stationaer")])] == [226, 23]
    assert [int(by[("gsi", "ambulant")]), int(by[("gsi", "stationaer")])] == [1534, 147]
    assert [int(by[("hzp", "ambulant")]), int(by[("hzp", "stationaer")])] == [103, 415]
    fm = tables["fallmanagement"]
    assert fm[stock(fm, s)].groupby("bereich").size().to_dict() == {"ah": 199, "egh": 1094}
    tl = tables["transferleistungen"]
    q = tl[tl["stichtag"] == pd.Timestamp(s)].groupby("leistung")["personen"].sum()
    assert int(q["sgb2"]) == 5460
    assert int(q["asylblg"]) == 547
    assert 2000 <= int(q["wohngeld"]) <= 2500


def _z5(tables, year: int) -> pd.DataFrame:
    hv = tables["hilfen_vor_dem_fall"]
    jh = tables["jugendhilfe"]
    h = hv[in_year(hv["beginn"], year)].groupby("sozialraum").size()
    v = jh[~jh["uma"] & im_verlauf(jh, year)].groupby("sozialraum").size()
    df = pd.DataFrame({"h": h, "v": v}).fillna(0)
    df.loc["Gesamtstadt"] = df.sum()
    df["z5"] = df["h"] / (df["h"] + df["v"])
    return df


def test_calibration_jh_z5(tables):
    z20, z21 = _z5(tables, 2020), _z5(tables, 2021)
    assert int(z21.loc["Gesamtstadt", "v"]) == 963
    assert int(z21.loc["Gesamtstadt", "h"]) == 3853
    assert round(z20.loc["Gesamtstadt", "z5"], 2) == 0.84
    assert z21.loc["Gesamtstadt", "z5"] >= 0.80
    assert round(z21.loc["Gesamtstadt", "z5"], 2) == 0.80
    assert round(z21.loc["Wiblingen", "z5"], 2) == 0.74
    for sr in SOZIALRAEUME:
        assert z20.loc[sr, "z5"] >= 0.80, sr
        assert z21.loc[sr, "z5"] < z20.loc[sr, "z5"], sr
        assert z21.loc[sr, "h"] < z20.loc[sr, "h"], sr  # fewer Hilfen vor dem Fall everywhere
    assert 0 < z21.loc["ohne Zuordnung", "v"] < 20
    jh = tables["jugendhilfe"]
    assert (
        int(im_verlauf(jh[~jh["uma"]], 2021).sum() - stock(jh[~jh["uma"]], "2021-12-31").sum())
        == 963 - 548
    )


def test_calibration_population(tables):
    bev = tables["bevoelkerung"]
    tot = bev.groupby(bev["stichtag"].dt.year)["anzahl"].sum()
    assert int(tot[2020]) == 126_829
    assert int(tot[2021]) == 127_431
    assert int(tot[2023]) == 130_276
    assert 126_000 < tot[2019] < 126_829 and 127_431 < tot[2022] < 130_276
    assert tot.is_monotonic_increasing
    b23 = bev[bev["stichtag"].dt.year == 2023]
    # Ulmer Statistik 2023: Ausländer 31,986; Männer 64,588 (a handful registered as "d")
    assert int(b23.loc[b23["staatsangehoerigkeit"] == "nichtdeutsch", "anzahl"].sum()) == 31_986
    sex = b23.groupby("geschlecht")["anzahl"].sum()
    assert 0 < sex.get("d", 0) <= 15
    assert abs(int(sex["m"]) - 64_588) <= 15 and abs(int(sex["w"]) - 65_688) <= 15
    u1 = b23[b23["alter"] == 0].groupby("staatsangehoerigkeit")["anzahl"].sum()
    assert (int(u1["deutsch"]), int(u1["nichtdeutsch"])) == (850, 258)
    assert int(b23.loc[b23["alter"] >= 90, "anzahl"].sum()) == 1253
    assert b23["alter"].max() <= 110
    mig = b23.loc[b23["migrationshintergrund"], "anzahl"].sum() / b23["anzahl"].sum()
    assert 0.40 <= mig <= 0.45
    by_sr = b23.groupby("sozialraum")["anzahl"].sum()
    assert set(by_sr.index) == set(SOZIALRAEUME)
    u18 = b23[b23["alter"] < 18].groupby("sozialraum")["anzahl"].sum() / by_sr
    o65 = b23[b23["alter"] >= 65].groupby("sozialraum")["anzahl"].sum() / by_sr
    assert u18.idxmax() == "Böfingen"
    assert o65.idxmax() == "Wiblingen"
    b20 = bev[bev["stichtag"].dt.year == 2020].groupby("sozialraum")["anzahl"].sum()
    for sr, size in {
        "Mitte/Ost": 23_400,
        "Eselsberg": 18_500,
        "West": 41_600,
        "Wiblingen": 21_600,
    }.items():
        assert abs(b20[sr] - size) / size < 0.04, sr
    per_stv = b23.groupby("stadtviertel_nr")["anzahl"].sum()
    assert len(per_stv) == 65
    for small in ("133", "141", "164", "183"):
        assert per_stv[small] < 300, small
    assert per_stv["121"] < 400 and per_stv["154"] < 400


def test_households_consistent(tables):
    hh = tables["haushalte"]
    bev = tables["bevoelkerung"]
    for y in (2020, 2023):
        h = hh[hh["stichtag"].dt.year == y]
        n = bev.loc[bev["stichtag"].dt.year == y, "anzahl"].sum()
        total = h["anzahl"].sum()
        assert 1.8 <= n / total <= 2.0
        share_ae = h.loc[h["haushaltstyp"] == "alleinerziehend", "anzahl"].sum() / total
        assert 0.045 <= share_ae <= 0.075


def test_poverty_pattern(tables):
    tl = tables["transferleistungen"]
    bev = tables["bevoelkerung"]
    q = tl[tl["stichtag"] == pd.Timestamp("2021-12-31")]
    pop = (
        bev[bev["stichtag"] == pd.Timestamp("2021-12-31")]
        .groupby("stadtviertel_nr")["anzahl"]
        .sum()
    )
    per = q.pivot_table(
        index="stadtviertel_nr", columns="leistung", values="personen", aggfunc="sum"
    ).fillna(0)
    rate = per.sum(axis=1).reindex(pop.index).fillna(0) / pop
    big = rate[pop > 1000]
    assert rate["150"] > 0.30
    assert set(big.nlargest(3).index) == {"150", "135", "112"}
    asyl = per["asylblg"]
    assert asyl.idxmax() == "150"
    assert q.loc[q["stadtviertel_nr"] == "", "personen"].sum() > 0


def test_calibration_events(tables):
    ab = tables["beratungen_altenhilfe"]
    verbleib = ab[ab["verbleib_haeuslichkeit"]].groupby(ab["datum"].dt.year).size()
    assert int(verbleib[2020]) == 18 and int(verbleib[2023]) == 38
    assert (ab.loc[ab["verbleib_haeuslichkeit"], "vermeidung_stationaer"]).all()
    share = ab["vermeidung_stationaer"].mean()
    assert 0.2 < share < 0.5
    ws = tables["wohnraumsicherung"]
    n = ws.groupby([ws["datum"].dt.year, "art"]).size()
    assert int(n[(2020, "mietschulden")]) == 156 and int(n[(2021, "mietschulden")]) == 172
    assert int(n[(2020, "raeumungsklage")]) == 80 and int(n[(2021, "raeumungsklage")]) == 91
    ms = ws[ws["art"] == "mietschulden"]["meldende_stelle"].value_counts(normalize=True)
    assert ms["uws"] > 0.8 and 0.05 < ms[["klient", "dritte"]].sum() < 0.16
    rk = ws[ws["art"] == "raeumungsklage"]["meldende_stelle"].value_counts(normalize=True)
    assert rk["amtsgericht"] > 0.8
    tt = tables["teilhabeteam"]
    assert tt["datum"].min() >= pd.Timestamp("2020-10-01")
    tt = tt[tt["sozialraum"] != "ohne Zuordnung"]
    tt["q"] = tt["datum"].dt.to_period("Q")
    nah = tt["ressourcen"].isin(["institutionell_und_nahfeld", "nahfeld"])
    share = nah.groupby([tt["sozialraum"], tt["q"]]).mean()
    assert share.between(0.74, 0.97).all()
    assert 0.80 <= share.mean() <= 0.93
    city = nah.groupby(tt["q"]).mean()
    assert city.iloc[-4:].mean() > city.iloc[:4].mean()  # rising slowly


def test_no_address_share(tables):
    for name in (
        "jugendhilfe",
        "sozialhilfe",
        "fallmanagement",
        "hilfen_vor_dem_fall",
        "beratungen_altenhilfe",
        "wohnraumsicherung",
    ):
        share = (tables[name]["sozialraum"] == "ohne Zuordnung").mean()
        assert 0.002 <= share <= 0.015, (name, share)


def test_scale(small_demo_raw):
    """``write_demo(out, scale=0.1)``: the session's small demo (the same call; test_deterministic
    checks that the files written are the files it returns)."""
    files = sorted(small_demo_raw.iterdir())
    small = read_table(small_demo_raw, "bevoelkerung")
    tot = small.groupby(small["stichtag"].dt.year)["anzahl"].sum()
    assert abs(int(tot[2021]) - 12_743) <= 1
    jh = read_table(small_demo_raw, "jugendhilfe")
    assert 40 <= int(stock(jh[~jh["uma"]], "2021-12-31").sum()) <= 70
    # + the steering deliveries (5 explanations, 6 measures, 8 staff), 2 of the comparison ring and
    # 20 finance exports
    assert len(files) == 166 + 19 + 2 + 20
