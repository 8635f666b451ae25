"""One name per concept (docs/architecture.md, Conventions): the glossary's names are the code's,
and the second names a concept had before do not come back (another branch merged later may
still call them)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: module -> names it has for a concept of the glossary
NEU = {
    "kennzahlen.core.periods": [
        "quartal_beginn",
        "quartal_ende",
        "quartal_von_tag",
        "quartal_beginn_von_tag",
        "letztes_quartal_ende",
        "quartal_enden",
        "Periode",
        "perioden_fuer",
    ],
    "kennzahlen.pool.abdeckung": ["Abdeckung", "build_abdeckung"],
    "kennzahlen.products.common": ["show_disclosure", "show_kernaussagen"],
    "kennzahlen.steuerung.tabellen": ["load_tabelle"],
    "kennzahlen.products.sozialstruktur.sozialmonitoring": ["load_lage"],
    "kennzahlen.products.sozialstruktur.bericht": ["show_karte"],
    "kennzahlen.products.ampelbericht.bericht": ["load_ampel", "show_verlauf"],
    "kennzahlen.products.wirkung": ["tabellen_raeume"],
    "kennzahlen.products.wirkung.zielwerte": ["show_matrix"],
    "kennzahlen.disclosure.veroeffentlichungen": ["load_veroeffentlichungen"],
    "kennzahlen.catalog.geography": ["Flaechen", "flaechen", "read_flaechen"],
    "kennzahlen.ampel": ["build_ampel"],
}
#: module -> the second names those concepts had (issue 29)
ALT = {
    "kennzahlen.core.periods": [
        "quarter_start",
        "quarter_end_on_or_before",
        "quarter_ends",
        "Period",
        "periods_for",
    ],
    "kennzahlen.pool.abdeckung": ["Coverage", "coverage"],
    "kennzahlen.pool.zaehlen": ["Coverage", "coverage"],
    "kennzahlen.products.common": ["show_geheimhaltung"],
    "kennzahlen.steuerung.tabellen": ["laden"],
    "kennzahlen.products.sozialstruktur.sozialmonitoring": ["lade"],
    "kennzahlen.products.sozialstruktur.bericht": ["zeige_karte"],
    "kennzahlen.products.ampelbericht.bericht": ["laden", "zeige_verlauf"],
    "kennzahlen.products.wirkung": ["flaechen"],
    "kennzahlen.products.wirkung.werte": ["flaechen"],
    "kennzahlen.products.wirkung.zielwerte": ["zeige_matrix"],
    "kennzahlen.disclosure.veroeffentlichungen": ["lesen"],
    "kennzahlen.ampel": ["berechne_ampel"],
    "kennzahlen.ampel.assembly": ["berechne_ampel"],
}


@pytest.mark.parametrize("modul", sorted(NEU))
def test_the_glossary_names_exist(modul):
    m = importlib.import_module(modul)
    assert [n for n in NEU[modul] if not hasattr(m, n)] == []


@pytest.mark.parametrize("modul", sorted(ALT))
def test_no_second_name_for_a_concept(modul):
    m = importlib.import_module(modul)
    assert [n for n in ALT[modul] if hasattr(m, n)] == []


def test_notebooks_and_tests_call_no_second_name():
    """The notebooks and tests call the glossary's names (a second name would fail only there)."""
    alte = sorted({n for names in ALT.values() for n in names if "_" in n})
    muster = re.compile(r"\b(" + "|".join(alte) + r")\(")
    funde = []
    for pfad in [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("tests/*.py")]:
        if pfad.name == Path(__file__).name:
            continue
        text = pfad.read_text(encoding="utf-8")
        funde += [f"{pfad.name}: {m.group(0)}" for m in muster.finditer(text)]
    assert funde == []


def test_the_glossary_is_in_the_architecture_page():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "| concept | the name used |" in text
    glossar = text[text.index("| concept | the name used |") :].split("\n\n")[0]
    fehlen = [n for ns in NEU.values() for n in ns if not re.search(rf"[`.]{n}\b", glossar)]
    assert fehlen == []
