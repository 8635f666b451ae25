"""Reports a council member reads without help (issue 26): the four checks of every quarter.

1. **Sentences**: every generated sentence of the quarter's reports (the key messages of
   ``runs.json``, which the index and the mails repeat, and each Kennzahl's statement in
   Produkt 3) agrees in number ("1 Veränderung", "wurde 1 von 2 Zielwerten"), has no nested
   brackets, ends with a full stop, and names every value exactly as the table beside it.
2. **Vocabulary**: the visible text of every report names no snake_case identifier, file, path or
   module (those stay in docs/); the public Produkt 3 strictly, with its PDF's source.
3. **Layout** at 390, 768 and 1280 px for the index and one report per product
   (``tests/layout.py``): no sideways page, wide tables scroll in their own box with a cue and a
   sticky first column, no clipped text, chart text at least 9 px.
4. **Chart labels** never collide with lines or other labels (rendered bounding boxes).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from layout import layout_fehler
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from kennzahlen import runner
from kennzahlen.charts import plots, schrift
from kennzahlen.core import fmt
from kennzahlen.core.vocabulary import PRODUKTE
from kennzahlen.products.quartalsmeldung.steuerung import auffaellig_text
from kennzahlen.statistik import trend

# ---------------------------------------------------------------- 1. sentences

#: a count of 1 with a plural noun or verb, a 0/1 the German way round
FALSCHE_ZAHL = re.compile(
    r"(?<![\d.,])1 (?:\w+e )?(?:Veränderungen|Zielwerte[n]?\b(?! erreicht)|Fälle|Berichte)\b"
    r"|\bwurden 1 von\b|\b0 davon\b|(?<![\d.,])1 weitere Werte\b"
)


def satz_fehler(satz: str) -> list[str]:
    """What is wrong with one generated sentence (empty: nothing)."""
    out = []
    tiefe = 0
    for c in satz:
        tiefe += c == "("
        if tiefe > 1:
            out.append(f"Klammer in Klammer: {satz}")
            break
        tiefe -= c == ")"
    if not satz.rstrip().endswith((".", "!", "?")):
        out.append(f"ohne Schlusspunkt: {satz}")
    if FALSCHE_ZAHL.search(satz):
        out.append(f"Zahl und Wort passen nicht: {satz}")
    return out


def test_the_sentence_rules_find_the_old_defects():
    assert satz_fehler("1 auffällige Veränderungen, 0 davon noch ohne Erläuterung.")
    assert satz_fehler("Für die Gesamtstadt wurden 1 von 2 Zielwerten im Jahr 2023 erreicht.")
    assert satz_fehler("Zielwert 85 % (neu seit 2023 (bis 2022: 90 %)) erreicht.")
    assert satz_fehler("Manuell: Mitte/Ost – fachlich unauffällig")
    assert satz_fehler("Für die Gesamtstadt wurde 1 von 2 Zielwerten im Jahr 2023 erreicht.") == []


def test_agreement_helpers():
    assert fmt.anzahl(1, "Veränderung", "Veränderungen") == "1 Veränderung"
    assert fmt.anzahl(0, "Veränderung", "Veränderungen") == "0 Veränderungen"
    assert fmt.anzahl(1200, "Fall", "Fälle") == "1.200 Fälle"
    assert fmt.numerus(1, "wurde", "wurden") == "wurde"
    assert fmt.satz("fachlich unauffällig") == "fachlich unauffällig."
    assert fmt.satz("Ende.") == "Ende."
    assert auffaellig_text(1, 0) == "1 auffällige Veränderung, erläutert"
    assert auffaellig_text(1, 1) == "1 auffällige Veränderung, noch ohne Erläuterung"
    assert auffaellig_text(8, 4) == "8 auffällige Veränderungen, davon 4 noch ohne Erläuterung"
    assert auffaellig_text(2, 0) == "2 auffällige Veränderungen, alle erläutert"


def test_trend_word_needs_five_values_and_a_change_beyond_the_noise():
    """Hand-computed 95 % Poisson intervals: 100 -> [81,4; 121,6], 130 -> [108,6; 154,4]
    (overlap: etwa gleich), 150 -> [127,0; 176,0] (above: gestiegen)."""
    mitte = [trend.Punkt(110)] * 3
    assert trend.trendwort([trend.Punkt(100), *mitte, trend.Punkt(130)]) == trend.ETWA_GLEICH
    assert trend.trendwort([trend.Punkt(100), *mitte, trend.Punkt(150)]) == trend.GESTIEGEN
    assert trend.trendwort([trend.Punkt(150), *mitte, trend.Punkt(100)]) == trend.GESUNKEN
    assert trend.trendwort([trend.Punkt(100), trend.Punkt(150)]) is None  # two values: no word
    # the title: Räumungsklagen 90 of 126.829 -> 88 of 130.276 per 1.000 (0,71 -> 0,68)
    rk = [trend.Punkt(90, 126829, 1000), *mitte, trend.Punkt(88, 130276, 1000)]
    assert trend.trendwort(rk) == trend.ETWA_GLEICH
    # shares: Wilson 40/50 -> [0,670; 0,888], 30/50 -> [0,462; 0,724]: overlap
    anteil = [trend.Punkt(40, 50, 1, True), *mitte, trend.Punkt(30, 50, 1, True)]
    assert trend.trendwort(anteil) == trend.ETWA_GLEICH


def _kernaussagen(reports: Path) -> list[tuple[str, str]]:
    runs = json.loads((reports / "runs.json").read_text(encoding="utf-8"))
    return [
        (f"Produkt {e['produkt']} {e['raum']}", k)
        for e in runs["reports"]
        for k in e.get("kernaussagen") or []
    ]


def test_every_key_message_of_the_quarter_reads_right(reports: Path):
    """The key messages (reports, index, mails) of all 24 reports."""
    saetze = _kernaussagen(reports)
    assert len(saetze) > 48
    fehler = [f"{wo}: {f}" for wo, s in saetze for f in satz_fehler(s)]
    assert fehler == []


P3_AUSSAGEN_JS = r"""
() => {
  const out = [];
  let cur = null;
  for (const el of document.querySelectorAll('h3, table')) {  // document order
    if (el.tagName === 'H3') {
      const b = el.parentElement.querySelector('p:not(.kz-fuss) > b');
      cur = b ? {titel: el.innerText, satz: b.innerText} : null;
      continue;
    }
    if (!cur) continue;
    const kopf = Array.from(el.querySelectorAll('thead th')).map(t => t.innerText.trim());
    const zeilen = {};
    el.querySelectorAll('tbody tr').forEach(tr => {
      const cells = Array.from(tr.cells).map(c => c.innerText.trim());
      zeilen[cells[0]] = cells[kopf.indexOf('Wert')];
    });
    out.push({...cur, zeilen});
    cur = null;  // the first table after a heading is the Kennzahl's
  }
  return out;
}
"""
#: "für die Gesamtstadt mit 80,3 %", "in Wiblingen mit 75,0 %", "am höchsten in West (41,2 %)",
#: Ziel 7 in Euro: "bei 611 €", "mit +6,2 %"
WERT_IM_SATZ = re.compile(
    r"(?:für die (?P<g>Gesamtstadt)|im Sozialraum (?P<s>[\w/ -]+?)|in (?P<r>[\w/-]+(?: [\w-]+)?)"
    r"|Gesamtstadt|Wert für die (?P<g2>Gesamtstadt)) (?:mit|bei|\() ?"
    r"(?P<w>[+−]?[\d.,]+(?:\xa0[%€])?)"
)


@pytest.mark.parametrize("raum", ["Gesamtstadt", "Wiblingen"])
def test_p3_sentences_name_values_as_their_tables_show_them(reports: Path, browser, raum: str):
    """Each value a Produkt-3 statement names is the very text of its table's cell (the 2021
    sentence said '84 %' next to a table of '83,5 %')."""
    path = reports / PRODUKTE[3].ordner / f"{runner.slug(raum)}.html"
    page = browser.new_page()
    page.goto(path.as_uri(), wait_until="load")
    abschnitte = page.evaluate(P3_AUSSAGEN_JS)
    page.close()
    assert len(abschnitte) >= 10
    geprueft, fehler = 0, []
    for a in abschnitte:
        for m in WERT_IM_SATZ.finditer(a["satz"]):
            gebiet = m["g"] or m["g2"] or m["s"] or m["r"] or "Gesamtstadt"
            if gebiet not in a["zeilen"]:
                continue
            geprueft += 1
            if a["zeilen"][gebiet] != m["w"]:
                fehler.append(
                    f"{a['titel']}: {gebiet} {m['w']!r} ≠ Tabelle {a['zeilen'][gebiet]!r}"
                )
    assert geprueft >= 20 and fehler == []


# ---------------------------------------------------------------- 2. vocabulary

#: what a reader must not see: snake_case, file names, paths, module names
IT_TEXT = re.compile(
    r"\b[a-z]+_[a-z0-9_]+\b"
    r"|\b[\w-]+\.(?:ya?ml|csv|py|json|geojson|parquet|ipynb|xlsx)\b"
    r"|\b(?:config|tests|docs|lib|data)/"
    r"|\bkennzahlen\.\w+"
)


def test_the_vocabulary_rule_finds_the_old_defects():
    for alt in (
        "Datenstand: beratungen_altenhilfe 25.01.2024",
        "werden in tests/test_sozialindex.py nachgerechnet",
        "nach config/sozialindex.yaml",
        "neue Lieferung hilfeplangespraeche: gespraech_id, fall_id",
    ):
        assert IT_TEXT.search(alt), alt
    assert not IT_TEXT.search("Jugendhilfe (ProSoz) 24.01.2024; berlin.de/sen/sbw/monitoring")


@pytest.mark.parametrize("produkt", sorted(PRODUKTE))
def test_no_it_text_in_any_report(reports: Path, produkt: int):
    """Every report of the quarter (the public Produkt 3 and the internal ones): no identifier,
    file, path or module name in what a reader sees (text, captions, alt texts, page title)."""
    from berichtspruefung import sichtbarer_text

    funde = []
    for path in sorted((reports / PRODUKTE[produkt].ordner).glob("*.html")):
        html_text = path.read_text(encoding="utf-8")
        alts = " ".join(re.findall(r'alt="([^"]*)"', html_text))
        text = sichtbarer_text(html_text) + " " + alts
        funde += [f"{path.name}: {m.group()}" for m in IT_TEXT.finditer(text)]
    assert funde == []


# ---------------------------------------------------------------- 3. layout

BREITEN = (390, 768, 1280)
SEITEN = ["index.html"] + [f"{p.ordner}/wiblingen.html" for p in PRODUKTE.values()]


@pytest.mark.parametrize("breite", BREITEN)
def test_layout_on_phone_tablet_and_desktop(reports: Path, browser, breite: int):
    context = browser.new_context(offline=True, viewport={"width": breite, "height": 900})
    page = context.new_page()
    funde = {}
    for rel in SEITEN:
        page.goto((reports / rel).as_uri(), wait_until="load")
        f = {k: v for k, v in layout_fehler(page, schrift.MIN_SCHRIFT_PX).items() if v}
        if f:
            funde[rel] = f
    context.close()
    assert funde == {}


ERLAEUTERUNG_JS = r"""
() => {
  const t = Array.from(document.querySelectorAll('table')).find(
    t => t.caption && t.caption.innerText.startsWith('Auffällige Veränderungen'));
  if (!t) return null;
  const box = t.closest('.kz-tabelle').getBoundingClientRect();
  const spalte = Array.from(t.querySelectorAll('thead th')).find(
    th => th.innerText.trim() === 'Erläuterung');
  const zellen = Array.from(t.querySelectorAll('tbody tr'))
    .map(tr => tr.cells[tr.cells.length - 1]);
  return {box_rechts: box.right, ueberlauf: t.closest('.kz-tabelle').scrollWidth - box.width,
          spalte: spalte ? spalte.getBoundingClientRect().right : null,
          zellen: zellen.map(z => [z.innerText.slice(0, 20), z.getBoundingClientRect().right])};
}
"""


def test_p2_notable_changes_show_their_erlaeuterung_at_1280(reports: Path, browser):
    """At 1280 px the column "Erläuterung" of Produkt 2's notable changes is in view, every
    explanation whole, without scrolling the table sideways (seen: "er" and "⚠ auffällig, no")."""
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    funde, tabellen = [], 0
    for path in sorted((reports / PRODUKTE[2].ordner).glob("*.html")):
        page.goto(path.as_uri(), wait_until="load")
        t = page.evaluate(ERLAEUTERUNG_JS)
        if t is None:
            continue
        tabellen += 1
        if t["ueberlauf"] > 1 or t["spalte"] is None or t["spalte"] > t["box_rechts"] + 1:
            funde.append(f"{path.name}: Spalte bis {t['spalte']}, Kasten bis {t['box_rechts']}")
        funde += [f"{path.name}: {z}" for z, r in t["zellen"] if r > t["box_rechts"] + 1]
    context.close()
    assert tabellen >= 2 and funde == []


def test_every_report_has_contents_and_a_way_back(reports: Path):
    for p in PRODUKTE.values():
        html_text = (reports / p.ordner / "gesamtstadt.html").read_text(encoding="utf-8")
        nav = re.search(r'<nav class="kz-nav" aria-label="Inhalt">(.*?)</nav>', html_text, re.S)
        assert nav, p.ordner
        ziele = re.findall(r'href="#([^"]+)"', nav.group(1))
        assert len(ziele) >= 3 and all(f'id="{z}"' in html_text for z in ziele), p.ordner
        assert 'href="../index.html"' in nav.group(1)


# ---------------------------------------------------------------- 4. chart labels


def _linien_punkte(ax, line: Line2D, n: int = 40) -> np.ndarray:
    """A line's path in display coordinates, densely sampled between its points."""
    xy = ax.transData.transform(np.column_stack(line.get_data()).astype(float))
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) < 2:
        return xy
    t = np.linspace(0, 1, n)[:, None]
    return np.vstack([a + (b - a) * t for a, b in zip(xy[:-1], xy[1:], strict=False)])


