"""Checks of finished reports (used by the tests and by benchmarks/sweep.py): no Python error,
no warning and no NaN/None in what a reader sees, and every report not made names its reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

#: what must never reach a reader: a traceback, an exception name, a raw missing value
SICHTBAR_VERBOTEN = re.compile(
    r"Traceback|\b[A-Z]\w*(Error|Exception|Warning)\b|\bnan\b|\bNaN\b|\bNone\b|\binf\b"
)


def sichtbarer_text(html_text: str) -> str:
    """The text of a report as a reader sees it (no styles, scripts, tags or image data)."""
    text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", html_text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text)


def notebook_probleme(path: Path) -> list[str]:
    """Error outputs, stderr streams (warnings) and tracebacks in an executed notebook."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                out.append(f"{path.name} Zelle {i}: {o.get('ename')}: {str(o.get('evalue'))[:200]}")
            elif o.get("output_type") == "stream" and o.get("name") == "stderr":
                out.append(f"{path.name} Zelle {i}: stderr: {o.get('text', '')[:200]}")
    return out


def bericht_probleme(periode_dir: Path) -> list[str]:
    """Every problem of the reports listed in ``runs.json`` of a period folder (empty: all fine)."""
    runs = json.loads((periode_dir / "runs.json").read_text(encoding="utf-8"))
    out = []
    for e in runs["reports"]:
        label = f"Produkt {e['produkt']} {e['raum']}"
        if e["status"] == "keine_daten":
            if not str(e.get("grund") or "").startswith("Für ") or e.get("html"):
                out.append(f"{label}: nicht erstellt ohne Grund: {e}")
            continue
        if e["status"] not in ("ok", "uebersprungen"):
            out.append(f"{label}: {e['status']}: {e.get('fehler')}")
        nb = periode_dir / e.get("notebook", "")
        if nb.is_file():
            out += [f"{label}: {p}" for p in notebook_probleme(nb)]
        html = periode_dir / (e.get("html") or "")
        if e["status"] in ("ok", "uebersprungen"):
            if not html.is_file():
                out.append(f"{label}: HTML fehlt")
                continue
            text = sichtbarer_text(html.read_text(encoding="utf-8"))
            for m in SICHTBAR_VERBOTEN.finditer(text):
                out.append(
                    f"{label}: sichtbar '{m.group()}' in "
                    f"…{text[max(0, m.start() - 80) : m.end() + 40]}…"
                )
                break
    return out
