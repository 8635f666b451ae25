"""Stichtag, quarter and year arithmetic (kennzahlen.core.periods), with hand-computed edge
cases."""

from __future__ import annotations

import pandas as pd
import pytest

from kennzahlen.core import periods as pe

T = pd.Timestamp


@pytest.mark.parametrize(
    ("quartal", "stichtag", "beginn"),
    [
        ("2023-Q1", "2023-03-31", "2023-01-01"),
        ("2023-Q2", "2023-06-30", "2023-04-01"),
        ("2023-Q3", "2023-09-30", "2023-07-01"),
        ("2023-Q4", "2023-12-31", "2023-10-01"),
        ("2024-Q1", "2024-03-31", "2024-01-01"),  # leap year: Q1 still ends on 31.03.
    ],
)
def test_quarter_first_and_last_day(quartal, stichtag, beginn):
    assert pe.stichtag(quartal) == stichtag
    assert pe.quartal_ende(quartal) == T(stichtag)
    assert pe.quartal_beginn(quartal) == T(beginn)
    assert pe.zeitraum(quartal) == (T(beginn), T(stichtag))
    assert pe.letzter_tag(quartal) == stichtag


def test_shift_across_the_year_change():
    assert pe.verschiebe("2021-Q4", 1) == "2022-Q1"
    assert pe.verschiebe("2022-Q1", -1) == "2021-Q4"
    assert pe.vorquartal("2022-Q1") == "2021-Q4"
    assert pe.vorquartal("2022-Q1", 4) == "2021-Q1"  # Vorjahresquartal
    assert pe.vorquartal("2022-Q3", 7) == "2020-Q4"
    assert pe.verschiebe("2019-Q2", 10) == "2021-Q4"
    assert pe.verschiebe("2020-Q1", 0) == "2020-Q1"


def test_quarter_range():
    assert pe.quartale_range("2021-Q3", "2022-Q2") == ["2021-Q3", "2021-Q4", "2022-Q1", "2022-Q2"]
    assert pe.quartale_range("2022-Q2", "2022-Q2") == ["2022-Q2"]
    assert pe.quartale_range("2022-Q3", "2022-Q2") == []
    assert len(pe.quartale_range("2019-Q1", "2023-Q4")) == 20


@pytest.mark.parametrize(
    ("tag", "quartal"),
    [
        ("2024-02-29", "2024-Q1"),  # leap day
        ("2023-03-31", "2023-Q1"),
        ("2023-04-01", "2023-Q2"),
        ("2023-12-31", "2023-Q4"),
        ("2024-01-01", "2024-Q1"),
    ],
)
def test_quarter_of_a_day(tag, quartal):
    assert pe.quartal_von_tag(tag) == quartal


def test_quarter_of_a_pool_period():
    assert pe.quartal_von("2023-Q2") == "2023-Q2"
    assert pe.quartal_von("2023") == "2023-Q4"  # a year counts at its Q4
    assert pe.quartal_von("2023-09-30") == "2023-Q3"
    assert pe.quartal_von("2023-09-29") is None  # not a quarter end
    assert pe.quartal_von("2024-02-29") is None
    assert pe.quartal_von("2024-03-31") == "2024-Q1"


def test_quarter_end_checks():
    assert pe.ist_quartalsende("2024-03-31")
    assert not pe.ist_quartalsende("2024-02-29")
    assert not pe.ist_quartalsende("2024-01-01")
    maske = pe.ist_jahresende(pd.Series(["2023-12-31", "2023-Q4", "2023", "2023-09-30"]))
    assert maske.tolist() == [True, False, False, False]


def test_last_complete_year_and_the_period_a_kennzahl_is_read_at():
    assert pe.letztes_volles_jahr("2023-Q4") == 2023
    assert pe.letztes_volles_jahr("2023-Q3") == 2022
    assert pe.letztes_volles_jahr("2024-Q1") == 2023
    assert pe.periode_fuer("2023-Q2", "stichtag_quartal") == "2023-06-30"
    assert pe.periode_fuer("2023-Q2", "quartal") == "2023-Q2"
    assert pe.periode_fuer("2023-Q2", "jahr") == "2022"
    assert pe.periode_fuer("2023-Q4", "jahr") == "2023"
    assert pe.periode_fuer("2023-Q1", "stichtag_jahr") == "2022-12-31"
    assert pe.periode_fuer("2023-Q4", "stichtag_jahr") == "2023-12-31"
    assert pe.periode_fuer("2024-Q1", "stichtag_quartal") == "2024-03-31"


