"""The generated reports in a real browser (headless Chromium, offline), as a reader opens them.

Runs the real runner over the demo pool for every product and area (24 reports),
then opens each HTML file from disk: no request may leave the file, no page error, every
image loads, no code is visible, and the title and headline numbers are there. On the same
page axe-core checks WCAG 2.1 AA (BITV 2.0): any violation fails the test; so does a table
without caption or header scopes, or a chart without an informative alt text. The index page
gets the same checks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from barrierefreiheit import axe_verstoesse, struktur_fehler
from inprocess import run_notebook

from kennzahlen import runner
from kennzahlen.api import load_pool, wert
from kennzahlen.catalog.geography import areas
from kennzahlen.core import fmt, paths
from kennzahlen.core.vocabulary import PRODUKTE

#: the end-to-end layer (`pytest -m "not e2e"` leaves it out; markers in pyproject.toml)
pytestmark = pytest.mark.e2e

AREAS = areas()  # every Sozialraum and Gesamtstadt: all 24 reports of a quarter
PERIODE = "2023-Q4"
#: Produkt 3's count of Zielwerte ("wurde 1 von 1 Zielwert", "wurden 2 von 5 Zielwerten")
ZIELWERTE = re.compile(r"wurden? (\d+) von (\d+) Zielwert(?:en)? im Jahr")
# the `browser` fixture (one headless Chromium for the session) is in conftest.py


def headline(pool_dir: Path, produkt: int, raum: str) -> str:
    """A number the report must show, computed from the pool independently of the notebook."""
    pool = load_pool(pool_dir)
    if produkt == 1:
        return fmt.zahl(wert(pool, "bev_gesamt", raum, "2023-12-31"))
    if produkt == 2:
        return fmt.zahl(wert(pool, "jh_hze_gesamt", raum, "2023-12-31"))
    if produkt == 3:
        # a share as its table shows it, one decimal (the sentences round the same way)
        return fmt.prozent(wert(pool, "jh_z5_anteil_hilfen_vor_dem_fall", raum, "2023"), 1)
    lichter = load_pool(pool_dir, "ampel")
    lichter = lichter[lichter["quartal"] == PERIODE]
    if raum != "Gesamtstadt":
        lichter = lichter[lichter["sozialraum"] == raum]
    return (
        f"{int((lichter['farbe'] == 'rot').sum())} × rot, "
        f"{int((lichter['farbe'] == 'gelb').sum())} × gelb"
    )


@pytest.mark.parametrize("produkt", sorted(PRODUKTE))
@pytest.mark.parametrize("raum", AREAS)
def test_report_renders_offline(reports: Path, demo_pool: Path, browser, produkt: int, raum: str):
    path = reports / PRODUKTE[produkt].ordner / f"{runner.slug(raum)}.html"
    assert path.exists()
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 1.5 * 1024 * 1024, "report over 1.5 MB"
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), (
        "reference to another host"
    )
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
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    assert images, "the report has no chart"
    assert all(done and width > 0 for done, width in images)
    assert (
        page.locator(
            ".jp-CodeCell .jp-InputArea, .jp-CodeCell .jp-InputPrompt, div.highlight"
        ).count()
        == 0
    )
    assert page.locator(".jp-CodeCell").count() > 0 and page.locator(".jp-MarkdownCell").count() > 0
    text = page.inner_text("body")
    assert PRODUKTE[produkt].titel.split(" ")[0] in page.title()
    assert raum in page.title()
    assert "Traceback" not in text and "Error" not in text
    assert headline(demo_pool, produkt, raum) in text
    assert "Das Wichtigste in Kürze" in text
    assert struktur_fehler(page) == []
    assert axe_verstoesse(page) == []
    if produkt == 1:  # the Sozialindex maps and overlay table, on the same page load
        sozialindex_pruefen(page)
    # the proofreading (below) on the same page: last, it sets the window's width
    found = proofread(page)
    context.close()
    assert {k: v for k, v in found.items() if v} == {}


def sozialindex_pruefen(page) -> None:
    """Produkt 1 (every area, in :func:`test_report_renders_offline`, on its page load): the
    status and the dynamics map load (with their alt text naming the classes), the overlay table
    has a row per status class and a column per dynamic class, and the Gebiete mit besonderem
    Aufmerksamkeitsbedarf and the method section are there."""
    karten = page.evaluate(
        """Array.from(document.images).filter(i => i.alt.startsWith('Karte der Stadtviertel nach'))
           .map(i => [i.complete, i.naturalWidth, i.alt])"""
    )
    assert [a.split(" 20")[0] for _, _, a in karten] == [
        "Karte der Stadtviertel nach Statusklasse",
        "Karte der Stadtviertel nach Dynamikklasse",
    ]
    assert all(done and width > 300 for done, width, _ in karten)
    assert "sehr niedrig:" in karten[0][2] and "negativ:" in karten[1][2]
    overlay = page.locator("table", has=page.locator("caption", has_text="und Dynamik 2021–2023"))
    assert overlay.count() == 1
    rows = overlay.locator("tbody th").all_inner_texts()
    assert rows == ["Status hoch", "Status mittel", "Status niedrig", "Status sehr niedrig"]
    cols = overlay.locator("thead th").all_inner_texts()
    assert cols[-3:] == ["Dynamik positiv", "Dynamik stabil", "Dynamik negativ"]
    assert "◆" in overlay.inner_text()
    text = page.inner_text("body")
    assert "Gebiete mit besonderem Aufmerksamkeitsbedarf" in text
    assert "Wie fest sitzen die Klassen?" in text and "Methode des Sozialmonitorings" in text


def test_index_links_every_report(reports: Path):
    index = (reports / "index.html").read_text(encoding="utf-8")
    for prod in PRODUKTE.values():
        for raum in AREAS:
            assert f'href="{prod.ordner}/{runner.slug(raum)}.html"' in index
    assert (reports / "2_quartalsmeldung" / "gesamtstadt.xlsx").exists()


def test_index_shows_the_quarter_at_a_glance(reports: Path, demo_pool: Path, browser):
    """The index: offline, no script, WCAG 2.1 AA; the Ampel of the pool with links into the
    Ampel reports, Produkt 3's Zielwerte as each published report counts them, the Kernaussagen
    of the Gesamtstadt, the period and the data's Stand."""
    import json

    path = reports / "index.html"
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    context = browser.new_context(offline=True)
    page = context.new_page()
    page.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort()
    )
    page.goto(path.as_uri(), wait_until="load")
    text = page.inner_text("body")
    assert "4. Quartal 2023" in page.title() and "Datenstand:" in text
    assert "24 von 24 Berichten liegen vor" in text
    lichter = load_pool(demo_pool, "ampel")
    lichter = lichter[lichter["quartal"] == PERIODE]
    for farbe in ("rot", "gelb", "gruen", "grau"):
        shown = page.locator(f".kz-ampeln .kz-ampel-{farbe}").count()
        assert shown == int((lichter["farbe"] == farbe).sum()), farbe
    for raum, n in lichter.groupby("sozialraum").size().items():
        href = f"4_ampel/{runner.slug(raum)}.html"
        assert page.locator(f'.kz-ampeln a[href="{href}"]').count() == n
    runs = json.loads((reports / "runs.json").read_text(encoding="utf-8"))
    for e in runs["reports"]:
        if e["produkt"] == 3:  # the counts are the ones the published report states
            m = next(filter(None, (ZIELWERTE.search(k) for k in e["kernaussagen"])))
            erreicht, von = int(m[1]), int(m[2])
            satz = m.string
            zeile = page.locator(".kz-ziele tbody tr", has_text=e["raum"]).first
            zahlen = [int(x) for x in zeile.locator("td").all_inner_texts()]
            assert zahlen[0] == erreicht and zahlen[0] + zahlen[1] == von, (e["raum"], satz)
        if e["raum"] == "Gesamtstadt":
            assert e["kernaussagen"][0] in text
    assert struktur_fehler(page) == []
    assert axe_verstoesse(page) == []
    context.close()


