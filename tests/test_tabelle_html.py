"""``styled`` writes a report table's HTML itself (kennzahlen.products.tabelle_html), byte for
byte as pandas' Styler did; the Styler stays as the reference and as the fallback.

Every frame here is rendered both ways and compared. The direct path copies the markup of the
pinned pandas (3.1) Styler templates: a pandas upgrade that changes that markup fails here,
before it could silently change the reports (then adapt tabelle_html or let it fall back).
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kennzahlen.products import tabelle_html
from kennzahlen.products.common import Html, esc, styled, styler_html


def _beide(df, hervorheben=None, caption=None, summen=()):
    """The direct HTML (None: left to the Styler) and the Styler's."""
    cap = caption or df.attrs.get("caption")
    return (
        tabelle_html.tabelle(df, hervorheben, cap, summen, esc),
        styler_html(df, hervorheben, cap, summen),
    )


def _gleich(df, hervorheben=None, caption=None, summen=(), direkt=True):
    neu, alt = _beide(df, hervorheben, caption, summen)
    if direkt:
        assert neu is not None, "the direct path should cover this table"
    if neu is not None:
        assert neu == alt
    assert styled(df, hervorheben, caption, summen).data == alt


def _bericht() -> pd.DataFrame:
    """A table as the reports make it: areas by Kennzahlen, formatted strings, a sum row."""
    return pd.DataFrame(
        {
            "Einwohner*innen": ["12.345", "6.789", "19.134"],
            "Quote in %": ["3,4", "–", "2,9"],
            "Ampel": ["grün", "gelb", "•"],
        },
        index=pd.Index(["Böfingen", "Eselsberg", "Gesamtstadt"], name="Sozialraum"),
    )


@pytest.mark.parametrize("hervorheben", [None, "Quote in %", "Eselsberg", "fehlt"])
@pytest.mark.parametrize("summen", [(), ["Gesamtstadt"], ("Böfingen", "Gesamtstadt")])
@pytest.mark.parametrize("caption", [None, "Tabelle 1 <b>fett</b> & mehr", ""])
def test_report_table(hervorheben, summen, caption):
    _gleich(_bericht(), hervorheben, caption, summen)


def test_caption_from_attrs_and_without_index_name():
    df = _bericht().rename_axis(None)
    df.attrs["caption"] = "aus attrs <i>"
    _gleich(df)
    _gleich(df, caption="gegeben")


def test_markup_cells_and_hostile_labels():
    """Package-built Html stays markup (object column); text, labels and caption are escaped."""
    df = pd.DataFrame(
        {
            "<script>x</script>": [
                Html("<span class='ampel'>●</span>"),
                "<img src=x onerror=alert(1)>",
            ],
            "B & C": ["a<b", "\"q\" 'q'"],
        },
        index=["West<svg onload=alert(2)>", "Ost"],
        dtype=object,
    )
    neu, alt = _beide(df, caption="<script>")
    assert neu == alt
    assert "<span class='ampel'>●</span>" in neu and "<img" not in neu and "<svg" not in neu
    assert "<script>" not in neu


def test_long_prose_wraps():
    df = pd.DataFrame({"Text": ["kurz", "x" * 41]}, index=["a", "b"])
    neu, alt = _beide(df)
    assert neu == alt and 'class="kz-text"' in neu
    _gleich(pd.DataFrame({"Text": ["x" * 40]}, index=["a"]))


def test_multiindex_rows_and_columns_with_sums():
    rows = pd.MultiIndex.from_tuples(
        [("Mitte/Ost", "A"), ("Mitte/Ost", "B"), ("Mitte/Ost", "Summe"), ("West", "A")],
        names=["Sozialraum", "Stadtviertel"],
    )
    cols = pd.MultiIndex.from_tuples(
        [("2022", "Fälle"), ("2022", "Quote"), ("2023", "Fälle")], names=["Jahr", None]
    )
    df = pd.DataFrame([[str(i * 3 + j) for j in range(3)] for i in range(4)], rows, cols)
    _gleich(df)
    _gleich(df, summen=[("Mitte/Ost", "Summe")], caption="Stadtviertel")
    _gleich(df.droplevel(1, axis=1).T.reset_index(drop=True).T, summen=[("West", "A")])
    three = pd.MultiIndex.from_tuples([("a", "x", 1), ("a", "x", 2), ("a", "y", 1)])
    _gleich(pd.DataFrame({"w": ["1", "2", "3"]}, index=three), summen=[("a", "x", 2)])