def test_years_and_stichtage():
    assert pe.jahres_stichtag("2018") == "2018-12-31"
    assert pe.jahres_stichtag(2024) == "2024-12-31"
    assert pe.jahresbeginn("2024-02-29") == T("2024-01-01")
    assert pe.jahr_von("2021-Q4") == pe.jahr_von("2021-12-31") == pe.jahr_von("2021") == "2021"
    assert pe.zeitraum("2024") == (T("2024-01-01"), T("2024-12-31"))
    assert pe.zeitraum("2024-02-29") == (T("2024-02-29"), T("2024-02-29"))
    assert pe.letzter_tag("2021") == "2021-12-31"
    assert pe.letzter_tag("2021-06-30") == "2021-06-30"


@pytest.mark.parametrize(
    ("tag", "beginn", "ende_bis"),
    [
        ("2024-02-29", "2024-01-01", "2023-12-31"),
        ("2024-03-31", "2024-01-01", "2024-03-31"),  # a quarter end is its own last quarter end
        ("2024-04-01", "2024-04-01", "2024-03-31"),
        ("2024-01-15", "2024-01-01", "2023-12-31"),  # back over the year change
    ],
)
def test_quartal_beginn_von_tag_and_letztes_quartal_ende(tag, beginn, ende_bis):
    assert pe.quartal_beginn_von_tag(T(tag)) == T(beginn)
    assert pe.letztes_quartal_ende(T(tag)) == T(ende_bis)


def test_labels():
    assert pe.ist_quartal("2023-Q4")
    assert not pe.ist_quartal("2023-Q5")
    assert not pe.ist_quartal("2023Q4")
    assert not pe.ist_quartal("٢٠٢٣-Q4")  # Arabic-Indic digits are not a year
    assert not pe.ist_quartal(2023)
    assert pe.teile("2023-Q4") == (2023, 4)
    assert pe.als_quartal(2023, 1) == "2023-Q1"


def test_periods_of_each_periodicity():
    first, last = T("2020-10-01"), T("2021-12-31")
    labels = {p: [x.label for x in pe.perioden_fuer(p, first, last)] for p in pe.PERIODIZITAETEN}
    assert labels["quartal"] == ["2020-Q4", "2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]
    assert labels["jahr"] == ["2021"]  # 2020 starts before the span
    assert labels["stichtag_jahr"] == ["2020-12-31", "2021-12-31"]
    assert labels["stichtag_quartal"][:2] == ["2020-12-31", "2021-03-31"]
    assert len(labels["stichtag_quartal"]) == 5
    q1 = pe.perioden_fuer("quartal", T("2024-01-01"), T("2024-03-31"))[0]
    assert (q1.start, q1.end) == (T("2024-01-01"), T("2024-03-31"))


@pytest.mark.parametrize(
    ("angabe", "art", "schluessel"),
    [
        ("2021", "jahr", "2021"),
        (2021, "jahr", "2021"),
        ("2021-Q4", "quartal", "2021-Q4"),
        ("2021q4", "quartal", "2021-Q4"),
        ("Q4/2021", "quartal", "2021-Q4"),
        ("q4 2021", "quartal", "2021-Q4"),
        ("4. Quartal 2021", "quartal", "2021-Q4"),
        ("31.12.2021", "tag", "2021-12-31"),
        ("1.3.2021", "tag", "2021-03-01"),
        ("2021-12-31", "tag", "2021-12-31"),
        (T("2021-12-31"), "tag", "2021-12-31"),
        (pd.Period("2021Q3"), "quartal", "2021-Q3"),
        (pd.Period("2021", "Y"), "jahr", "2021"),
    ],
)
def test_periods_as_analysts_type_them(angabe, art, schluessel):
    a = pe.periode_lesen(angabe)
    assert (a.art, a.schluessel) == (art, schluessel)


@pytest.mark.parametrize("angabe", ["letztes Jahr", "2021-Q5", "21", "31.02.2021", None, True])
def test_what_is_no_period_is_refused_in_german(angabe):
    with pytest.raises(pe.PeriodenFormatError, match="Periode"):
        pe.periode_lesen(angabe)


def test_which_pool_periods_a_period_names():
    stichtage = ["2020-12-31", "2021-09-30", "2021-12-31"]
    lies = pe.periode_lesen
    assert pe.passende_perioden(lies("2021"), stichtage) == ["2021-12-31"]  # a year: its 31.12.
    assert pe.passende_perioden(lies("Q3/2021"), stichtage) == ["2021-09-30"]
    assert pe.passende_perioden(lies("31.12.2021"), ["2021", "2020"]) == ["2021"]  # year's end
    quartale = ["2021-Q1", "2021-Q2", "2022-Q1"]
    assert pe.passende_perioden(lies("2021"), quartale) == ["2021-Q1", "2021-Q2"]
    assert pe.passende_perioden(lies("15.12.2021"), stichtage) == []  # no period ends then
    assert pe.naechste_perioden(lies("2030"), stichtage, 2) == ["2021-09-30", "2021-12-31"]
