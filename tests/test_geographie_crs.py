"""The CRS of the configuration are checked without pyproj where they are well known (issue 28:
pyproj is not imported in a pool build)."""

from __future__ import annotations

import subprocess
import sys

from pyproj import CRS

from kennzahlen.catalog import geography


def test_bekannte_crs_kennt_pyproj():
    for name in geography.BEKANNTE_CRS:
        assert CRS.from_user_input(name).to_epsg() == int(name.split(":")[1])


def test_konfiguration_ohne_pyproj_geladen():
    code = (
        "import sys\n"
        "from kennzahlen.catalog import geography\n"
        "cfg = geography.load_config()\n"
        "assert cfg.karten_crs == 'EPSG:3035', cfg.karten_crs\n"
        "print('pyproj' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unbekanntes_crs_weiter_geprueft():
    import pytest

    with pytest.raises(ValueError, match="unbekanntes Koordinatenbezugssystem"):
        geography._check_crs("EPSG:999999")
