"""What makes a long report usable on any screen, added to its HTML after the export.

- a table of contents of the report's sections (its ``<h2>`` headings) and a link back to the
  index page of the quarter, right after the key messages;
- every table in its own box that scrolls sideways when the table is wider than the screen
  (the page itself never does), a keyboard-focusable region named by the table's caption, with
  the cells of the first column marked (``kz-erste``: they stay visible while the table scrolls,
  CSS ``position: sticky``) and a visible cue above a box that overflows (a few lines of script
  set it on load and on resize: CSS alone cannot know whether a box overflows);
- the CSS for all of it (:data:`CSS`), shared by the reports' template and the index page.

The link back works where the runner wrote the report (``reports/<periode>/<produkt>/``). A
report mailed as an attachment (:mod:`kennzahlen.mail`) has no index beside it: its copy in the
mail says instead where the overview is (:func:`als_anhang`).
"""

from __future__ import annotations

import html
import re

CSS = """
  .kz-tabelle { overflow-x: auto; max-width: 100%; margin: .5em 0 1em; position: relative; }
  .kz-tabelle > table { margin: 0 !important; }
  .kz-tabelle .kz-erste { position: sticky; left: 0; z-index: 1; background: #fff; }
  .kz-tabelle tbody tr:nth-child(odd) .kz-erste { background: #f4f7fa; }
  .kz-tabelle thead .kz-erste { background: #fff; }
  .kz-wisch { display: none; font-size: 13px; color: #3e4c59; margin: .3em 0 0; }
  .kz-wisch.kz-an { display: block; }
  .jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon li, .kz-kopf { overflow-wrap: break-word; }
  .jp-RenderedImage, .kz-bild { overflow-x: auto; max-width: 100%; }
  .jp-RenderedImage img, .kz-bild img { max-width: none !important; width: 100%; height: auto; }
  .kz-nav { border: 1px solid #cbd2d9; border-radius: 4px; padding: .4em .9em; margin: 0 0 1.2em; }
  .kz-nav ol { margin: .3em 0; padding-left: 1.4em; }
  .kz-nav li { margin: .15em 0; }
  h1, h2, h3, caption { overflow-wrap: anywhere; }
  @media (max-width: 600px) {
    body.jp-Notebook, body.kz-index { padding: .8rem .7rem 2rem !important; }
    body.jp-Notebook .kz-kopf h1, body.kz-index h1 { font-size: 1.3em; overflow-wrap: normal; }
  }
  @media print { .kz-zurueck, .kz-wisch { display: none !important; }
    .kz-tabelle, .jp-RenderedImage, .kz-bild { overflow: visible; }
    .kz-tabelle .kz-erste { position: static; }
    .jp-RenderedImage img, .kz-bild img { min-width: 0 !important; } }
"""

#: marks each table box that is wider than the screen (on load and on resize)
SCRIPT = """<script>
(function () {
  function mark() {
    document.querySelectorAll('.kz-tabelle').forEach(function (box) {
      var cue = box.previousElementSibling;
      if (cue && cue.classList.contains('kz-wisch'))
        cue.classList.toggle('kz-an', box.scrollWidth > box.clientWidth + 1);
    });
  }
  window.addEventListener('load', mark);
  window.addEventListener('resize', mark);
  mark();
})();
</script>"""

WISCH = "Die Tabelle ist breiter als der Bildschirm: seitlich verschieben →"
#: the link back in a report of the reports folder
ZURUECK = "← Zur Übersicht aller Berichte des Quartals"
#: instead of the link, in a report mailed as an attachment
ANHANG_HINWEIS = (
    "Dieser Bericht kam als Anhang einer E-Mail: welche Berichte dazugehören, sagt die E-Mail; "
    "die Übersicht aller Berichte des Quartals liegt im Berichtsordner der Abteilung Soziales "
    "(Datei index.html)."
)
_ZURUECK = re.compile(r'<p class="kz-zurueck"><a href="[^"]*">[^<]*</a></p>')

_TABELLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.S)
_ZEILE = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S)
_ZELLE = re.compile(r"<(t[hd])\b([^>]*)>")
_H2 = re.compile(r"<h2\b([^>]*)>(.*?)</h2>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def _text(markup: str) -> str:
    return html.unescape(_TAGS.sub("", markup)).replace("¶", "").strip()


def _erste_spalte(tabelle: str) -> str:
    """Mark the cells that stand in the first column (a row whose first column is taken by a
    cell spanning rows above it has none)."""
    belegt = 0  # rows still covered by a row-spanning cell of the first column

    def zeile(m: re.Match) -> str:
        nonlocal belegt
        if belegt:
            belegt -= 1
            return m.group(0)
        zelle = _ZELLE.search(m.group(2))
        if not zelle:
            return m.group(0)
        attrs = zelle.group(2)
        span = re.search(r'rowspan="?(\d+)', attrs)
        belegt = int(span.group(1)) - 1 if span else 0
        if "class=" in attrs:
            neu = re.sub(r'class="([^"]*)"', r'class="\1 kz-erste"', attrs, count=1)
        else:
            neu = attrs + ' class="kz-erste"'
        inhalt = m.group(2)
        inhalt = inhalt[: zelle.start()] + f"<{zelle.group(1)}{neu}>" + inhalt[zelle.end() :]
        return m.group(1) + inhalt + m.group(3)

    return _ZEILE.sub(zeile, tabelle)


def tabellen_boxen(markup: str) -> str:
    """Every table in a box of its own that scrolls sideways, with its cue and sticky first
    column (idempotent: a boxed table is left alone)."""
    if 'class="kz-tabelle"' in markup:
        return markup

    def box(m: re.Match) -> str:
        cap = _CAPTION.search(m.group(0))
        name = _text(cap.group(1)) if cap else "Tabelle"
        return (
            f'<p class="kz-wisch" aria-hidden="true">{WISCH}</p>'
            f'<div class="kz-tabelle" role="region" tabindex="0" '
            f'aria-label="{html.escape(name, quote=True)}">{_erste_spalte(m.group(0))}</div>'
        )

    return _TABELLE.sub(box, markup)


def _slug(text: str, vergeben: set[str]) -> str:
    basis = re.sub(r"[^a-z0-9äöüß]+", "-", text.lower()).strip("-") or "abschnitt"
    slug, i = basis, 2
    while slug in vergeben:
        slug, i = f"{basis}-{i}", i + 1
    vergeben.add(slug)
    return slug


def inhalt(markup: str, index_link: str | None = "../index.html") -> str:
    """The table of contents of the report's sections (its h2 headings, each given an id) and
    the link back to the quarter's index page, after the key messages (else after the header)."""
    eintraege, vergeben = [], set(re.findall(r'\bid="([^"]+)"', markup))

    def anker(m: re.Match) -> str:
        titel = _text(m.group(2))
        attrs = m.group(1)
        ident = re.search(r'\bid="([^"]+)"', attrs)
        if ident:
            slug = ident.group(1)
        else:
            slug = _slug(titel, vergeben)
            attrs += f' id="{slug}"'
        eintraege.append((slug, titel))
        return f"<h2{attrs}>{m.group(2)}</h2>"

    markup = _H2.sub(anker, markup)
    if not eintraege:
        return markup
    links = "".join(f'<li><a href="#{s}">{html.escape(t)}</a></li>' for s, t in eintraege)
    zurueck = (
        f'<p class="kz-zurueck"><a href="{html.escape(index_link, quote=True)}">{ZURUECK}</a></p>'
        if index_link
        else ""
    )
    nav = f'<nav class="kz-nav" aria-label="Inhalt"><b>Inhalt</b><ol>{links}</ol>{zurueck}</nav>'
    for muster in (r'<div class="kz-kern">.*?</div>', r'<div class="kz-kopf">.*?</div>'):
        m = re.search(muster, markup, re.S)
        if m:
            return markup[: m.end()] + nav + markup[m.end() :]
    return markup


def fuer_leser(markup: str, index_link: str | None = "../index.html") -> str:
    """A report's HTML with its contents, the link back, boxed tables and the cue's script."""
    markup = inhalt(tabellen_boxen(markup), index_link)
    return markup.replace("</body>", SCRIPT + "</body>", 1)


def als_anhang(markup: str) -> str:
    """The report as its copy in a mail: the link back to the index (which leads nowhere outside
    the reports folder) becomes a note on where the overview is."""
    return _ZURUECK.sub(lambda _m: f'<p class="kz-zurueck kz-anhang">{ANHANG_HINWEIS}</p>', markup)
