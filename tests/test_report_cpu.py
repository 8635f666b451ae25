"""Issue 28, sixth step: the report CPU outside the charts, with the reports unchanged.

- ``runner.html_export``: the page after nbconvert's template in one pass over ``html.parser``,
  byte for byte what nbconvert's BeautifulSoup pass wrote (real report pages, edge cases);
- the executed notebook read without a validation of its own, the export validating once;
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kennzahlen.runner import html_export, worker

# -- the HTML export ---------------------------------------------------------------------------


def _bs4_weg(html: str) -> tuple[str, int]:
    """What nbconvert's HTMLExporter.from_notebook_node did after its template (nbconvert 7)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, features="html.parser")
    missing = 0
    for elem in soup.select("img:not([alt])"):
        elem.attrs["alt"] = "No description has been provided for this image"
        missing += 1
    for elem in soup.select(".jp-Notebook div.jp-Cell-inputWrapper"):
        elem.attrs["tabindex"] = "0"
    for elem in soup.select(".jp-Notebook div.jp-OutputArea-output"):
        elem.attrs["tabindex"] = "0"
    return str(soup), missing


RAENDER = [
    # entities: named, numeric (decimal, hex, windows-1252 range, invalid, out of range),
    # unknown ones, without semicolon
    "<p>&nbsp;&#150;&foo &amp &lt;b&gt; &euro;&#x20AC;&#0;&#xD800;&#99999999;&#x;&#128;</p>",
    "plain & text < > \" ' ",
    # script and style keep their text as it is
    '<script>if (a < b && c > d) { x = "&amp;"; }</script><style>p > a { x: "&lt;" }</style>',
    "<script>  \n  </script><style></style>",
    # nested, unclosed and stray tags
    "<ul><li>a<li>b</ul></div></span><b><i>x</b>y</i>",
    "<p>unclosed <b>bold <i>italic",
    "<div><div><p>x</div>y</div>z</p>",
    "<table><tr><th colspan=2>x</th></tr><tr><td>1<td>2</table>",
    # non-ASCII text and attributes
    '<p title="Größe – „Zitat“">Jugendhilfe Süd: 12,5 % · € · 😀 · 中文</p>',
    # attributes: quotes, duplicates, value-less, upper case, order, multi-valued
    '<a title=\'He said "hi"\' data-x="it\'s" data-y="both \' and &quot;">q</a>',
    '<p b=2 a=1 a=3 hidden CLASS="  x  y ">dup</p>',
    '<td headers="  a b">x</td><a rel="  no  follow ">y</a><p rel=" a  b">z</p>',
    '<meta charset="UTF-8"><meta http-equiv="Content-Type" content="text/html; charset=latin-1">',
    # void and self-closing elements
    "<div/><span/>t<br/><br></br></br><hr><input disabled checked=checked>",
    '<svg viewBox="0 0 1 1"><path d="M0 0"/><g><rect/></g></svg>',
    # whitespace-only text collapses outside pre/textarea
    "<pre>  \n  </pre>   \n   <textarea>   </textarea>  <span>  </span>\r\n",
    # comments, doctype, CDATA, processing instructions
    "<!----><!-- a -- b --><!--[if IE]>x<![endif]--><!foo><!DOCTYPE html><![CDATA[y]]><?php x?>",
    # nbconvert's additions: alt, tabindex inside .jp-Notebook only, on divs only
    '<img src=a><img alt=""><img ALT=Z><IMG SRC=b /><div class="jp-OutputArea-output">c</div>',
    '<div class="jp-Notebook"><div class="jp-Cell-inputWrapper" tabindex=3>a</div><section>'
    '<div class="x jp-OutputArea-output">b<img src=x></div></section>'
    '<span class="jp-Cell-inputWrapper">s</span><div class="JP-CELL-INPUTWRAPPER">u</div></div>'
    '<div class="jp-Notebook jp-OutputArea-output">self</div>',
    "",
    "<",
    "a<b",
    '<p>x</p  ><p\n class=a\n>y</p><p class="">z</p>',
]


