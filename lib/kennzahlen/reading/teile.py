"""Parts never exceed their whole: a check on count deliveries (``Table.teile`` in the schema).

``transferleistungen`` carries, per Stichtag and Stadtviertel, all people in SGB II (``sgb2``)
and two parts of them: children under 15 (``sgb2_u15``) and Arbeitslose nach SGB II
(``sgb2_arbeitslos``, all 15 or older, so the parts do not overlap). An export in which the
parts add up to more than the whole is wrong (a column mix-up, a filter lost in the export):
the Sozialindex would subtract the unemployed from the SGB II count and get a negative
Transferbezug. The check runs inside one delivery; each finding names the line of the whole.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from kennzahlen.core import fmt
from kennzahlen.core.schema import Table

#: (line, column, value, message) of one finding, in the terms of :class:`reading.Problem`
Befund = tuple[int, str, str, str]


def _count_column(table: Table) -> str:
    return next(c.name for c in table.columns if c.kind == "count")


def teile_befunde(parsed: pd.DataFrame, table: Table, skip: Iterable[int] = ()) -> list[Befund]:
    """Every row of a whole whose parts (same other key values, same delivery) exceed it.

    ``parsed``: the parsed delivery, indexed by file line; ``skip``: lines with a problem already
    reported (left out here, so that one defect gives one message).
    """
    out: list[Befund] = []
    if not table.teile:
        return out
    anzahl = _count_column(table)
    if not set(table.key) | {anzahl} <= set(parsed.columns):
        return out
    rows = parsed.drop(index=[z for z in skip if z in parsed.index])
    for code_col, whole, parts in table.teile:
        other = [k for k in table.key if k != code_col]
        ganz = rows[rows[code_col] == whole]
        teil = rows[rows[code_col].isin(parts)]
        if ganz.empty or teil.empty:
            continue
        summe = (
            teil.groupby(other, dropna=False, observed=True)[anzahl]
            .sum()
            .rename("teile")
            .reset_index()
        )
        merged = ganz.reset_index(names="zeile").merge(summe, on=other, how="inner")
        for r in merged[merged["teile"] > merged[anzahl]].to_dict("records"):
            gruppe = teil[_gleich(teil, {k: r[k] for k in other})]
            wert = r[anzahl]
            out.append(
                (
                    int(r["zeile"]),
                    anzahl,
                    str(wert),
                    f"Teile größer als das Ganze: {_detail(gruppe, code_col, anzahl)} ergeben "
                    f"{fmt.zahl(r['teile'])}, aber {code_col} '{whole}' hat nur {fmt.zahl(wert)}; "
                    f"{' und '.join(parts)} sind Teilmengen von '{whole}' – bitte den Export "
                    "prüfen",
                )
            )
    return out


def _detail(group: pd.DataFrame, code_col: str, anzahl: str) -> str:
    """'sgb2_u15 in Zeile 5 (120) + sgb2_arbeitslos in Zeile 6 (90)'."""
    return " + ".join(
        f"{c} in Zeile {int(z)} ({fmt.zahl(v)})"
        for z, c, v in zip(group.index, group[code_col], group[anzahl], strict=True)
    )


def _gleich(df: pd.DataFrame, werte: dict) -> pd.Series:
    """Rows whose columns equal ``werte`` (an empty value matches an empty value)."""
    mask = pd.Series(True, index=df.index)
    for k, v in werte.items():
        mask &= df[k].isna() if pd.isna(v) else df[k].eq(v).fillna(False)
    return mask
