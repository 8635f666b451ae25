"""Input data for the benchmarks (not tests): XLSX copies of a delivery folder, one large
``jugendhilfe`` export, and the config of a city with N Sozialräume.

    .venv/bin/python benchmarks/daten.py xlsx RAW OUT            # every record table as XLSX
    .venv/bin/python benchmarks/daten.py jugendhilfe OUT --zeilen 1000000
    .venv/bin/python benchmarks/daten.py stadt CONFIG --sozialraeume 25

A city's config keeps the catalog, Ampel and disclosure rules of ``config/`` and gets a
``raumgliederung.csv`` of N Sozialräume with 13 Stadtviertel each (Ulm has 65 Stadtviertel in 5
Sozialräume), without polygons; ``kennzahlen --config CONFIG demo`` then writes that city's demo.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
RECORD_TABLES = (
    "jugendhilfe",
    "hilfen_vor_dem_fall",
    "sozialhilfe",
    "fallmanagement",
    "beratungen_altenhilfe",
    "teilhabeteam",
    "wohnraumsicherung",
)
STADTVIERTEL_JE_SOZIALRAUM = 13


def _read_delivery_text(path: Path) -> pd.DataFrame:
    """A CSV delivery as text, encoding and delimiter as the reader detects them."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    header = text.split("\n", 1)[0]
    sep = ";" if header.count(";") >= header.count(",") else ","
    import io

    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def xlsx_copy(raw: Path, out: Path) -> list[Path]:
    """``out``: the deliveries of ``raw``, every record table as XLSX (whole numbers as numbers)."""
    from kennzahlen.demo.export import _xlsx_bytes
    from kennzahlen.reading.raw import parse_file_name

    out.mkdir(parents=True, exist_ok=False)
    written = []
    for f in sorted(raw.iterdir()):
        parsed = parse_file_name(f.name)
        if parsed is None or parsed[0] not in RECORD_TABLES or f.suffix.lower() == ".xlsx":
            shutil.copy2(f, out / f.name)
            continue
        frame = _read_delivery_text(f)
        for c in frame.columns:
            if len(frame) and frame[c].str.fullmatch(r"[1-9][0-9]{0,14}").all():
                frame[c] = frame[c].astype("int64")
        stand = (np.datetime64(parsed[1], "D") - np.datetime64("1970-01-01", "D")).item().days
        target = out / f"{f.stem}.xlsx"
        target.write_bytes(_xlsx_bytes(frame, int(stand)))
        written.append(target)
    return written


def jugendhilfe_csv(out: Path, zeilen: int, seed: int = 7) -> Path:
    """One valid ``jugendhilfe`` export of ``zeilen`` cases in the Stadtviertel of the config
    (settings as the structural zeros of the schema allow)."""
    from kennzahlen.catalog.geography import raumgliederung
    from kennzahlen.core.schema import TABLES

    rng = np.random.default_rng(seed)
    stv = raumgliederung()["stadtviertel_nr"].astype(str).to_numpy()
    paragraphen = np.array(["27", "29", "30", "31", "32", "33", "34", "35", "35a", "41"])
    beginn = np.datetime64("2015-01-01") + rng.integers(0, 9 * 365, zeilen).astype("timedelta64[D]")
    dauer = rng.integers(30, 1500, zeilen).astype("timedelta64[D]")
    ende = (beginn + dauer).astype(str)
    ende[(beginn + dauer) > np.datetime64("2023-12-31")] = ""
    viertel = stv[rng.integers(0, stv.size, zeilen)]
    viertel[rng.random(zeilen) < 0.01] = ""
    paragraph = paragraphen[rng.integers(0, paragraphen.size, zeilen)]
    setting = np.where(rng.random(zeilen) < 0.7, "ambulant", "stationaer")
    for f in TABLES["jugendhilfe"].festlegungen:  # structural zeros: e.g. § 34 is stationär
        if (f.spalte, f.folge) == ("paragraph", "setting"):
            fest = np.isin(paragraph, f.werte) & ~np.isin(setting, f.erlaubt)
            setting[fest] = f.erlaubt[0]
    frame = pd.DataFrame(
        {
            "fall_id": np.char.add("J", np.arange(1, zeilen + 1).astype(str)),
            "paragraph": paragraph,
            "setting": setting,
            "uma": np.where(rng.random(zeilen) < 0.05, "ja", "nein"),
            "beginn": beginn.astype(str),
            "ende": ende,
            "stadtviertel_nr": viertel,
        }
    )
    out.mkdir(parents=True, exist_ok=True)
    path = out / "jugendhilfe_2024-01-15.csv"
    frame.to_csv(path, sep=";", index=False)
    return path


def stadt_config(out: Path, sozialraeume: int) -> Path:
    """A config folder for a city of ``sozialraeume`` Sozialräume (13 Stadtviertel each)."""
    out.mkdir(parents=True, exist_ok=False)
    rows = ["stadtviertel_nr;stadtviertel;stadtteil;sozialraum"]
    for s in range(1, sozialraeume + 1):
        for v in range(1, STADTVIERTEL_JE_SOZIALRAUM + 1):
            nr = s * 100 + v
            rows.append(f"{nr};Viertel {nr};Stadtteil {s};Sozialraum {s:02d}")
    (out / "raumgliederung.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (out / "geographie.yaml").write_text(
        f"stadt: Großstadt mit {sozialraeume} Sozialräumen\n", encoding="utf-8"
    )
    for name in ("kennzahlen.yaml", "ampel.yaml", "disclosure.yaml", "abdeckung.yaml"):
        shutil.copy(ROOT / "config" / name, out / name)
    (out / "verteiler.yaml").write_text(
        'absender:\n  name: "Sozialplanung"\n  adresse: sozialplanung@stadt.example\n'
        "smtp:\n  host: localhost\n  port: 25\ngruppen:\n  - id: leitung\n    name: Amtsleitung\n"
        "    oeffentlich: false\n    produkte: [1, 2, 3, 4]\n"
        "    empfaenger: [leitung@stadt.example]\n",
        encoding="utf-8",
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="was", required=True)
    x = sub.add_parser("xlsx")
    x.add_argument("raw", type=Path)
    x.add_argument("out", type=Path)
    j = sub.add_parser("jugendhilfe")
    j.add_argument("out", type=Path)
    j.add_argument("--zeilen", type=int, default=1_000_000)
    s = sub.add_parser("stadt")
    s.add_argument("out", type=Path)
    s.add_argument("--sozialraeume", type=int, required=True)
    args = ap.parse_args()
    if args.was == "xlsx":
        print(f"{len(xlsx_copy(args.raw, args.out))} XLSX-Dateien in {args.out}")
    elif args.was == "jugendhilfe":
        print(jugendhilfe_csv(args.out, args.zeilen))
    else:
        print(stadt_config(args.out, args.sozialraeume))


if __name__ == "__main__":
    main()
