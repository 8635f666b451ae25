"""Issue 28, tenth step: Produkt 3's count tables from arrays (``werte._zaehltabelle``), value
for value the tables of the pandas path (``werte._zaehltabelle_pandas``) they replace for every
Kennzahl of one period per year."""

from __future__ import annotations

import pandas as pd
import pytest

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG
from kennzahlen.pool.load import load_pool
from kennzahlen.products.wirkung import werte


def _gleich(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a.index.dtype == b.index.dtype and a.columns.dtype == b.columns.dtype
    assert list(a.columns) == list(b.columns) and a.attrs == b.attrs
    # bit for bit (assert_frame_equal takes -0.0 for 0.0)
    assert a.to_numpy().tobytes() == b.to_numpy().tobytes()


def test_every_table_of_the_demo_equals_the_pandas_path(small_demo_pool):
    pool = load_pool(small_demo_pool)
    jahre = sorted({p[:4] for p in pool["periode"].unique()})
    n = 0
    for jahr in jahre:
        for k in werte.kennzahlen_p3():
            _gleich(werte._zaehltabelle(pool, k, jahr), werte._zaehltabelle_pandas(pool, k, jahr))
            n += 1
    assert n > 100


def _k(periodizitaet: str, nenner: bool = True):
    return next(
        k
        for k in werte.kennzahlen_p3("2023")
        if k.periodizitaet == periodizitaet and bool(k.nenner) == nenner
    )


def _pool(k, zeilen: list[tuple], nenner_dtype: str = "Int64") -> pd.DataFrame:
    df = pd.DataFrame(zeilen, columns=["ebene", "raum", "periode", "zaehler", "nenner", "wert"])
    df.insert(0, "kennzahl", k.id)
    df["nenner"] = df["nenner"].astype(nenner_dtype)
    return df


def _faelle(k, periode: str) -> list[list[tuple]]:
    sr = sozialraeume()
    voll = [("sozialraum", a, periode, 3 + i, 10 + i, 0.5 + i) for i, a in enumerate(sr)]
    stadt = [("gesamtstadt", GESAMTSTADT, periode, 100, 200, 0.5)]
    return [
        voll + stadt,  # 'ohne Zuordnung' completed from the city and the Sozialräume
        voll[1:] + stadt,  # a Sozialraum missing: nothing completed
        voll,  # no city value
        [],  # nothing at all
        [*voll, *stadt, ("sozialraum", OHNE_ZUORDNUNG, periode, 1, 2, 0.5)],
        [(*z[:3], 0.1 * z[3], z[4], z[5]) for z in voll] + stadt,  # fractions in the sum
        [*voll, *stadt, ("sozialraum", "Anderswo", periode, 9, 9, 1.0)],  # an unknown area
        [*voll, *stadt, ("stadtviertel", sr[0] + "-1", periode, 1, 1, 1.0)],
        [*voll, *stadt, ("sozialraum", sr[0], str(int(periode[:4]) - 1), 1, 1, 1.0)],
        [*voll[:-1], (*voll[-1][:3], 4, None, None), *stadt],  # a missing Nenner
    ]


@pytest.mark.parametrize("periodizitaet", ["jahr", "stichtag_jahr"])
def test_hand_made_pools_give_the_pandas_path_tables(periodizitaet):
    k = _k(periodizitaet)
    periode = "2023" if periodizitaet == "jahr" else "2023-12-31"
    for zeilen in _faelle(k, periode):
        for dtype in ("Int64", "float64"):
            pool = _pool(k, zeilen, dtype)
            _gleich(
                werte._zaehltabelle(pool, k, "2023"), werte._zaehltabelle_pandas(pool, k, "2023")
            )
            # a year asked as a number: no row matches it, on either path
            _gleich(werte._zaehltabelle(pool, k, 2023), werte._zaehltabelle_pandas(pool, k, 2023))


def test_the_completed_area_is_the_city_minus_the_sozialraeume():
    k = _k("jahr")
    pool = _pool(k, _faelle(k, "2023")[0])
    t = werte._zaehltabelle(pool, k, "2023")
    n = len(sozialraeume())
    assert t.loc[OHNE_ZUORDNUNG, "zaehler"] == 100 - sum(3 + i for i in range(n))
    assert t.loc[OHNE_ZUORDNUNG, "nenner"] == 200 - sum(10 + i for i in range(n))
    assert pd.isna(t.loc[OHNE_ZUORDNUNG, "wert"])


def test_an_area_twice_is_refused_as_before():
    k = _k("jahr")
    zeilen = _faelle(k, "2023")[0]
    pool = _pool(k, [*zeilen, zeilen[0]])
    with pytest.raises(ValueError, match="duplicate"):
        werte._zaehltabelle_pandas(pool, k, "2023")
    with pytest.raises(ValueError, match="duplicate"):
        werte._zaehltabelle(pool, k, "2023")


def test_only_quarterly_kennzahlen_take_the_pandas_path(small_demo_pool, monkeypatch):
    """The array path serves every Kennzahl of one period per year (a report kernel and the
    run's parent build about 200 tables: pandas' per-call overhead was about 1 s each)."""
    pool = load_pool(small_demo_pool)
    gerufen = []
    echt = werte._zaehltabelle_pandas

    def zaehlend(p, k, jahr):
        gerufen.append(k.periodizitaet)
        return echt(p, k, jahr)

    monkeypatch.setattr(werte, "_zaehltabelle_pandas", zaehlend)
    ks = werte.kennzahlen_p3("2023")
    for k in ks:
        werte._zaehltabelle(pool, k, "2023")
    assert set(gerufen) <= {"quartal"}
    assert len(gerufen) < len(ks) // 4


def test_sozialraeume_are_sorted_once_per_table_read(tmp_path, monkeypatch):
    """``sozialraeume()`` (asked hundreds of times per report) copies and sorts the
    Raumgliederung once per table read, hands out a list of its own and follows another file."""
    from kennzahlen.catalog import geography

    rg = tmp_path / "rg.csv"
    rg.write_text(
        "stadtviertel_nr;stadtviertel;stadtteil;sozialraum\n1;a;a;Süd\n2;b;b;Nord\n3;c;c;Süd\n",
        encoding="utf-8",
    )
    assert geography.sozialraeume(rg) == ["Nord", "Süd"]
    kopiert = []
    echt = pd.DataFrame.copy

    def kopie(self, *args, **kwargs):
        kopiert.append(1)
        return echt(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "copy", kopie)
    erste = geography.sozialraeume(rg)
    erste.append("X")
    assert geography.sozialraeume(rg) == ["Nord", "Süd"]
    assert kopiert == []
    anders = tmp_path / "rg2.csv"
    anders.write_text(rg.read_text(encoding="utf-8").replace("Nord", "Ost"), encoding="utf-8")
    assert geography.sozialraeume(anders) == ["Ost", "Süd"]
    assert geography.sozialraeume() == sorted(set(geography.raumgliederung()["sozialraum"]))


def test_the_years_counts_and_amounts_are_read_from_the_tables_without_scalar_lookups(
    small_demo_pool, monkeypatch
):
    """``eintraege_jahr`` and ``betraege_jahr`` (the plan's key in the run's parent and in every
    Produkt-3 kernel) read each table's column once: the same entries as cell by cell
    (``t.loc[a, col]``, about 0.1 ms each, 2,100 per five years)."""
    from kennzahlen.disclosure.atoms import Eintrag
    from kennzahlen.products.wirkung import plan

    pool = load_pool(small_demo_pool)

    def von_hand(jahr: str) -> list:
        out = []
        for k in werte.kennzahlen_p3(jahr):
            if not k.erhoben:
                continue
            t = werte.zaehltabelle(pool, k, jahr)
            for teil, col in plan.TEILE:
                terms = k.zaehler if col == "zaehler" else k.nenner
                if not terms or (col == "zaehler" and k.in_euro):
                    continue
                for a in t.index:
                    v = t.loc[a, col]
                    wert = None if pd.isna(v) else float(v)
                    out.append(Eintrag(k.id, teil, a, tuple(terms), k.periodizitaet, wert))
        return out

    jahre = werte.jahre_mit_daten(pool)
    erwartet = {j: von_hand(j) for j in jahre}
    euro = {
        j: [
            (k.id, a, float(t.loc[a, "zaehler"]))
            for k in werte.kennzahlen_p3(j)
            if k.erhoben and k.in_euro
            for t in [werte.zaehltabelle(pool, k, j)]
            for a in t.index
            if pd.notna(t.loc[a, "zaehler"])
        ]
        for j in jahre
    }
    einzeln = []
    echt = pd.DataFrame._get_value

    def zaehlend(self, *args, **kwargs):
        einzeln.append(args)
        return echt(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "_get_value", zaehlend)
    for j in jahre:
        assert plan.eintraege_jahr(pool, j) == erwartet[j]
        betraege = plan.betraege_jahr(pool, j, None)
        assert [(b.kennzahl, b.raum, b.wert) for b in betraege] == euro[j]
        assert all(b.sichtbar for b in betraege)
    assert einzeln == []
    assert sum(len(e) for e in erwartet.values()) > 500