def kollisionen(fig: Figure) -> list[str]:
    """Value labels that overlap another label or that a line runs through (bounding boxes of
    the drawn artists; the label's own anchor point may touch its line)."""
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    out = []
    for ax in fig.axes:
        texte = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
        boxen = [t.get_window_extent(renderer).shrunk(0.96, 0.9) for t in texte]
        for i, (t, b) in enumerate(zip(texte, boxen, strict=True)):
            for j in range(i + 1, len(boxen)):
                if b.overlaps(boxen[j]):
                    out.append(f"{t.get_text()!r} über {texte[j].get_text()!r}")
            for line in ax.get_lines():
                pts = _linien_punkte(ax, line)
                innen = [b.contains(x, y) for x, y in pts]
                if any(innen):
                    out.append(f"Linie durch {t.get_text()!r}")
    return out


def test_reference_line_and_end_labels_stay_clear():
    """The issue's cases: the Gesamtstadt line at 5,7 % through the label '5,6 %' of a bar, and
    a falling last value '582' with the line running through its label."""
    plots.setup()
    werte = pd.Series({"Böfingen": 0.056, "Eselsberg": 0.068, "West": 0.046, "Wiblingen": 0.057})
    balken = plots.balken(
        werte, "SGB-II-Quote", prozent=True, referenz=0.057, referenz_text="Stadt"
    )
    reihen = pd.DataFrame(
        {"HzE ohne UMA": [590, 600, 610, 594, 582], "AsylbLG": [550, 575, 600, 660, 690]},
        index=[f"Q{i}" for i in range(5)],
    )
    klein = plots.kleine_vielfache(reihen, "Fallzahlen")
    assert kollisionen(balken) == [] and kollisionen(klein) == []
    # every panel starts at 0 (no cut axis that turns +25 % into an explosion)
    assert all(ax.get_ylim()[0] == 0 for ax in klein.axes if ax.get_visible())


def test_the_collision_check_finds_a_line_through_a_label():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.5, "582", ha="center", va="center")
    assert kollisionen(fig) == ["Linie durch '582'"]
    plt.close(fig)
