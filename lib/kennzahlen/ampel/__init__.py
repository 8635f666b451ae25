"""Produkt 4, die Ampel: Regeln aus ``config/ampel.yaml`` auf den Datenpool angewandt.

Per quarter, area (the five Sozialräume and Gesamtstadt) and Arbeitsfeld, every indicator of
the Arbeitsfeld gets a colour from its rule:

- ``zielwert``: met -> gruen; missed by at most ``toleranz_pp`` percentage points -> gelb; else rot
- ``anstieg``: the stock on the quarter's Stichtag against the mean of the previous quarter ends:
  rise up to ``gelb_ueber_prozent`` gruen, up to ``rot_ueber_prozent`` gelb, beyond rot
- ``spc``: XmR chart (NHS "Making Data Count") on a fixed baseline; a point beyond a limit
  (rot) or a run on one side of the mean (gelb) in the unfavourable direction
- fewer than ``min_faelle`` cases in the base: grau

The Arbeitsfeld shows its worst indicator; a manual switch (``ampel_schaltungen``) sets the final
``farbe`` and ``begruendung`` while ``farbe_regel`` keeps what the rules said.
:func:`pool_frames` writes ``ampel`` and ``ampel_details`` into the pool; :func:`ampel_fuer`
reads them back for a report. Analysts call the package itself: ``kz.ampel(pool, "Q4/2023")`` is
:func:`kennzahlen.werkbank.ampel` (:mod:`kennzahlen.aufrufbar`).
"""

from __future__ import annotations

from .assembly import AMPEL_COLUMNS, DETAIL_COLUMNS, berechne_ampel, pool_frames
from .config import AmpelConfigError, AmpelSetup, check_config, load_ampel_config
from .reading import ampel_fuer, raster, verlauf

__all__ = [
    "AMPEL_COLUMNS",
    "AmpelConfigError",
    "AmpelSetup",
    "DETAIL_COLUMNS",
    "ampel_fuer",
    "berechne_ampel",
    "check_config",
    "load_ampel_config",
    "pool_frames",
    "raster",
    "verlauf",
]

# ``kz.ampel(pool, "Q4/2023")``: the analysts' view of the lights (kennzahlen.werkbank)
from ..aufrufbar import aufrufbar  # noqa: E402
from ..werkbank import ampel as _fuer_analysten  # noqa: E402

aufrufbar(__name__, _fuer_analysten)
