"""Accessibility checks of a page open in the browser (used by the tests and benchmarks/axe.py).

- axe-core (the engine behind most accessibility audits; bundled by axe-playwright-python)
  with the WCAG 2.1 A and AA rules: every violation, one line each;
- the structure the reports promise beyond axe: the page says it is German (axe only checks
  that ``lang`` is valid), every table has a caption, every header cell a scope, every chart an
  informative German alt text (not nbconvert's English placeholder).
"""

from __future__ import annotations

#: the rule sets of WCAG 2.1 level A and AA (BITV 2.0)
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_21_AA},
    "resultTypes": ["violations"],
}
#: what nbconvert writes into an <img> without alt text
PLATZHALTER = "No description has been provided"

STRUKTUR_JS = r"""
() => {
  const out = [];
  if (!/^de\b/.test(document.documentElement.lang))
    out.push('Sprache der Seite ist nicht Deutsch: lang='
      + JSON.stringify(document.documentElement.lang));
  document.querySelectorAll('table').forEach((t, i) => {
    const cap = t.querySelector(':scope > caption');
    if (!cap || !cap.innerText.trim()) out.push(`Tabelle ${i + 1} ohne Überschrift (caption)`);
    t.querySelectorAll('th').forEach(th => {
      if (!['col', 'row', 'colgroup', 'rowgroup'].includes(th.getAttribute('scope')))
        out.push(`Tabelle ${i + 1}: Kopfzelle ohne scope: ${JSON.stringify(th.innerText.trim())}`);
    });
  });
  document.querySelectorAll('img').forEach((img, i) => {
    const alt = (img.getAttribute('alt') || '').trim();
    if (alt.length < 30 || alt.includes(PLATZHALTER))
      out.push(`Bild ${i + 1}: kein aussagekräftiger Alternativtext: ${JSON.stringify(alt)}`);
  });
  return out;
}
""".replace("PLATZHALTER", repr(PLATZHALTER))


def axe_verstoesse(page) -> list[str]:
    """Every WCAG 2.1 AA violation axe-core finds on the page: rule, impact, element, message."""
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page, options=AXE_OPTIONS).response
    out = []
    for v in response["violations"]:
        for node in v["nodes"]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            message = checks[0]["message"] if checks else v["help"]
            out.append(f"{v['id']} ({v['impact']}): {node['html'][:160]} – {message[:200]}")
    return out


def struktur_fehler(page) -> list[str]:
    """Tables without caption or header scopes, charts without an informative alt text."""
    return page.evaluate(STRUKTUR_JS)
