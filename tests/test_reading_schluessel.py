"""One code per row for a key and its file, and duplicates found from it (issue 28: the check
of a 3-million-row export on int codes, hashing only rows whose code occurs twice)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kennzahlen.reading.stapel import doppelt, schluesselcode


def _tupel_gleich(code: np.ndarray, teile: list[np.ndarray]) -> None:
    """Equal codes exactly where every part is equal."""
    frame = pd.DataFrame({f"k{i}": t for i, t in enumerate(teile)})
    gruppe = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    # the same partition: each code maps to one group and each group to one code
    paare = pd.DataFrame({"c": code, "g": gruppe}).drop_duplicates()
    assert paare["c"].is_unique and paare["g"].is_unique


@pytest.mark.parametrize("spannen", [(3, 4), (50_000, 7), (2_000_000, 2_000_000, 5)])
def test_schluesselcode_gleich_wo_die_schluessel_gleich(spannen):
    rng = np.random.default_rng(7)
    n = 20_000
    datei = rng.integers(0, 3, n)
    teile = [rng.integers(-1, s, n).astype(np.int32) for s in spannen]  # -1: empty
    code = schluesselcode(teile, datei)
    assert code.dtype == np.int64 and code.min() >= 0
    _tupel_gleich(code, [datei, *teile])


def test_schluesselcode_grosse_spannen_ohne_ueberlauf():
    # four parts of up to 3 million codes: combined arithmetically that would pass 2**63
    teile = [np.array([2_999_999, 0, 2_999_999, 5], dtype=np.int32)] * 4
    code = schluesselcode(teile, np.zeros(4, dtype=np.int32))
    assert code[0] == code[2] and len(set(code.tolist())) == 3


@pytest.mark.parametrize("keep", ["first", "last"])
@pytest.mark.parametrize("spanne", [10, 1_000_000_000])  # dense (bincount) and sparse codes
def test_doppelt_wie_pandas(keep, spanne):
    code = np.random.default_rng(3).integers(0, spanne, 5_000)
    code[[10, 20, 30]] = code[40]  # at least one repeated code
    erwartet = pd.Series(code).duplicated(keep=keep).to_numpy()
    assert (doppelt(code, keep=keep) == erwartet).all()
    assert not doppelt(np.zeros(0, dtype=np.int64)).any()
