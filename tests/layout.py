"""Layout checks of a page open in the browser (tests/test_layout.py): what a reader on a phone,
a tablet or a desktop sees.

- the page never scrolls sideways (its width is the window's);
- a table wider than its box scrolls inside that box (``.kz-tabelle``), with a visible cue
  above it, and its first column stays in view (``position: sticky``);
- no text is clipped: no element with hidden overflow whose text runs past its box;
- chart text is not smaller than ``schrift.MIN_SCHRIFT_PX`` on screen (every chart carries
  its smallest text size in PNG pixels, ``data-kz-schrift``).
"""

from __future__ import annotations

LAYOUT_JS = r"""
(minPx) => {
  const out = {seite: [], tabellen: [], abgeschnitten: [], schrift: []};
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    out.seite.push(`Seite ${doc.scrollWidth}px breit bei ${window.innerWidth}px Fenster`);
  document.querySelectorAll('table').forEach((t, i) => {
    const name = (t.caption ? t.caption.innerText : '').slice(0, 60);
    const box = t.closest('.kz-tabelle');
    if (!box) {
      out.tabellen.push(`Tabelle ${i + 1} (${name}) ohne eigenen Scroll-Kasten`);
      return;
    }
    if (box.scrollWidth <= box.clientWidth + 1) return;
    const cue = box.previousElementSibling;
    if (!cue || !cue.classList.contains('kz-wisch') || getComputedStyle(cue).display === 'none'
        || cue.getBoundingClientRect().height === 0)
      out.tabellen.push(`Tabelle ${i + 1} (${name}) läuft über, ohne sichtbaren Hinweis`);
    const erste = t.querySelector('tbody tr > .kz-erste');
    if (!erste || getComputedStyle(erste).position !== 'sticky')
      out.tabellen.push(`Tabelle ${i + 1} (${name}): erste Spalte bleibt nicht stehen`);
  });
  for (const el of document.querySelectorAll('body *')) {
    const cs = getComputedStyle(el);
    if (!['hidden', 'clip'].includes(cs.overflowX)) continue;
    if (!el.innerText || !el.innerText.trim()) continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 1)
      out.abgeschnitten.push(`${el.tagName}.${el.className}: ${el.innerText.trim().slice(0, 50)}`);
  }
  document.querySelectorAll('img[data-kz-schrift]').forEach((img, i) => {
    const px = parseFloat(img.dataset.kzSchrift) * img.clientWidth / img.naturalWidth;
    if (!(px >= minPx - 0.05))
      out.schrift.push(`Bild ${i + 1} (${img.alt.slice(0, 50)}): Schrift ${px.toFixed(1)}px`);
  });
  const ohne = Array.from(document.images).filter(i => !i.dataset.kzSchrift);
  ohne.forEach(i => out.schrift.push(`Bild ohne Schriftgröße: ${i.alt.slice(0, 50)}`));
  return out;
}
"""


def layout_fehler(page, min_px: float) -> dict[str, list[str]]:
    """The layout findings of the page at its current viewport (empty lists: all fine)."""
    return page.evaluate(LAYOUT_JS, min_px)
