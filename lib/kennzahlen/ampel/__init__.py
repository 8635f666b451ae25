"""The Ampel (Produkt 4): rules from config/ampel.yaml applied to the pool.

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
:func:`kennzahlen.api.werkbank.ampel` (:mod:`kennzahlen.core.aufrufbar`).
"""

from __future__ import annotations

from kennzahlen.ampel.assembly import AMPEL_COLUMNS, DETAIL_COLUMNS, build_ampel, pool_frames
from kennzahlen.ampel.config import AmpelConfigError, AmpelSetup, check_config, load_ampel_config
from kennzahlen.ampel.reading import ampel_fuer, raster, verlauf

__all__ = [
    "AMPEL_COLUMNS",
    "AmpelConfigError",
    "AmpelSetup",
    "DETAIL_COLUMNS",
    "ampel_fuer",
    "build_ampel",
    "check_config",
    "load_ampel_config",
    "pool_frames",
    "raster",
    "verlauf",
]

# ``kz.ampel(pool, "Q4/2023")``: the analysts' view of the lights (kennzahlen.api.werkbank)
from kennzahlen.core.aufrufbar import aufrufbar  # noqa: E402

aufrufbar(__name__, "kennzahlen.api.werkbank:ampel")