#: window widths of the index: side by side (1280) down to stacked (800)
INDEX_BREITEN = (1280, 1200, 1100, 1000, 800)


def test_index_tables_stay_in_their_column(reports: Path, browser):
    """Side by side or stacked, at every width of :data:`INDEX_BREITEN`, the Ampel and the
    Zielwerte never run into each other and the page never scrolls sideways (seen at 1200 px: the
    last Ampel column ran over the Zielwerte). One page load; the window is resized for each width
    (the page lays itself out again, as when a reader resizes it)."""
    context = browser.new_context(offline=True, viewport={"width": INDEX_BREITEN[0], "height": 900})
    page = context.new_page()
    page.goto((reports / "index.html").as_uri(), wait_until="load")
    gesehen = {}
    for breite in INDEX_BREITEN:
        page.set_viewport_size({"width": breite, "height": 900})
        boxen = page.evaluate(
            """() => Array.from(document.querySelectorAll('.kz-raster2 > *')).map(s => {
                const t = s.querySelector('table').getBoundingClientRect();
                const r = s.getBoundingClientRect();
                return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                        table_right: t.right};
            })"""
        )
        breite_doc = page.evaluate("document.documentElement.scrollWidth")
        gesehen[breite] = (boxen, breite_doc)
    context.close()
    for breite, (boxen, breite_doc) in gesehen.items():
        assert len(boxen) == 2, (breite, boxen)
        for b in boxen:
            assert b["table_right"] <= b["right"] + 1, (breite, boxen)
        a, z = boxen
        assert a["right"] <= z["left"] or a["bottom"] <= z["top"], (breite, boxen)
        assert breite_doc <= breite, (breite, breite_doc)


