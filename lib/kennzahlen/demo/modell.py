"""The shapes the demo generator works with: streams of cases, file styles, geography."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import numpy as np


@dataclass(frozen=True)
class _Stream:
    """One kind of long-running case with its year-end stock path (scale 1)."""

    code: str  # leistung or bereich
    setting: str
    stock: tuple[int, int, int, int, int]  # 31.12.2019 ... 31.12.2023 (2021 = calibration)
    mean_days: float
    shape: float
    weights: str  # which Stadtviertel weights


# ------------------------------------------------------------------------------ file styles
class Kodierung(TypedDict):
    """The encoding and line ends of a file style (``_Style(**kodierung)``)."""

    encoding: str
    eol: str


@dataclass(frozen=True)
class _Style:
    fmt: str = "csv"  # csv | xlsx
    encoding: str = "utf-8"
    sep: str = ";"
    dates: str = "iso"  # iso | de
    bools: tuple[str, str] = ("ja", "nein")
    header: str = "lower"  # lower | upper | title
    eol: str = "\n"
    decimal: str = "."  # decimal separator of numbers with a fraction (VZÄ)


# ------------------------------------------------------------------------------- geography
@dataclass
class _Geo:
    nr: np.ndarray  # stadtviertel_nr (str)
    sr: np.ndarray  # Sozialraum index per Stadtviertel
    sozialraeume: list[str]
    poverty: np.ndarray
    foreign: np.ndarray
    base: np.ndarray  # relative size (sums to 1)

    @property
    def n(self) -> int:
        return self.nr.size

    def sr_sum(self, w: np.ndarray) -> np.ndarray:
        return np.bincount(self.sr, weights=w, minlength=len(self.sozialraeume))


# ----------------------------------------------------------------------- case histories
@dataclass
class _Fix:
    groups: np.ndarray
    day: int
    target: int
    v_exact: bool = True  # the fix must not change any yearly "im Verlauf" count
