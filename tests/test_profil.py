"""Issue 32: the Stadtviertel profiles (Produkt 1 companion): one A4 page per Stadtviertel, all
Stadtviertel of a Sozialraum in one PDF; the spine chart's scale and words."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kennzahlen import runner
from kennzahlen.catalog.geography import raumgliederung
from kennzahlen.charts import profil as chart
from kennzahlen.core.vocabulary import PRODUKTE

RAUM = "Böfingen"  # 11 Stadtviertel, three of them Ortschaften without a polygon


def test_spine_scale_puts_the_city_in_the_middle_and_the_extremes_at_the_edges():
    s = chart.Spanne(minimum=0.02, q25=0.04, q75=0.08, maximum=0.20, stadt=0.06)
    assert s.x(0.06) == chart.BREITE / 2
    assert s.x(0.02) == 6.0 and s.x(0.20) == chart.BREITE - 6.0
    # two-sided: 0.04 is half way from the lowest to the city, 0.13 half way to the highest
    assert s.x(0.04) == pytest.approx((6.0 + chart.BREITE / 2) / 2)
    assert s.x(0.13) == pytest.approx((chart.BREITE / 2 + chart.BREITE - 6.0) / 2)


def test_lage_follows_the_polarity_of_the_catalog():
    assert chart.lage(0.08, 0.06, "niedriger_besser") == "ungünstiger"
    assert chart.lage(0.05, 0.06, "niedriger_besser") == "günstiger"
    assert chart.lage(0.08, 0.06, "hoeher_besser") == "günstiger"
    assert chart.lage(0.08, 0.06, "keine") == "ohne Wertung"
    assert chart.lage(None, 0.06, "niedriger_besser") == "ohne Wertung"


@pytest.fixture(scope="module")
def profile(reports: Path) -> Path:
    return reports / PRODUKTE[1].ordner / runner.basis.PROFILE


def test_the_run_writes_a_profile_per_sozialraum(profile: Path, demo_pool: Path):
    from kennzahlen.api import load_pool, wert
    from kennzahlen.core import fmt

    rg = raumgliederung()
    text = (profile / f"{runner.slug(RAUM)}.html").read_text(encoding="utf-8")
    nrn = list(rg.loc[rg["sozialraum"] == RAUM, "stadtviertel_nr"])
    assert text.count('<section class="kz-profil"') == len(nrn) == 11
    for nr in nrn:
        assert f'id="sv-{nr}"' in text
    # the key figure of a Stadtviertel is its pool value, in the unit's format
    quote = wert(load_pool(demo_pool), "sgb2_quote", "130", "2023-12-31")
    assert f"<td>{fmt.prozent(quote, 1)}</td>" in text
    assert text.count('class="kz-lagekarte"') == 8  # the three Ortschaften have no polygon
    assert "hat kein Polygon" in text


def test_profile_fits_one_a4_page_per_stadtviertel_in_the_pdf(profile: Path, browser, tmp_path):
    """Printed by the runner's step: as many A4 pages as Stadtviertel, each page one of them."""
    from pypdf import PdfReader

    from kennzahlen.runner import pdf
    from kennzahlen.runner.beilagen import profile_drucken

    grund = pdf.fehlt()
    if grund and os.environ.get("CI"):
        pytest.fail(grund)
    if grund:
        pytest.skip(grund)
    quelle = tmp_path / f"{runner.slug(RAUM)}.html"
    shutil.copy(profile / quelle.name, quelle)
    assert profile_drucken({RAUM: quelle}, "2023", browser) == []
    reader = PdfReader(str(quelle.with_suffix(".pdf")))
    rg = raumgliederung()
    sv = rg[rg["sozialraum"] == RAUM]
    assert len(reader.pages) == len(sv)
    for page, (nr, name) in zip(
        reader.pages, zip(sv["stadtviertel_nr"], sv["stadtviertel"], strict=True), strict=True
    ):
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2, (w, h)
        text = page.extract_text()
        assert f"{nr} {name}" in text, (nr, name)
        assert "Sozialindex" in text and "SGB-II-Quote" in text and "Kinderarmut" in text
        andere = [n for n in sv["stadtviertel_nr"] if n != nr and f"\n{n} " in f"\n{text}"]
        assert andere == [], (nr, andere)
