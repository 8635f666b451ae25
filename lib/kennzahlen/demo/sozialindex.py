"""Demo deliveries for the Sozialindex: SGB II children under 15 and Arbeitslose nach SGB II.

The Bundesagentur für Arbeit delivers to municipalities, per small area and Stichtag, the people
in SGB II and among them the children under 15 and the registered unemployed (Arbeitslose nach
SGB II). The demo splits each Stadtviertel's SGB II count (:mod:`kennzahlen.demo.bevoelkerung`)
into those parts (a multinomial draw from its own random stream, so that every other demo figure
stays as it was): children by the Stadtviertel's share of children among its people under 65
(poverty already drives the SGB II count itself); the unemployed at about 28 % of the SGB II people.

Calibration (Ulm's known picture): the poverty weights of :mod:`kennzahlen.demo.daten` put Mähringer
Weg, Böfingen Mitte and Karlstraße highest. Some Stadtviertel move over the years
(``daten.SGB2_TREND``): their SGB II weight and their unemployed share change from 2021 on, so that
the Dynamik-Index has something to find. Invented, like every Stadtviertel figure of the demo.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kennzahlen.demo.daten import SGB2_ARBEITSLOS_ANTEIL as ARBEITSLOS_ANTEIL
from kennzahlen.demo.daten import SGB2_TREND as TREND
from kennzahlen.demo.daten import SGB2_TREND_START as TREND_START
from kennzahlen.demo.daten import SGB2_U15_ANTEIL as U15_ANTEIL


def trend_faktor(nr: np.ndarray, jahr: int, quartal: int) -> np.ndarray:
    """The factor on each Stadtviertel's SGB II weight in a quarter (1 before the trend starts)."""
    t = max(0.0, jahr - TREND_START + quartal / 4)
    return np.exp(np.array([TREND.get(str(x), 0.0) for x in nr]) * t)


def _anteile(
    nr: np.ndarray, u15: np.ndarray, u65: np.ndarray, jahr: int, quartal: int
) -> np.ndarray:
    """(areas, 3): probabilities child under 15, unemployed, other, per area of ``nr``."""
    kinder = np.divide(u15, u65, out=np.full(u15.shape, 0.2), where=u65 > 0)
    p_u15 = kinder.copy()
    p_u15 = p_u15 / np.average(p_u15, weights=np.maximum(u65, 1)) * U15_ANTEIL
    t = max(0.0, jahr - TREND_START + quartal / 4)
    trend = np.exp(0.5 * np.array([TREND.get(str(x), 0.0) for x in nr]) * t)
    p_al = ARBEITSLOS_ANTEIL * trend
    p_u15 = np.clip(p_u15, 0.02, 0.55)
    p_al = np.clip(p_al, 0.05, 0.45)
    return np.stack([p_u15, p_al, 1 - p_u15 - p_al], axis=1)


def sgb2_teile(
    frames: list[tuple[int, pd.DataFrame]],
    quarters: tuple[tuple[int, int], ...],
    geo_nr: np.ndarray,
    stats: dict[int, dict[str, np.ndarray]],
    seed: int,
) -> list[tuple[int, pd.DataFrame]]:
    """Each quarter's transferleistungen frame with rows ``sgb2_u15`` and ``sgb2_arbeitslos``.

    ``stats``: per year the population figures of ``bevoelkerung._pop_stats`` (``u15``, ``u65``
    per Stadtviertel). The row without address gets the city's shares.
    """
    rng = np.random.default_rng([seed, 31])
    out = []
    for qi, frame in frames:
        jahr, quartal = quarters[qi]
        st = stats[jahr]
        idx = {x: i for i, x in enumerate(geo_nr)}
        sgb2 = frame[frame["leistung"] == "sgb2"]
        nr = sgb2["stadtviertel_nr"].to_numpy(dtype=object)
        at = np.array([idx.get(x, -1) for x in nr])
        u15 = np.where(at >= 0, st["u15"][at], st["u15"].sum())
        u65 = np.where(at >= 0, st["u65"][at], st["u65"].sum())
        p = _anteile(nr, u15, u65, jahr, quartal)
        n = rng.multinomial(sgb2["personen"].to_numpy(dtype=np.int64), p)
        teile = [
            sgb2.assign(leistung=code, personen=n[:, j])
            for j, code in enumerate(("sgb2_u15", "sgb2_arbeitslos"))
        ]
        out.append((qi, pd.concat([frame, *teile], ignore_index=True)))
    return out
