"""Produkt 3: the Zielwerte reached and missed in one area, as its published report shows them.

Counted from the matrix of the report (:func:`.wirkung.matrix`), in which a value the year's
disclosure plan hides has the status "gesperrt" or "nicht bewertet": such a Kennzahl counts as
"nicht ausgewiesen", never as reached or missed. So the counts say nothing the report does not
say ("Für die Gesamtstadt wurden 1 von 2 Zielwerten … erreicht; 1 weiterer Wert ist …"). The
runner keeps them in runs.json (``zielwerte``); the index page shows them per area.
"""

from __future__ import annotations

import pandas as pd

from kennzahlen.products.wirkung import NICHT_BEWERTET, matrix_html


def bilanz(m: pd.DataFrame) -> dict[str, int]:
    """Over the collected Kennzahlen with a Zielwert: reached, missed, not shown, without value."""
    mit = m[m["zielwert"].notna() & (m["status"] != "noch nicht erhoben")]
    status = mit["status"]
    return {
        "erreicht": int((status == "erreicht").sum()),
        "nicht erreicht": int((status == "nicht erreicht").sum()),
        "nicht ausgewiesen": int(status.isin(["gesperrt", NICHT_BEWERTET]).sum()),
        "ohne Wert": int((status == "keine Daten").sum()),
    }


def show_matrix(m: pd.DataFrame, anzeige: dict[str, str] | None = None) -> None:
    """Display the Zielmatrix; its Zielwert counts travel as output metadata to runs.json."""
    from IPython.display import HTML, display

    display(HTML(matrix_html(m, anzeige)), metadata={"zielwerte": [bilanz(m)]})