@pytest.mark.parametrize("html", RAENDER)
def test_html_export_writes_what_beautifulsoup_wrote(html: str) -> None:
    assert html_export.nachbearbeiten(html) == _bs4_weg(html)


def test_html_export_warns_of_missing_alt_as_nbconvert(caplog) -> None:
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    nb = new_notebook(
        cells=[new_code_cell(outputs=[new_output("display_data", {"text/html": "<img src=x>"})])]
    )
    exporter = html_export.html_exporter_klasse()()
    with caplog.at_level(logging.WARNING):
        html, _ = exporter.from_notebook_node(nb)
    assert "Alternative text is missing on 1 image(s)." in caplog.text
    assert 'alt="No description has been provided for this image"' in html


def _old_exporter():
    """The runner's exporter as it was: nbconvert's HTMLExporter, validating after each step."""
    from nbconvert import HTMLExporter

    neu = worker._EXPORTER.pop("html", None)
    original = html_export.html_exporter_klasse
    try:
        html_export.html_exporter_klasse = lambda: HTMLExporter
        alt = worker._html_exporter()
    finally:
        html_export.html_exporter_klasse = original
        worker._EXPORTER.pop("html", None)
        if neu is not None:
            worker._EXPORTER["html"] = neu
    alt.optimistic_validation = False
    return alt


def test_report_pages_byte_identical_to_the_beautifulsoup_export(reports: Path) -> None:
    """Every executed notebook of the quarter's 24 reports exported the old way (nbconvert's
    HTMLExporter) and the new way: the same text."""
    import nbformat

    alt = _old_exporter()
    neu = worker._html_exporter()
    notebooks = sorted(reports.glob("*/*.ipynb"))
    assert len(notebooks) == 24
    for path in notebooks:
        seiten = []
        for exporter in (alt, neu):
            worker._EXPORTER["html"] = exporter
            nb = nbformat.read(path, as_version=4)
            seiten.append(worker.export_html(nb, "Titel", {"produkt": 1}, intern=True))
        worker._EXPORTER["html"] = neu
        assert seiten[0] == seiten[1], path
        assert "tabindex" in seiten[1] and "<img" in seiten[1]


def test_executed_notebook_read_as_nbformat_reads_it(reports: Path) -> None:
    import nbformat

    for path in sorted(reports.glob("*/*.ipynb"))[:6]:
        a, b = nbformat.read(path, as_version=4), worker.lies_ausgefuehrt(path)
        assert a == b and type(a) is type(b)
        assert nbformat.writes(a) == nbformat.writes(b)


def test_export_validates_once_and_still_stops_on_an_invalid_notebook(monkeypatch) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("1"), new_code_cell("2")])
    calls = []
    original = nbformat.validate
    monkeypatch.setattr(nbformat, "validate", lambda *a, **k: calls.append(1) or original(*a, **k))
    worker.export_html(nb, "Titel")
    assert len(calls) == 1
    nb.cells[0]["execution_count"] = "eins"
    with pytest.raises(nbformat.ValidationError):
        worker.export_html(nb, "Titel")


# -- Produkt 2's Excel file without the charts --------------------------------------------------


def test_p2_excel_written_without_importing_the_charts(demo_pool: Path, tmp_path: Path) -> None:
    """A pool worker writes Produkt 2's Excel file without matplotlib, seaborn or the chart
    modules (0.8 s CPU of imports per worker); the file is the one the notebook's module
    writes."""
    import subprocess
    import sys

    from kennzahlen.products.quartalsmeldung import bericht

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from kennzahlen import products\n"
        f"products.anhaenge(2, Path({str(demo_pool)!r}), '2023-Q4', 'West',"
        f" Path({str(tmp_path / 'west')!r}))\n"
        "geladen = [m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'seaborn')"
        " or m.startswith('kennzahlen.charts')]\n"
        "assert not geladen, geladen\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    ref = bericht.write_excel(demo_pool, "2023-Q4", "West", tmp_path / "ref.xlsx")
    assert _zellen(tmp_path / "west.xlsx") == _zellen(ref)


