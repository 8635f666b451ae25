"""Which quarters the pool can fill per product, decided before any kernel starts."""

from __future__ import annotations

from pathlib import Path

from kennzahlen.core import paths
from kennzahlen.core.periods import (
    QUARTALSENDE_MUSTER,
    ist_quartal,
    quartal_von_tag,
    quartale_range,
    stichtag,
)
from kennzahlen.core.vocabulary import PRODUKTE
from kennzahlen.runner.basis import RunnerError, berichtszeitraum


def _read_pool_periods(pool: Path):
    """The pool's Kennzahlen (kennzahl, ebene, raum, periode, wert) and Ampel details, or None."""
    import pandas as pd

    file = pool / "kennzahlen.parquet"
    if not file.exists():
        return None
    try:
        from kennzahlen.pool.load import werte

        # a row of Nenner 0 is no value of its period: it fills no report
        daten = werte(
            pd.read_parquet(
                file, columns=["kennzahl", "ebene", "raum", "periode", "zaehler", "nenner", "wert"]
            )
        )
        details_file = pool / "ampel_details.parquet"
        details = (
            pd.read_parquet(details_file, columns=["quartal", "wert"])
            if details_file.exists()
            else None
        )
    except Exception as exc:  # noqa: BLE001 - any unreadable pool file: one clear message
        raise RunnerError(
            f"{file} ist nicht lesbar ({type(exc).__name__}): den Datenpool neu bauen "
            f"(`kennzahlen pool`)."
        ) from None
    return daten, details


def _quarters_of(daten, details) -> list[str]:
    """Every quarter from the first to the last quarter end the pool holds a value for."""
    import pandas as pd

    perioden = pd.Series(daten["periode"].unique(), dtype=str)
    tage = perioden[perioden.str.fullmatch(QUARTALSENDE_MUSTER)]
    quartale = {quartal_von_tag(t) for t in tage}
    quartale |= set(perioden[perioden.map(ist_quartal)])
    if details is not None:
        quartale |= set(details["quartal"].unique())
    if not quartale:
        return []
    return quartale_range(min(quartale), max(quartale))


def quartale(pool: Path | str | None = None) -> dict[int, list[str]]:
    """Per product, the run quarters (JJJJ-Qn) whose report the pool can fill, before any kernel
    starts.

    A yearly product (1, 3) fills a quarter when the pool holds its data for the year it reports
    then (:func:`berichtszeitraum`); only quarters up to the pool's last quarter end count.
    """
    from kennzahlen.pool.store import current_dir

    gelesen = _read_pool_periods(current_dir(Path(pool or paths.PROCESSED)))
    if gelesen is None:
        return {nr: [] for nr in PRODUKTE}
    return _fuellbar(*gelesen)


def _fuellbar(daten, details) -> dict[int, list[str]]:
    from kennzahlen.products import berichtsperioden

    alle = _quarters_of(daten, details)
    perioden = berichtsperioden(daten, details)
    return {nr: [q for q in alle if berichtszeitraum(nr, q) in perioden[nr]] for nr in PRODUKTE}


def _check_pool_has(pool: Path, periode: str) -> dict[int, str]:
    """Per product without any of its data for the period: why (German). Refuse a quarter the pool
    holds nothing for (instead of 24 empty reports)."""
    from kennzahlen.products import keine_daten

    gelesen = _read_pool_periods(pool)
    if gelesen is None:
        return {}
    fuellbar = _fuellbar(*gelesen)
    alle = _quarters_of(*gelesen)
    if not any(periode in qs for qs in fuellbar.values()):
        tag = stichtag(periode)
        if not alle:
            bereich = "Der Datenpool enthält kein Quartal."
        else:
            bereich = f"Er enthält die Quartale {alle[0]} bis {alle[-1]}."
        neu = " Fehlen neue Exporte in data/raw/?" if not alle or periode > alle[-1] else ""
        raise RunnerError(
            f"Der Datenpool enthält keine Daten zum Stichtag {tag} ({periode}), für keines der "
            f"Produkte. {bereich}{neu}"
        )
    return {
        nr: keine_daten(nr, berichtszeitraum(nr, periode), pool)
        for nr, qs in fuellbar.items()
        if periode not in qs
    }
