"""The Sozialindex (Produkt 1): status and dynamics per Stadtviertel.

``kz.sozialindex(pool, "2023", klasse="höchste")`` calls the analysts' table
:func:`kennzahlen.api.werkbank.sozialindex` (:mod:`kennzahlen.core.aufrufbar`).
"""

from kennzahlen.core.aufrufbar import aufrufbar

aufrufbar(__name__, "kennzahlen.api.werkbank:sozialindex")
