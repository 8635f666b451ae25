"""Need-to-know for free text: a report shows the free text of its own area only.

Free text about cases – the reason of a switched Ampel (``ampel_schaltungen.begruendung``),
explanations (``erlaeuterungen.text``), measures and their results (``massnahmen.massnahme``,
``ergebnis``) – appears only in the report of the area the row is about: a Sozialraum's in that
Sozialraum's report, the Gesamtstadt's in the Gesamtstadt report. The Gesamtstadt report shows the
Sozialräume's lights, figures and the state of their explanations and measures, and says where
their text is. So a Sozialraumteamleitung (its own Sozialraum and the Gesamtstadt) never reads
another Sozialraum's case narrative; groups without a binding get every area's report and so
every text (docs/annahmen.md, config/verteiler.yaml).
"""

from __future__ import annotations

from kennzahlen.core.namen import nfc


def eigen(bericht_raum: str, zeilen_raum: object) -> bool:
    """Whether a row's free text may be shown in the report of ``bericht_raum``."""
    return nfc(str(bericht_raum)).strip() == nfc(str(zeilen_raum)).strip()


def verweis(zeilen_raum: object) -> str:
    """Where the text of another area stands: '(Text im Bericht Nord)'."""
    return f"(Text im Bericht {zeilen_raum})"
