"""Kennzahlen in Euro in the catalog: amounts as Zähler, the average case, the cases they are
shown with.

The rules :func:`probleme` checks (called by :func:`kennzahlen.catalog.model.cross_check`):

- a Zähler from amounts (rule ``summe_zeitraum`` on ``ausgaben``) has a unit in Euro (``euro``,
  ``euro_je_einwohner``, ``euro_je_fall``, ``veraenderung``) and sums nothing else; amounts are
  never a Nenner;
- the Nenner of Euro per case counting the stock at the four quarter ends of a year
  (``bestand_quartalsenden``) needs ``faktor: 4`` (Euro per average case), else ``faktor: 1``;
- a public Kennzahl in Euro (Produkt 3) names in ``faelle`` the cases its spending pays for (a part
  of a collected Produkt-3 Kennzahl): a report shows the Euro only where it shows those cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def probleme(
    basiszahlen: Mapping[str, Any], kennzahlen: Sequence[Any], labels: Sequence[str] | None
) -> list[str]:
    """Kennzahlen in Euro: an amount as Zähler (and nowhere else), the factor of an average
    case, quarter-end stocks only for years, and the cases a public report shows them with."""
    problems: list[str] = []
    by_id = {k.id: k for k in kennzahlen}
    for i, k in enumerate(kennzahlen):
        name = labels[i] if labels else f"Kennzahl '{k.id}'"
        regeln = {
            part: {basiszahlen[t.basis].regel for t in getattr(k, part) if t.basis in basiszahlen}
            for part in ("zaehler", "nenner")
        }
        betrag = "summe_zeitraum"
        if k.zaehler and (betrag in regeln["zaehler"]) != k.in_euro:
            problems.append(
                f"{name}: ein Zähler aus Beträgen (Regel summe_zeitraum) braucht eine einheit in "
                "Euro (euro, euro_je_einwohner, euro_je_fall, veraenderung) und umgekehrt"
            )
        if k.in_euro and regeln["zaehler"] - {betrag}:
            problems.append(f"{name}: ein Zähler in Euro summiert nur Beträge (summe_zeitraum)")
        if betrag in regeln["nenner"]:
            problems.append(f"{name}: Beträge (summe_zeitraum) gehören in den Zähler")
        quartalsenden = "bestand_quartalsenden" in regeln["zaehler"] | regeln["nenner"]
        if quartalsenden and k.periodizitaet != "jahr":
            problems.append(f"{name}: Regel bestand_quartalsenden braucht periodizitaet jahr")
        if k.einheit in ("euro_je_fall", "veraenderung"):
            soll = 4.0 if "bestand_quartalsenden" in regeln["nenner"] else 1.0
            if k.faktor != soll:
                problems.append(
                    f"{name}: faktor {soll:g} (Euro je durchschnittlichem Fall"
                    + (": der Nenner zählt vier Quartalsenden" if soll == 4 else "")
                    + f"), nicht {k.faktor:g}"
                )
        problems += _faelle_problems(name, k, by_id)
    return problems


def _faelle_problems(name: str, k: Any, by_id: Mapping[str, Any]) -> list[str]:
    """A public Kennzahl in Euro names the cases it is shown with (``faelle``): a part of a
    collected Kennzahl of the same product that counts cases."""
    if not k.in_euro or 3 not in k.produkt:
        return []
    if k.faelle is None:
        return [
            f"{name}: eine Kennzahl in Euro in Produkt 3 braucht faelle (die Kennzahl, deren "
            "Fälle die Ausgaben bezahlen; sie wird nur gezeigt, wo diese Fälle gezeigt werden)"
        ]
    ref = by_id.get(k.faelle)
    if ref is None:
        return [f"{name}: faelle '{k.faelle}' ist keine Kennzahl des Katalogs"]
    terms = ref.zaehler if k.faelle_teil == "zaehler" else ref.nenner
    if ref.in_euro or 3 not in ref.produkt or not ref.erhoben or not terms:
        return [
            f"{name}: faelle '{k.faelle}' ({k.faelle_teil}) muss Fälle zählen: eine erhobene "
            "Kennzahl von Produkt 3, nicht in Euro, mit diesem Teil"
        ]
    return []
