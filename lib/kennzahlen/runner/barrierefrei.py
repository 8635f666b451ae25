"""Accessibility of the exported reports (BITV 2.0 = WCAG 2.1 AA): table header scopes.

Every header cell of every table in a report says what it heads: ``scope="col"`` in the
table head, ``scope="row"`` in the body (``colgroup``/``rowgroup`` when it spans several),
so that a screen reader announces the column and row of each number. The runner applies
:func:`tabellen_scope` to every HTML output of a notebook before export; tables built by the
products, pandas or later sections all get it, none has to remember it.

Colours and their contrast: :mod:`kennzahlen.core.farben`.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<(/?)(thead|tbody|tfoot|th)\b([^>]*)>", re.IGNORECASE)
_SPAN = re.compile(r"""\b(colspan|rowspan)\s*=\s*["']?(\d+)""", re.IGNORECASE)


def _scope(teil: str | None, attrs: str) -> str | None:
    """The scope a header cell gets from where it stands and what it spans (None: keep)."""
    if re.search(r"\bscope\s*=", attrs, re.IGNORECASE):
        return None
    spans = {k.lower(): int(v) for k, v in _SPAN.findall(attrs)}
    if teil == "thead":
        return "colgroup" if spans.get("colspan", 1) > 1 else "col"
    return "rowgroup" if spans.get("rowspan", 1) > 1 else "row"


def tabellen_scope(fragment: str) -> str:
    """An HTML fragment with a ``scope`` on every ``<th>`` that lacks one (rest unchanged).

    A ``<th>`` in ``<thead>`` heads a column; one in ``<tbody>``/``<tfoot>`` (or in a table
    without sections) heads its row.
    """
    if "<th" not in fragment.lower():
        return fragment
    out, pos, teil = [], 0, None
    for m in _TOKEN.finditer(fragment):
        schluss, tag, attrs = m.group(1), m.group(2).lower(), m.group(3)
        if tag != "th":
            teil = None if schluss else tag
            continue
        if schluss:
            continue
        scope = _scope(teil, attrs)
        if scope is None:
            continue
        out.append(fragment[pos : m.start()])
        ende = "/>" if attrs.rstrip().endswith("/") else ">"
        attrs = attrs.rstrip().rstrip("/") if ende == "/>" else attrs
        out.append(f'<th{attrs} scope="{scope}"{ende}')
        pos = m.end()
    out.append(fragment[pos:])
    return "".join(out)


def notebook_tabellen(nb) -> None:
    """Give every table in the notebook's HTML outputs its header scopes (in place)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            html = data.get("text/html")
            if html is None:
                continue
            text = "".join(html) if isinstance(html, list) else html
            data["text/html"] = tabellen_scope(text)
