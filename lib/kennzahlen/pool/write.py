"""Writing the data pool: content hashes per Kennzahl and export, and a new pool version."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import pandas as pd

from kennzahlen.core import paths
from kennzahlen.pool import unveraendert
from kennzahlen.pool.zaehlen import POOL_COLUMNS
from kennzahlen.reading import exportcache
from kennzahlen.reading.exportcache import Exportcache


def content_hashes(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, str]]:
    """Fingerprints of the pool's content, so that the runner redoes only reports whose data
    changed.

    ``kennzahlen``: one hash per Kennzahl over its rows; ``stand``: per raw table, the exports
    read (file name and Stand).
    """
    out: dict[str, dict[str, str]] = {"kennzahlen": {}, "stand": {}}
    pool = frames.get("kennzahlen")
    if pool is not None and len(pool):
        row_hash = pd.util.hash_pandas_object(
            pool[POOL_COLUMNS].astype(str), index=False
        ).to_numpy()
        for kid, idx in pool.groupby("kennzahl", sort=True).indices.items():
            out["kennzahlen"][str(kid)] = hashlib.sha256(row_hash[idx].tobytes()).hexdigest()
    stand = frames.get("stand")
    if stand is not None and len(stand):
        for table, grp in stand.sort_values("datei").groupby("tabelle", sort=True):
            text = "|".join(
                f"{d}@{pd.Timestamp(s).date()}"
                for d, s in zip(grp["datei"], grp["stand"], strict=True)
            )
            out["stand"][str(table)] = hashlib.sha256(text.encode()).hexdigest()
    return out


def write_pool(
    frames: dict[str, pd.DataFrame],
    out: Path,
    extra: dict | None = None,
    raw: Path | None = None,
    wait: float = 0.0,
    echo=None,
    exporte: Exportcache | None = None,
    lauf: str | None = None,
) -> Path:
    """Write the pool as a new version and switch to it atomically (:mod:`kennzahlen.pool.store`).

    Refuses (``PoolTargetError``) a folder that holds files the program did not write, that
    overlaps the raw folder ``raw`` or that holds another city's pool; readers see the old or the
    new pool at every instant. The manifest carries the identity of the configuration in use
    (:mod:`kennzahlen.catalog.stadtkennung`). ``exporte``: the exports this build read
    (``RawData.exporte``), kept in the pool folder for the next build
    (:mod:`kennzahlen.reading.exportcache`); ``lauf``: the key of the build's inputs, recorded
    with the version for the next ``kennzahlen pool`` (:mod:`kennzahlen.pool.unveraendert`).
    """
    from kennzahlen.catalog import stadtkennung
    from kennzahlen.pool import store as poolstore

    kennung = poolstore.check_stadt_des_ziels(out)

    def writer(frame: pd.DataFrame):
        return lambda path: frame.to_parquet(path, index=False)

    tables = {f"{name}.parquet": writer(frame) for name, frame in frames.items()}
    manifest = {
        **content_hashes(frames),
        stadtkennung.SCHLUESSEL: kennung.stempel(),
        **(extra or {}),
    }

    def keep(folder: Path, version: str) -> None:
        if exporte is None or exporte.ordner is None:
            return
        with contextlib.suppress(OSError):  # the pool is written; the next build reads again
            exportcache.speichern(exporte)
            if lauf:
                unveraendert.merken(folder, lauf, version)

    poolstore.write(
        tables,
        manifest,
        Path(out),
        raw=raw,
        readme=PROCESSED_README,
        wait=wait,
        echo=echo,
        danach=keep,
    )
    return Path(out) / paths.POOL_FILE


PROCESSED_README = """# data/processed/ — der Datenpool (Build-Ausgabe)

Erzeugt von `kennzahlen pool` aus `data/raw/`; nicht von Hand ändern, nicht einchecken.

- `kennzahlen.parquet`: eine Zeile je Wert (kennzahl, ebene, raum, periode, zaehler, nenner, wert;
  bei Anteilen und Quoten das 95-%-Intervall ki95_unten, ki95_oben); ein Anteil mit Nenner 0
  steht mit leerem `wert` darin (kein Wert: `kz.load_pool()` lässt ihn weg)
- `stand.parquet`: die gelesenen Exporte mit ihrem Stand (Exportdatum)
- `abdeckung.parquet`: je Rohtabelle der Zeitraum, den ihre Exporte abdecken, und warum
- `ampel.parquet`, `ampel_details.parquet`: die Ampel je Quartal, Sozialraum und Arbeitsfeld
- `erlaeuterungen.parquet`, `massnahmen.parquet`, `personal.parquet`: die Lieferungen der
  Fachkoordination/Fachplanung (Erläuterungen, Maßnahmen zu Ampeln, besetzte Stellen), geprüft
- `vergleichswerte.parquet`: die Werte anderer Städte aus Vergleichsringen, geprüft
- `sozialindex.parquet`, `sozialindex_indikatoren.parquet`: der Sozialindex je Jahr und Stadtviertel
  (Status, Dynamik, Klassen) und je Indikator (Wert, z-Wert, Veränderung); siehe docs/sozialindex.md
- `manifest.json`: Prüfsummen der Dateien und die aktuelle Version (der Berichtslauf erkennt daran
  Änderungen)
- `exporte/`: die geprüften Zeilen jeder gelesenen Lieferung (je Datei ihr Inhalts-Hash): ein
  neuer Lauf liest nur neue oder geänderte Lieferungen; nur Lieferungen, die alle Prüfungen
  bestanden haben, und nur nach einem erfolgreichen Lauf
- `versions/v-…/`: je Version ein vollständiger Datenpool; die Dateien oben sind die der aktuellen
  Version. Ein neuer Pool wird erst ganz geschrieben, dann umgeschaltet: Lesende sehen immer den
  alten oder den neuen Pool, nie einen halben. Alte Versionen räumt `kennzahlen pool` selbst auf.

`kennzahlen pool` schreibt nur in einen leeren Ordner oder einen früheren Datenpool und löscht nur,
was es selbst geschrieben hat.
"""
