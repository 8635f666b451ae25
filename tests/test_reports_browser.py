"""The generated reports in a real browser (headless Chromium, offline), as a reader opens them.

Runs the real runner over the demo pool for every product and area (24 reports),
then opens each HTML file from disk: no request may leave the file, no page error, every
image loads, no code is visible, and the title and headline numbers are there.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from kennzahlen import fmt, runner
from kennzahlen.api import load_pool, wert
from kennzahlen.geography import areas

CHROMIUM = os.environ.get("KENNZAHLEN_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
AREAS = areas()  # every Sozialraum and Gesamtstadt: all 24 reports of a quarter
PERIODE = "2023-Q4"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium fehlt ({CHROMIUM}): .ci/run installiert es")
        pytest.skip("Chromium nicht installiert (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


def headline(pool_dir: Path, produkt: int, raum: str) -> str:
    """A number the report must show, computed from the pool independently of the notebook."""
    pool = load_pool(pool_dir)
    if produkt == 1:
        return fmt.zahl(wert(pool, "bev_gesamt", raum, "2023-12-31"))
    if produkt == 2:
        return fmt.zahl(wert(pool, "jh_hze_gesamt", raum, "2023-12-31"))
    if produkt == 3:
        return fmt.prozent(wert(pool, "jh_z5_anteil_hilfen_vor_dem_fall", raum, "2023"), 0)
    lichter = load_pool(pool_dir, "ampel")
    lichter = lichter[lichter["quartal"] == PERIODE]
    if raum != "Gesamtstadt":
        lichter = lichter[lichter["sozialraum"] == raum]
    return f"{int((lichter['farbe'] == 'rot').sum())} × rot, {int((lichter['farbe'] == 'gelb').sum())} × gelb"


@pytest.mark.parametrize("produkt", sorted(runner.PRODUKTE))
@pytest.mark.parametrize("raum", AREAS)
def test_report_renders_offline(reports: Path, demo_pool: Path, browser, produkt: int, raum: str):
    path = reports / runner.PRODUKTE[produkt].ordner / f"{runner.slug(raum)}.html"
    assert path.exists()
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 1.5 * 1024 * 1024, "report over 1.5 MB"
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "reference to another host"
    assert "require.min.js" not in html and "mathjax" not in html.lower()

    context = browser.new_context(offline=True)
    page = context.new_page()
    outside, errors, console = [], [], []

    def guard(route):
        url = route.request.url
        if url.startswith(("file://", "data:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: outside.append(f"failed: {r.url}"))
    page.goto(path.as_uri(), wait_until="load")
    assert outside == [] and errors == [] and console == []
    images = page.evaluate(
        "Array.from(document.images).map(i => [i.complete, i.naturalWidth])"
    )
    assert images, "the report has no chart"
    assert all(done and width > 0 for done, width in images)
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeCell .jp-InputPrompt, div.highlight").count() == 0
    assert page.locator(".jp-CodeCell").count() > 0 and page.locator(".jp-MarkdownCell").count() > 0
    text = page.inner_text("body")
    assert runner.PRODUKTE[produkt].titel.split(" ")[0] in page.title()
    assert raum in page.title()
    assert "Traceback" not in text and "Error" not in text
    assert headline(demo_pool, produkt, raum) in text
    assert "Das Wichtigste in Kürze" in text
    context.close()


def test_index_links_every_report(reports: Path):
    index = (reports / "index.html").read_text(encoding="utf-8")
    for prod in runner.PRODUKTE.values():
        for raum in AREAS:
            assert f'href="{prod.ordner}/{runner.slug(raum)}.html"' in index
    assert (reports / "2_quartalsmeldung" / "gesamtstadt.xlsx").exists()


def test_2021_q4_report_shows_the_papers_erfassungsbogen(demo_pool: Path, tmp_path: Path):
    res = runner.run("2021-Q4", [2], ["Gesamtstadt"], demo_pool, tmp_path, progress=False)
    assert not res.failed, res.failed
    html = (tmp_path / "2021-Q4" / "2_quartalsmeldung" / "gesamtstadt.html").read_text(encoding="utf-8")
    for number in ("425", "123", "548", "3.853", "656", "304", "1.094", "337", "85", "226", "1.534", "1.681",
                   "103", "415", "518", "199", "5.460", "547"):
        assert re.search(rf">\s*{re.escape(number)}\s*</td>", html), number
    assert "Stichtag 31.12.2021" in html


@pytest.mark.parametrize("raum", AREAS)
def test_public_report_shows_no_count_below_3(reports: Path, raum: str):
    html = (reports / runner.PRODUKTE[3].ordner / f"{runner.slug(raum)}.html").read_text(encoding="utf-8")
    assert not re.search(r"<td[^>]*>\s*[12]\s*</td>", html), "a count of 1 or 2 is visible"
    audit = reports / runner.PRODUKTE[3].ordner / f"{runner.slug(raum)}.audit.csv"
    assert audit.exists()
    assert audit.read_text(encoding="utf-8").startswith("tabelle;zeile;spalte;grund;regel")