def test_2021_q4_report_shows_the_papers_erfassungsbogen(demo_pool: Path, monkeypatch):
    """The report's numbers: its notebook in-process (tests/inprocess.py), the HTML it displays
    (what the report embeds); the runner's way from notebook to HTML page is tested on the
    session's 24 reports above."""
    lauf = run_notebook(
        paths.NOTEBOOKS / "02_quartalsmeldung.ipynb",
        {"periode": "2021-Q4", "sozialraum": "Gesamtstadt", "pool": str(demo_pool)},
        monkeypatch,
    )
    assert lauf.warnungen == [], [str(w.message) for w in lauf.warnungen]
    html = lauf.text()
    for number in (
        "425",
        "123",
        "548",
        "3.853",
        "656",
        "304",
        "1.094",
        "337",
        "85",
        "226",
        "1.534",
        "1.681",
        "103",
        "415",
        "518",
        "199",
        "5.460",
        "547",
    ):
        assert re.search(rf">\s*{re.escape(number)}\s*</td>", html), number
    assert "Stichtag 31.12.2021" in html


@pytest.mark.parametrize("raum", AREAS)
def test_public_report_shows_no_count_below_3(reports: Path, raum: str):
    html = (reports / PRODUKTE[3].ordner / f"{runner.slug(raum)}.html").read_text(encoding="utf-8")
    assert not re.search(r"<td[^>]*>\s*[12]\s*</td>", html), "a count of 1 or 2 is visible"
    audit = reports / PRODUKTE[3].ordner / f"{runner.slug(raum)}.audit.csv"
    assert audit.exists()
    assert audit.read_text(encoding="utf-8").startswith("tabelle;zeile;spalte;grund;regel")


# ---------------------------------------------------------------- proofreading (issue 17)
# What a proofreader checks on every report of the quarter, in the browser: no table has two rows
# with the same label (a group heading row or a row-spanning header counts as part of the label),
# no numeric cell wraps and no number breaks from its unit (from the rendered line boxes), no
# "nan"/"None" text. Chart tick labels are proofread in tests/test_proofreading.py.

