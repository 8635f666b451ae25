"""Before/after comparison of the demo reports (a refactoring must not change what they show).

    python benchmarks/vergleich.py erzeuge COMMIT OUT [--periode 2023-Q4 --periode 2021-Q4]
        [--scale 0.1 --produkt 2 --raum West]          # a small part only (smoke test)
    python benchmarks/vergleich.py vergleiche BEFORE AFTER

``erzeuge`` exports the tree of COMMIT (``git archive``) into OUT/src and runs demo -> pool ->
reports with that tree's package and notebooks (``PYTHONPATH`` and ``KENNZAHLEN_HOME`` point at
it; the interpreter and libraries are the ones running this script). Reports go to
OUT/reports/<periode>/.

``vergleiche`` compares two such folders: every HTML report (its text with the embedded PNGs)
after normalising what changes from run to run (date-times, the generated ids of
nbconvert/matplotlib); the value and number format of every xlsx cell and every other part of the
workbook (its creation time normalised); every field of every ``runs.json`` (date-times, seconds,
the run's own folder, the file hashes and the hashes that contain the code's hash normalised); the
audit CSVs and every other text file (date-times normalised) and every other file byte for byte.
Only the executed notebooks (``.ipynb``: the HTML shows their outputs, they carry execution
times), lock files and PDFs (printed from the HTML, with their print time) are left out, and
counted. It prints one line per differing file (with the first differing lines) and exits 1 on a
difference.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = Path(sys.executable)

# what differs between two runs of the same code
_NORMALISE = [
    # index page and report footers: "erstellt am 03.12.2026 20:47"
    (re.compile(r"\d{2}\.\d{2}\.\d{4},? \d{2}:\d{2}(:\d{2})?"), "<ZEIT>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?"), "<ZEIT>"),
    # matplotlib SVG/PNG ids and nbconvert's random element ids
    (re.compile(r'id="[a-z]+[0-9a-f]{8,}[^"]*"'), 'id="<ID>"'),
    (re.compile(r"url\(#[a-z]+[0-9a-f]{8,}[^)]*\)"), "url(#<ID>)"),
]


#: runs.json fields that differ between two runs of the same code: the seconds a report took, the
#: report's input hash and the run's key (both contain the hash of the code and config files, so a
#: refactoring changes them while the reports stay the same)
_RUNS_LAUFZEIT = {"sekunden", "input_hash", "schluessel"}
#: runs.json field mapping each written file to the sha256 of its bytes: an xlsx or PDF carries
#: its creation time, so the hashes become a placeholder (the file list stays; the files
#: themselves are compared, normalised, on their own)
_RUNS_DATEI_HASHES = "dateien"
#: files not compared (counted): executed notebooks, locks, PDFs
_NICHT_VERGLICHEN = {".ipynb", ".lock", ".pdf"}


def normalise_html(text: str) -> str:
    """The HTML with time stamps and random ids replaced by placeholders."""
    for pattern, repl in _NORMALISE:
        text = pattern.sub(repl, text)
    return text


def erzeuge(
    commit: str,
    out: Path,
    perioden: list[str],
    scale: float | None = None,
    auswahl: tuple[str, ...] = (),
) -> None:
    """Demo data (``scale``), pool and the reports of ``perioden``, made by the tree of
    ``commit``; ``auswahl``: further arguments of the report run (``--produkt 2 --raum West``)."""
    src = out / "src"
    src.mkdir(parents=True, exist_ok=False)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(src, filter="data")
    env = dict(os.environ, PYTHONPATH=str(src / "lib"), KENNZAHLEN_HOME=str(src), MPLBACKEND="Agg")
    env.pop("KENNZAHLEN_CONFIG", None)
    cli = [str(PY), "-c", "from kennzahlen.cli import main; main()"]
    raw, pool, reports = out / "raw", out / "pool", out / "reports"
    skala = ["--scale", str(scale)] if scale else []
    subprocess.run([*cli, "demo", "--out", str(raw), *skala], check=True, env=env, cwd=src)
    subprocess.run(
        [*cli, "pool", "--raw", str(raw), "--out", str(pool)], check=True, env=env, cwd=src
    )
    for periode in perioden:
        subprocess.run(
            [*cli, "report", "--periode", periode, "--pool", str(pool), "--out", str(reports),
             "--workers", "2", *auswahl],
            check=True, env=env, cwd=src,
        )  # fmt: skip


def _xlsx_cells(path: Path) -> list[str]:
    """Value and number format of every cell, then the hash of every other part of the workbook
    (styles, sheet XML, ...) so that no change hides; its creation time normalised."""
    import hashlib
    import zipfile

    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=False)
    rows = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    rows.append(
                        f"{ws.title}!{cell.coordinate}={cell.value!r} [{cell.number_format}]"
                    )
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            data = z.read(name)
            if name == "docProps/core.xml":
                data = normalise_html(data.decode("utf-8")).encode("utf-8")
            rows.append(f"Teil {name} sha256={hashlib.sha256(data).hexdigest()[:16]}")
    return rows


def _ohne_laufzeit(value: object) -> object:
    if isinstance(value, dict):
        return {
            k: {d: "<SHA256>" for d in v}
            if k == _RUNS_DATEI_HASHES and isinstance(v, dict)
            else _ohne_laufzeit(v)
            for k, v in value.items()
            if k not in _RUNS_LAUFZEIT
        }
    if isinstance(value, list):
        return [_ohne_laufzeit(v) for v in value]
    return value


def _runs(path: Path, root: Path) -> list[str]:
    """Every field of runs.json, one per line; what differs from run to run normalised."""
    data = _ohne_laufzeit(json.loads(path.read_text(encoding="utf-8")))
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True)
    for ordner in {str(root.resolve()), str(root)}:
        text = text.replace(json.dumps(ordner)[1:-1], "<ORDNER>")
    return normalise_html(text).splitlines()


def _lines(path: Path, root: Path) -> list[str]:
    """The lines compared of a file; ``root``: the folder made by ``erzeuge``."""
    if path.suffix == ".html":
        return normalise_html(path.read_text(encoding="utf-8")).splitlines()
    if path.suffix == ".xlsx":
        return _xlsx_cells(path)
    if path.name == "runs.json":
        return _runs(path, root)
    data = path.read_bytes()
    try:  # audit CSV, open data (CSV, GeoJSON, metadata JSON with its "erstellt"), ...
        return normalise_html(data.decode("utf-8")).splitlines()
    except UnicodeDecodeError:
        return [repr(line) for line in data.splitlines()]


def _files(reports: Path) -> set[Path]:
    return {
        p.relative_to(reports)
        for p in reports.rglob("*")
        if p.is_file() and p.suffix not in _NICHT_VERGLICHEN
    }


def vergleiche(before: Path, after: Path) -> int:
    """Print every differing report file; the number of differing files."""
    roots = before, after
    before, after = before / "reports", after / "reports"
    files_b, files_a = _files(before), _files(after)
    skipped = sum(1 for p in before.rglob("*") if p.is_file() and p.suffix in _NICHT_VERGLICHEN)
    differing = 0
    for rel in sorted(files_b ^ files_a):
        print(f"nur in {'vorher' if rel in files_b else 'nachher'}: {rel}")
        differing += 1
    same = 0
    for rel in sorted(files_b & files_a):
        a, b = _lines(before / rel, roots[0]), _lines(after / rel, roots[1])
        if a == b:
            same += 1
            continue
        differing += 1
        diff = list(difflib.unified_diff(a, b, "vorher", "nachher", n=0, lineterm=""))
        print(f"VERSCHIEDEN: {rel} ({len(diff)} Diff-Zeilen)")
        for line in diff[2:14]:
            print("   ", line[:300])
    print(f"{same} Dateien gleich, {differing} verschieden")
    if skipped:
        print(
            f"nicht verglichen: {skipped} Dateien vorher ({', '.join(sorted(_NICHT_VERGLICHEN))})"
        )
    return differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("erzeuge")
    p.add_argument("commit")
    p.add_argument("out", type=Path)
    p.add_argument("--periode", action="append")
    p.add_argument("--scale", type=float, help="scale of the demo (default 1)")
    p.add_argument("--produkt", action="append", default=[], help="only these products")
    p.add_argument("--raum", action="append", default=[], help="only these areas")
    p = sub.add_parser("vergleiche")
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "erzeuge":
        auswahl = [x for p in args.produkt for x in ("--produkt", p)]
        auswahl += [x for r in args.raum for x in ("--raum", r)]
        erzeuge(
            args.commit,
            args.out,
            args.periode or ["2023-Q4", "2021-Q4"],
            args.scale,
            tuple(auswahl),
        )
        return 0
    return 1 if vergleiche(args.before, args.after) else 0


if __name__ == "__main__":
    sys.exit(main())
