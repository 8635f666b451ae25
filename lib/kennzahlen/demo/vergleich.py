"""Demo delivery ``vergleichswerte``: a synthetic comparison ring of nine cities for Ulm.

Marked as synthetic in every row (ring name and source): the values are made up, around the
levels such rings report for cities of Ulm's size (HzE per 1.000 under 21, Eingliederungshilfe in
besonderer Wohnform per 1.000, the outpatient shares of EGH and Hilfe zur Pflege, …). Two
deliveries, as a ring publishes a year's report in the autumn of the next: Stand 15.11.2022 with
2019–2021, Stand 14.11.2023 with 2020–2022 (one city's 2021 value corrected: the newer Stand
wins). Some cities publish Zähler and Nenner, the others only the value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kennzahlen.catalog.model import load_catalog
from kennzahlen.demo.export import _write
from kennzahlen.demo.kalender import _day

RING = "Vergleichsring Soziales (Demo, synthetisch)"
QUELLE = "Demo: synthetische Werte, keine echte Stadt"
STAEDTE = tuple(f"Stadt {c}" for c in "ABCDEFGHI")
#: residents of the nine cities (synthetic)
EINWOHNER = (104_800, 118_300, 126_900, 133_400, 141_700, 157_200, 172_600, 198_100, 236_500)
#: cities that publish Zähler and Nenner
MIT_ZAEHLER = frozenset({"Stadt A", "Stadt B", "Stadt D", "Stadt F", "Stadt H"})
#: per Kennzahl: the ring's level in 2019, the yearly change, the spread between the cities
#: (relative), the Nenner per resident (for Zähler and Nenner), decimals of the value
KENNZAHLEN: dict[str, tuple[float, float, float, float, int]] = {
    "jh_z7_hze_je_1000_unter21": (24.5, 0.025, 0.24, 0.20, 1),
    "egh_z7_besondere_wohnform_je_1000": (3.35, -0.015, 0.20, 1.0, 2),
    "egh_z4_anteil_eigener_wohnraum": (0.585, 0.02, 0.12, 0.0085, 4),
    "ah_z4_anteil_hzp_ambulant": (0.245, 0.01, 0.22, 0.004, 4),
    "ah_z7_hzp_stationaer_je_1000_65plus": (15.2, 0.02, 0.18, 0.21, 1),
    "es_z7_sgb12_je_1000": (12.8, 0.03, 0.26, 1.0, 1),
}
#: (Stand, years): two deliveries of the ring
LIEFERUNGEN = (("2022-11-15", (2019, 2020, 2021)), ("2023-11-14", (2020, 2021, 2022)))
#: a correction in the second delivery: (Kennzahl, year, city, factor)
KORREKTUR = ("jh_z7_hze_je_1000_unter21", 2021, "Stadt E", 1.04)


def _werte(seed: int) -> pd.DataFrame:
    """The ring's values of every year 2019–2022 (one row per Kennzahl, year, city)."""
    rng = np.random.default_rng([seed, 30])
    cat = load_catalog()
    rows = []
    for kid, (niveau, jahrlich, streuung, je_einwohner, stellen) in KENNZAHLEN.items():
        k = cat.get(kid)
        lage = rng.permutation(np.linspace(-1, 1, len(STAEDTE)))
        for jahr in range(2019, 2023):
            rauschen = rng.normal(0, 0.02, len(STAEDTE))
            for i, stadt in enumerate(STAEDTE):
                wert = niveau * (1 + jahrlich) ** (jahr - 2019) * (1 + streuung * lage[i])
                wert *= 1 + rauschen[i]
                rows.append(_zeile(k, jahr, stadt, wert, EINWOHNER[i] * je_einwohner, stellen))
    return pd.DataFrame(rows)


def _zeile(k, jahr: int, stadt: str, wert: float, nenner: float, stellen: int) -> dict:
    zaehler = nenner_out = None
    if stadt in MIT_ZAEHLER:
        nenner_out = float(round(nenner))
        zaehler = float(round(wert * nenner_out / k.faktor))
        wert = zaehler / nenner_out * k.faktor
    return {
        "kennzahl": k.id,
        "jahr": jahr,
        "ring": RING,
        "vergleich": stadt,
        "wert": round(wert, stellen),
        "zaehler": zaehler,
        "nenner": nenner_out,
        "quelle": QUELLE,
        "katalogversion": k.fassung_im(jahr),
    }


def lieferungen(seed: int = 2023) -> list[tuple[str, pd.DataFrame]]:
    """The ring's deliveries: (Stand, rows)."""
    alle = _werte(seed)
    out = []
    for nr, (stand, jahre) in enumerate(LIEFERUNGEN):
        teil = alle[alle["jahr"].isin(jahre)].copy()
        if nr:
            kid, jahr, stadt, faktor = KORREKTUR
            m = (teil["kennzahl"] == kid) & (teil["jahr"] == jahr) & (teil["vergleich"] == stadt)
            teil.loc[m, "wert"] = (teil.loc[m, "wert"] * faktor).round(1)
        out.append((stand, teil.reset_index(drop=True)))
    return out


def write_vergleich(out: Path, seed: int = 2023) -> list[Path]:
    """Write the ring's deliveries into ``out``."""
    return [_write(out, "vergleichswerte", _day(stand), df) for stand, df in lieferungen(seed)]
