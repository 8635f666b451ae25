"""What each product report shows: tables, key messages and attachments.

The notebooks call these functions and display what they return; the runner calls
:func:`anhaenge` to write attachments (the Produkt-2 Excel file) beside the HTML.
"""

from __future__ import annotations

from pathlib import Path


def anhaenge(produkt: int, pool: Path, periode: str, raum: str, base: Path) -> list[Path]:
    """Write a report's attachments beside its HTML (``base`` without suffix); return their paths."""
    if produkt == 2:
        from . import quartalsmeldung

        return [quartalsmeldung.write_excel(pool, periode, raum, base.with_suffix(".xlsx"))]
    return []


def is_public(produkt: int) -> bool:
    """Whether a product leaves the department (disclosure control on), per config/disclosure.yaml."""
    from ..disclosure import is_public as _is_public

    return _is_public(produkt)