def test_non_string_labels():
    df = pd.DataFrame([["1", "2"], ["3", "4"]], index=[2022, 2023], columns=[1.5, 7])
    _gleich(df, hervorheben=7, summen=[2023])
    _gleich(df, hervorheben=2022)
    _gleich(df.rename_axis(index="Jahr", columns="Spalte"))


@pytest.mark.parametrize(
    "df",
    [
        pd.DataFrame(),
        pd.DataFrame(index=pd.Index(["a", "b"], name="x")),
        pd.DataFrame(columns=["a", "b"]),
        pd.DataFrame({"a": pd.Series([], dtype=str)}, index=pd.Index([], dtype=str, name="n")),
    ],
)
def test_empty_frames(df):
    _gleich(df, caption="leer")


def test_styler_cases_fall_back_with_the_same_result():
    """What the direct path leaves to the Styler: the same HTML or the same error."""
    df = _bericht()
    with pd.option_context("styler.sparse.index", False):
        rows = pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])
        _gleich(pd.DataFrame({"w": ["1", "2"]}, index=rows), direkt=False)
    with pd.option_context("styler.render.max_elements", 4):
        _gleich(df, direkt=False)
    _gleich(df, summen=["Gesamtstadt", "Gesamtstadt"], direkt=False)  # twice: CSS twice
    _gleich(df.rename_axis(7), direkt=False)  # a number as the index name
    _gleich(pd.DataFrame({"a": ["1"]}, index=[np.nan]), direkt=False)
    rows = pd.MultiIndex.from_tuples([("a", "x"), ("b", "y")])
    _gleich(pd.DataFrame({"w": ["1", "2"]}, index=rows), hervorheben="a", direkt=False)
    for kaputt, fehler in [
        (pd.DataFrame({"a": [1.5, 2.0]}, index=["x", "y"]), None),  # numbers, not text
        (pd.DataFrame({"a": ["1", None]}, index=["x", "y"]), TypeError),  # a missing cell
    ]:
        assert tabelle_html.tabelle(kaputt, None, None, (), esc) is None
        if fehler is None:
            _gleich(kaputt, direkt=False)
        else:
            with pytest.raises(fehler):
                styled(kaputt)
            with pytest.raises(fehler):
                styler_html(kaputt)
    with pytest.raises(KeyError):
        styled(df, summen=["fehlt"])


_TEXT = st.text(alphabet=string.ascii_letters + " <>&\"'–äöüß€", min_size=0, max_size=12)
_LABEL = st.one_of(_TEXT, st.integers(-5, 2030))


@st.composite
def _frames(draw):
    """A frame of text cells with unique (multi-level) labels, a sum row set and a highlight."""
    nrows, ncols = draw(st.integers(0, 5)), draw(st.integers(0, 4))
    rlev, clev = draw(st.integers(1, 3)), draw(st.integers(1, 2))

    def achse(n, ebenen):
        teile = st.tuples(*[st.sampled_from(["a", "b", "<c>", "1"]) for _ in range(ebenen)])
        labels = draw(
            st.lists(teile if ebenen > 1 else _LABEL, min_size=n, max_size=n, unique=True)
        )
        names = draw(st.lists(st.one_of(st.none(), _TEXT), min_size=ebenen, max_size=ebenen))
        if ebenen > 1:
            return pd.MultiIndex.from_tuples(sorted(labels) or [(None,) * ebenen][:0], names=names)
        return pd.Index(labels, dtype=object if labels else str, name=names[0])

    index, columns = achse(nrows, rlev), achse(ncols, clev)
    if isinstance(index, pd.MultiIndex) and not len(index):
        index = pd.Index([], dtype=str)
    if isinstance(columns, pd.MultiIndex) and not len(columns):
        columns = pd.Index([], dtype=str)
    zellen = st.one_of(_TEXT, _TEXT.map(Html), st.text(min_size=38, max_size=45))
    werte = [[draw(zellen) for _ in range(len(columns))] for _ in range(len(index))]
    df = pd.DataFrame(werte, index=index, columns=columns, dtype=object)
    if draw(st.booleans()):
        df = df.astype(str)
    summen = []
    if len(index) and draw(st.booleans()):
        summen = draw(st.lists(st.sampled_from(list(index)), min_size=1, unique=True))
    kandidaten = [None, "fehlt", *list(columns)[:2], *list(index)[:2]]
    hervorheben = draw(st.sampled_from(kandidaten))
    return df, hervorheben, draw(st.one_of(st.none(), _TEXT)), summen


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(_frames())
def test_random_frames_equal_the_styler(fall):
    df, hervorheben, caption, summen = fall
    for h in (hervorheben, None):
        neu, alt = _beide(df, h, caption, summen)
        if neu is not None:
            assert neu == alt
        assert styled(df, h, caption, summen).data == alt