PROOFREAD_JS = r"""
() => {
  const NUM = /^(?:[<>≈Ø~]\s?)?[+\u2212±-]?\d[\d.]*(?:,\d+)?(?:[ \u00a0\u202f]?(?:%|‰|Pp\.))?$/;
  const UNIT = /[+\u2212±-]?\d[\d.]*(?:,\d+)?[ \u00a0\u202f]?(?:%|‰|Pp\.)/g;
  const lines = (rects) => {  // line boxes: rects that start below the previous line
    let n = 0, bottom = -Infinity;
    const boxes = Array.from(rects).filter(r => r.width > 0 && r.height > 0);
    for (const r of boxes.sort((a, b) => a.top - b.top)) {
      if (r.top >= bottom - 1) { n++; bottom = r.bottom; }
      else { bottom = Math.max(bottom, r.bottom); }
    }
    return n;
  };
  const out = {tables: 0, duplicates: [], wrapped: [], broken: [], breakable: [], unlabelled: []};
  document.querySelectorAll('table').forEach((t, ti) => {
    out.tables++;
    const seen = new Set(), carry = [];
    let heading = '';
    for (const tr of t.querySelectorAll('tbody tr')) {
      const cells = Array.from(tr.cells);
      if (cells.length === 1 && cells[0].colSpan > 1) {
        heading = cells[0].innerText.trim();
        continue;
      }
      const row = [];
      let ci = 0, col = 0;
      while (ci < cells.length || (carry[col] && carry[col].left > 0)) {
        if (carry[col] && carry[col].left > 0) {
          carry[col].left--; row.push(carry[col]); col++;
          continue;
        }
        const c = cells[ci++];
        for (let k = 0; k < c.colSpan; k++) {
          const e = {text: c.innerText.trim(), th: c.tagName === 'TH', left: c.rowSpan - 1};
          if (c.rowSpan > 1) carry[col] = e;
          row.push(e); col++;
        }
      }
      let label = row.filter(e => e.th && e.text).map(e => e.text);
      if (!label.length) {  // no row header: the leading text cells name the row
        for (const e of row) { if (NUM.test(e.text)) break; label.push(e.text); }
      }
      const key = [heading, ...label].filter(Boolean).join(' | ');
      if (!key) out.unlabelled.push(`Tabelle ${ti + 1}: ${row.map(e => e.text).join(' | ')}`);
      else if (seen.has(key)) out.duplicates.push(`Tabelle ${ti + 1}: ${key}`);
      seen.add(key);
    }
    for (const cell of t.querySelectorAll('td, th')) {
      const text = cell.innerText.trim();
      if (!NUM.test(text)) continue;
      const r = document.createRange();
      r.selectNodeContents(cell);
      if (lines(r.getClientRects()) > 1) {
        out.wrapped.push(`Tabelle ${ti + 1}: ${JSON.stringify(text)}`);
      }
    }
  });
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    if (['STYLE', 'SCRIPT'].includes(node.parentElement.tagName)) continue;
    for (const m of node.data.matchAll(UNIT)) {
      // a plain space wraps at some width: needs a no-break space
      if (m[0].includes(' ')) out.breakable.push(JSON.stringify(m[0]));
      const r = document.createRange();
      r.setStart(node, m.index);
      r.setEnd(node, m.index + m[0].length);
      if (lines(r.getClientRects()) > 1) out.broken.push(JSON.stringify(m[0]));
    }
  }
  const alts = Array.from(document.images).map(i => i.alt).join('\n');
  out.missing = (document.title + '\n' + document.body.innerText + '\n' + alts)
    .match(/\b(?:nan|NaN|None|NaT)\b|<NA>/g) || [];
  return out;
}
"""
#: a desktop window and a narrow one (half a laptop screen): numbers must hold together in both
WIDTHS = (1280, 760)


def proofread(page) -> dict[str, list[str]]:
    """The proofreading findings of the page at each width (empty lists: nothing to correct)."""
    found: dict[str, list[str]] = {
        k: [] for k in ("duplicates", "wrapped", "broken", "breakable", "unlabelled", "missing")
    }
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        res = page.evaluate(PROOFREAD_JS)
        assert res["tables"] > 0, "the report has no table"
        for key in found:
            found[key] += [
                f"{width}px: {x}" for x in res[key] if f"{width}px: {x}" not in found[key]
            ]
    return found


# every report of the quarter is proofread in test_report_renders_offline (one page load a report)


@pytest.mark.parametrize("notebook", sorted(paths.NOTEBOOKS.glob("0*.ipynb")), ids=lambda p: p.stem)
def test_notebook_outputs_proofreading(browser, notebook: Path):
    """The committed notebook outputs (the nbval references, notebook 00 for analysts) read right
    too."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    html_parts, texts = [], []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                html_parts.append(data["text/html"])
            texts.append(out.get("text", "") or data.get("text/plain", ""))
    assert html_parts, "no table output: run `make baselines`"
    context = browser.new_context(offline=True)
    page = context.new_page()
    page.set_content(
        "<html><head><title>nb</title></head><body>" + "\n".join(html_parts) + "</body></html>"
    )
    res = page.evaluate(PROOFREAD_JS)
    context.close()
    assert res["duplicates"] == [] and res["unlabelled"] == []
    assert [
        m for m in res["missing"] if m != "<NA>"
    ] == []  # <NA>: the pool's empty Nenner, shown to analysts
    assert not re.search(r"\b(?:nan|NaN|None)\b", "\n".join(texts))
