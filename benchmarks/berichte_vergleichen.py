"""Compare two report folders of one period (before and after a change): are the reports the same
apart from their timestamps?

    .venv/bin/python benchmarks/berichte_vergleichen.py VORHER/2023-Q4 NACHHER/2023-Q4

Compared per report: the HTML text with timestamps and run paths normalised, every embedded image
(PNG bytes), the Excel attachments cell by cell, the disclosure audit CSV, and the runs.json
entries without their times and hashes. Prints one line per difference; exit code 1 if any.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_STAMPS = (
    (re.compile(r"\d{2}\.\d{2}\.\d{4},? \d{2}:\d{2}(:\d{2})?"), "<ZEIT>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?"), "<ZEIT>"),
)
_IMG = re.compile(r'src="data:image/png;base64,([^"]+)"')
_VOLATILE = {"erstellt", "sekunden", "input_hash", "pool_manifest_sha256"}


def normalised(html: str) -> str:
    """The HTML with images replaced by a marker and timestamps by <ZEIT>."""
    text = _IMG.sub('src="<BILD>"', html)
    for pattern, repl in _STAMPS:
        text = pattern.sub(repl, text)
    return text


def compare_html(a: Path, b: Path) -> list[str]:
    ta, tb = a.read_text("utf-8"), b.read_text("utf-8")
    out = []
    if _IMG.findall(ta) != _IMG.findall(tb):
        out.append(f"{b}: Bilder verschieden")
    na, nb = normalised(ta), normalised(tb)
    if na != nb:
        i = next((k for k, (x, y) in enumerate(zip(na, nb, strict=False)) if x != y), len(na))
        out.append(
            f"{b}: Text verschieden ab Zeichen {i}: "
            f"{na[i - 60 : i + 60]!r} / {nb[i - 60 : i + 60]!r}"
        )
    return out


def compare_xlsx(a: Path, b: Path) -> list[str]:
    import openpyxl

    def cells(p: Path) -> list:
        wb = openpyxl.load_workbook(p, data_only=True)
        return [[ws.title, *map(list, ws.iter_rows(values_only=True))] for ws in wb.worksheets]

    return [] if cells(a) == cells(b) else [f"{b}: Excel-Zellen verschieden"]


def compare_runs(a: Path, b: Path) -> list[str]:
    def entries(p: Path) -> list[dict]:
        runs = json.loads((p / "runs.json").read_text("utf-8"))
        return [{k: v for k, v in e.items() if k not in _VOLATILE} for e in runs["reports"]]

    return [] if entries(a) == entries(b) else [f"{b / 'runs.json'}: Einträge verschieden"]


def compare(vorher: Path, nachher: Path) -> list[str]:
    diffs = compare_runs(vorher, nachher)
    files = sorted(p.relative_to(vorher) for p in vorher.glob("*/*") if p.suffix != ".ipynb")
    for rel in files:
        a, b = vorher / rel, nachher / rel
        if not b.exists():
            diffs.append(f"{b}: fehlt")
        elif rel.suffix == ".html":
            diffs += compare_html(a, b)
        elif rel.suffix == ".xlsx":
            diffs += compare_xlsx(a, b)
        elif a.read_bytes() != b.read_bytes():
            diffs.append(f"{b}: Bytes verschieden")
    diffs += compare_html(vorher / "index.html", nachher / "index.html")
    return diffs


def main() -> None:
    vorher, nachher = Path(sys.argv[1]), Path(sys.argv[2])
    diffs = compare(vorher, nachher)
    n = len(list(vorher.glob("*/*.html")))
    for d in diffs:
        print(d)
    print(f"{n} Berichte verglichen: {len(diffs)} Unterschiede.")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
