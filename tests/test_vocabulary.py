"""The domain vocabulary (kennzahlen.core.vocabulary): one name per thing, and values by their
unit."""

from __future__ import annotations

import math

import pytest

from kennzahlen.catalog.model import load_catalog
from kennzahlen.core import paths, schema
from kennzahlen.core.fmt import NBSP
from kennzahlen.core.vocabulary import (
    ARBEITSFELDER,
    EINHEITEN,
    FARBEN,
    PRODUKT_NUMMERN,
    PRODUKTE,
    ist_anteil,
    wert_text,
)


@pytest.mark.parametrize(
    ("x", "einheit", "nachkomma", "text"),
    [
        (0.4, "anteil", None, f"40,0{NBSP}%"),
        (0.125, "quote", None, f"12,5{NBSP}%"),
        (0.8, "anteil", 0, f"80{NBSP}%"),
        (1234.5, "anzahl", None, "1.234"),  # half to even: 1234.5 -> 1.234
        (1235.5, "anzahl", None, "1.236"),
        (1234.5, "anzahl", 1, "1.234,5"),
        (3.456, "je_1000", None, "3,46"),
        (3.4, "je_1000", 1, "3,4"),
        (None, "anteil", None, "–"),
        (math.nan, "anzahl", None, "–"),
    ],
)
def test_a_value_in_its_unit(x, einheit, nachkomma, text):
    assert wert_text(x, einheit, nachkomma) == text


def test_units_agree_with_the_catalog_rules():
    assert [e for e in EINHEITEN if ist_anteil(e)] == ["anteil", "quote"]
    for k in load_catalog().kennzahlen:
        assert k.einheit in EINHEITEN
        if k.einheit != "anzahl":  # a count has no factor rule (faktor 1 by default)
            assert k.faktor == EINHEITEN[k.einheit].faktor, k.id


def test_products_name_their_notebook_and_folder():
    assert PRODUKT_NUMMERN == (1, 2, 3, 4)
    for nr, p in PRODUKTE.items():
        assert p.nr == nr
        assert p.ordner.startswith(f"{nr}_")
        assert (paths.NOTEBOOKS / p.notebook).exists()
    assert [p.nr for p in PRODUKTE.values() if p.jaehrlich] == [1, 3]
    assert [p.nr for p in PRODUKTE.values() if p.oeffentlich] == [3]


def test_arbeitsfelder_and_colours():
    assert tuple(ARBEITSFELDER) == ("jh", "egh", "ah", "es", "ws")
    assert schema.TABLES["ampel_schaltungen"].column("arbeitsfeld").codes == tuple(ARBEITSFELDER)
    assert schema.SCHALTFARBEN == ("gruen", "gelb", "rot")  # a switch never sets grau
    assert sorted(FARBEN, key=lambda c: FARBEN[c].rang) == ["grau", "gruen", "gelb", "rot"]
    assert FARBEN["gruen"].wort == "grün" and FARBEN["gruen"].schild == "GRÜN"
    assert FARBEN["grau"].legende == "keine Aussage"