def _zellen(path: Path) -> list[tuple]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [
        (ws.title, c.coordinate, c.value, c.number_format, c.font.b)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
    ]


# -- memos of one process: keyed by pool content and configuration files -------------------------


@pytest.fixture
def eigene_konfig(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the configuration folder this test may edit (as in a JupyterLab kernel)."""
    import shutil

    from kennzahlen.core import paths

    folder = tmp_path / "config"
    shutil.copytree(paths.CONFIG, folder)
    monkeypatch.setenv(paths.CONFIG_ENV, str(folder))
    return folder


def _ersetze(path: Path, alt: str, neu: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert alt in text
    path.write_text(text.replace(alt, neu, 1), encoding="utf-8")


def test_erfassungsbogen_memo_follows_pool_and_catalog(demo_pool: Path, eigene_konfig) -> None:
    from kennzahlen.pool.load import load_pool
    from kennzahlen.products.quartalsmeldung import bogen

    pool = load_pool(demo_pool)
    erst = bogen.erfassungsbogen(pool, "2023-Q4")
    assert bogen.erfassungsbogen(pool, "2023-Q4").equals(erst)
    # a copy handed out: changing it changes nothing for the next caller
    erst.iloc[0, 0] = -1
    assert bogen.erfassungsbogen(pool, "2023-Q4").iloc[0, 0] != -1
    # another pool content (same columns): another Erfassungsbogen
    anders = pool.copy()
    zeile = (anders["kennzahl"] == "jh_hze_gesamt") & (anders["periode"] == "2023-12-31")
    anders.loc[zeile, "wert"] += 1000
    assert (
        bogen.erfassungsbogen(anders, "2023-Q4").iloc[:, 0]
        != bogen.erfassungsbogen(pool, "2023-Q4").iloc[:, 0]
    ).any()
    # the catalog edited (as in a long-lived kernel): the new source is shown
    vorher = set(bogen.erfassungsbogen(pool, "2023-Q4").index.get_level_values("Quelle"))
    assert "ProSoz neu" not in vorher
    _ersetze(
        eigene_konfig / "kennzahlen.yaml",
        'titel: "Hilfen zur Erziehung ohne UMA, gesamt", quelle: ProSoz,',
        'titel: "Hilfen zur Erziehung ohne UMA, gesamt", quelle: ProSoz neu,',
    )
    nachher = set(bogen.erfassungsbogen(pool, "2023-Q4").index.get_level_values("Quelle"))
    assert "ProSoz neu" in nachher


def test_catalog_and_ampel_config_read_again_after_an_edit(eigene_konfig) -> None:
    from kennzahlen.ampel.config import load_ampel_config
    from kennzahlen.catalog.model import load_catalog

    katalog, setup = load_catalog(), load_ampel_config()
    assert load_catalog() is katalog and load_ampel_config() is setup  # parsed once
    _ersetze(eigene_konfig / "ampel.yaml", 'name: "HzE stationär"', 'name: "HzE stationär!"')
    neu = load_ampel_config()
    assert neu is not setup
    assert any(p.name == "HzE stationär!" for p in neu.indikatoren)
    _ersetze(
        eigene_konfig / "kennzahlen.yaml",
        'titel: "Hilfen zur Erziehung ohne UMA, gesamt"',
        'titel: "Hilfen zur Erziehung ohne UMA, insgesamt"',
    )
    assert load_catalog().get("jh_hze_gesamt").titel.endswith("insgesamt")
    assert load_ampel_config() is not neu  # checked against the new catalog


def test_stand_memo_follows_the_pool_file(demo_pool: Path, tmp_path: Path) -> None:
    import shutil

    import pandas as pd

    from kennzahlen.pool.load import load_pool, pool_files
    from kennzahlen.products import common

    kopie = tmp_path / "pool"
    shutil.copytree(demo_pool, kopie, symlinks=True)
    erst = common.stand_tabellen(kopie)
    assert common.stand_tabellen(kopie).equals(erst)
    pfad = pool_files(kopie) / "stand.parquet"
    stand = load_pool(kopie, "stand")
    stand["stand"] = stand["stand"] + pd.Timedelta(days=1)
    stand.iloc[:1].to_parquet(pfad)  # another file (size, mtime): read and grouped again
    neu = common.stand_tabellen(kopie)
    assert len(neu) == 1 and neu["stand"].iloc[0] == stand["stand"].iloc[0]


def test_staff_table_memo_follows_the_configuration(demo_pool: Path, eigene_konfig) -> None:
    from kennzahlen.pool.load import load_pool
    from kennzahlen.products.quartalsmeldung import steuerung

    pool = load_pool(demo_pool)
    erst = steuerung._bemessung(pool, demo_pool, "2023-Q4")
    zweit = steuerung._bemessung(pool, demo_pool, "2023-Q4")
    assert zweit.tabelle.equals(erst.tabelle) and zweit is not erst
    _ersetze(eigene_konfig / "steuerung.yaml", "jh_hze_stationaer: 1.5", "jh_hze_stationaer: 2.5")
    neu = steuerung._bemessung(pool, demo_pool, "2023-Q4")
    sdf = neu.tabelle["dienst"] == "SD-F"
    assert (neu.tabelle.loc[sdf, "gewichtet"] != erst.tabelle.loc[sdf, "gewichtet"]).any()


def _erlaeuterungen_gemischt():
    import pandas as pd

    zeilen = [
        # sozialraum, quartal, kennzahl, arbeitsfeld, text, rolle, datum
        ("West", "2023-Q4", "jh_hze_gesamt", None, "eigene", "FK", "2024-01-10"),
        ("West", "2023-Q4", None, "jh", "Feld jh", "SRTL", "2024-01-12"),
        ("West", "2023-Q4", "jh_hze_ambulant", "egh", "beides", "FK", "2024-01-11"),
        ("West", "2023-Q3", "jh_hze_gesamt", None, "alt", "FK", "2023-10-01"),
        ("Ost", "2023-Q4", None, "egh", "Feld egh", "FP", "2024-01-09"),
        ("Ost", "2023-Q4", "egh_fallmanagement", None, "EGH eigen", "FP", "2024-01-09"),
        ("Gesamtstadt", "2023-Q4", None, "jh", "gesamt", "FP", "2024-01-02"),
    ]
    frame = pd.DataFrame(
        zeilen,
        columns=["sozialraum", "quartal", "kennzahl", "arbeitsfeld", "text", "rolle", "datum"],
    )
    frame["datum"] = pd.to_datetime(frame["datum"])
    return frame


def test_explanations_of_a_quarter_at_once_as_one_by_one(demo_pool: Path) -> None:
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.core.vocabulary import ARBEITSFELDER
    from kennzahlen.steuerung import erlaeuterungen as e
    from kennzahlen.steuerung import tabellen

    for erl in (tabellen.load_tabelle(demo_pool, "erlaeuterungen"), _erlaeuterungen_gemischt()):
        raeume = [*sorted(set(erl["sozialraum"])), "Nirgendwo"]
        # the one-by-one answer of a Kennzahl without an explanation of its own is that of every
        # other such Kennzahl of its Arbeitsfeld (its explanations are those of the Arbeitsfeld):
        # asked once per Arbeitsfeld, area and quarter (5,000 calls of 3 ms took 20 s); a
        # Kennzahl with explanations of its own is asked on its own. Every pair is still compared.
        eigene = set(erl["kennzahl"].dropna())
        for quartal in sorted(set(erl["quartal"])):
            alle, felder = e.fuer_alle(erl, quartal), e.fuer_alle_arbeitsfelder(erl, quartal)
            for raum in raeume:
                einzeln: dict[tuple[str, str | None], tuple[str, list[str]]] = {}
                for k in load_catalog().kennzahlen:
                    art = ("eigene", k.id) if k.id in eigene else ("feld", k.arbeitsfeld)
                    if art not in einzeln:
                        einzeln[art] = (k.id, e.fuer(erl, quartal, raum, k.id))
                    assert alle.get((raum, k.id), []) == einzeln[art][1], (
                        raum,
                        k.id,
                        einzeln[art][0],
                    )
                for af in ARBEITSFELDER:
                    assert felder.get((raum, af), []) == e.fuer_arbeitsfeld(erl, quartal, raum, af)
    assert e.fuer_alle(_erlaeuterungen_gemischt(), "2023-Q4")[("West", "jh_hze_gesamt")] == [
        "eigene (FK, 10.01.2024)",
        "Feld jh (SRTL, 12.01.2024)",
    ]


def test_profile_values_looked_up_as_loc_finds_them(demo_pool: Path) -> None:
    import math

    from kennzahlen.pool.load import load_pool
    from kennzahlen.products.sozialstruktur import profil

    w = profil.werte(load_pool(demo_pool), "2023")
    n = 0
    for ebene, raum in [*w.index, ("stadtviertel", "999 gibt es nicht")]:
        for kid in w.columns:
            try:
                v = w.loc[(ebene, raum), kid]
                erwartet = None if math.isnan(v) else float(v)
            except KeyError:
                erwartet = None
            assert profil._wert(w, ebene, raum, kid) == erwartet
            n += 1
    assert n > 100
    geaendert = w.copy()  # another frame: its own table
    geaendert.iloc[0, 0] = 12345.0
    ebene, raum = geaendert.index[0]
    assert profil._wert(geaendert, ebene, raum, geaendert.columns[0]) == 12345.0


def test_notable_changes_memo_follows_thresholds(demo_pool: Path, eigene_konfig) -> None:
    from kennzahlen.pool.load import load_pool
    from kennzahlen.products.quartalsmeldung import steuerung
    from kennzahlen.steuerung import tabellen

    pool = load_pool(demo_pool)
    erl = tabellen.load_tabelle(demo_pool, "erlaeuterungen")
    erst = steuerung.auffaellig_mit_text(pool, erl, "2023-Q4", "Gesamtstadt")
    erst["grund"] = "geändert"  # the caller's copy only
    zweit = steuerung.auffaellig_mit_text(pool, erl, "2023-Q4", "Gesamtstadt")
    assert len(zweit) and "geändert" not in set(zweit["grund"])
    _ersetze(eigene_konfig / "steuerung.yaml", "vorquartal_prozent: 10", "vorquartal_prozent: 1")
    _ersetze(eigene_konfig / "steuerung.yaml", "vorjahr_prozent: 20", "vorjahr_prozent: 2")
    assert len(steuerung.auffaellig_mit_text(pool, erl, "2023-Q4", "Gesamtstadt")) > len(zweit)


def test_configured_folder_follows_environment_and_working_folder(tmp_path, monkeypatch) -> None:
    from kennzahlen.core import paths

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.setenv(paths.CONFIG_ENV, str(tmp_path / "a"))
    assert (tmp_path / "a").resolve() == paths.CONFIG
    monkeypatch.setenv(paths.CONFIG_ENV, "cfg")  # relative: from the working folder
    monkeypatch.chdir(tmp_path / "a")
    assert (tmp_path / "a" / "cfg").resolve() == paths.CONFIG
    monkeypatch.chdir(tmp_path / "b")
    assert (tmp_path / "b" / "cfg").resolve() == paths.CONFIG
