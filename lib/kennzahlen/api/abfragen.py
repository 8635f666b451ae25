"""The analysts' API: load the data pool and pick Kennzahlen by area and period.

Example (in any notebook; docs/api.md has the whole tour)::

    import kennzahlen as kz
    pool = kz.load_pool()
    kz.wert(pool, "jh_hze_gesamt", "Gesamtstadt", "31.12.2021")            # 548
    kz.zeitreihe(pool, "jh_hze_gesamt", ebene="sozialraum", breit=True)  # Stichtage x Sozialräume
    kz.tabelle(pool, "sgb2_quote", ["2019", "2023"], ebene="stadtviertel")

Every function here returns tidy frames (one row per Kennzahl, area and period, with titles, area
names and units) or wide views of them, and raises a :class:`~kennzahlen.api.auswahl.NichtGefunden`
with a German message naming the nearest valid names for anything the pool does not know
(:mod:`kennzahlen.api.auswahl`). The Katalog, the Sozialindex, the Ampel and charts are in
:mod:`kennzahlen.api.werkbank`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kennzahlen.api.auswahl import (
    KeinWert,
    PeriodeUnbekannt,
    Raum,
    bekannte_raeume,
    ebenen,
    kennzahl_ids,
    lesen,
    perioden_fuer,
    perioden_text,
    raeume,
)
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core.periods import letzter_tag, zeitraum
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG
from kennzahlen.pool.load import werte


def select(
    pool: pd.DataFrame,
    kennzahl: str | Sequence[str],
    raum: object = None,
    periode: object = None,
    ebene: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The pool's rows for one or several Kennzahlen, areas and periods, as a labelled tidy frame.

    One row per Kennzahl, area and period; columns ``kennzahl``, ``titel``, ``ebene``, ``raum``
    (the pool's code: a name, or a Stadtviertel number), ``raum_name``, ``periode`` (the pool's
    key), ``zaehler``, ``nenner`` (integers, empty for counts), ``wert`` (a share as 0–1;
    integers when every row is a count) and ``einheit``. ``kennzahl`` by id or catalog title;
    ``raum`` a name or Stadtviertel number (or a list); ``periode`` in any form of
    :func:`kennzahlen.core.periods.periode_lesen` (or a list); ``ebene`` 'gesamtstadt', 'sozialraum'
    or 'stadtviertel'. Unknown names raise :class:`~kennzahlen.api.auswahl.NichtGefunden`
    (nearest names in the message), a valid query without any value :class:`KeinWert`.

    >>> t = kz.select(pool, "sgb2_quote", ["west", "Gesamtstadt"], "2023")
    >>> print(t[["raum_name", "periode", "zaehler", "nenner"]].to_string(index=False))
      raum_name    periode  zaehler  nenner
           West 2023-12-31     1600   34626
    Gesamtstadt 2023-12-31     5960  105223
    """
    pool = werte(pool)  # a row of Nenner 0 is no value (the pool keeps it, marked)
    ids = kennzahl_ids(pool, kennzahl)
    rows = pool[pool["kennzahl"].isin(ids)]
    gewaehlt = raeume(pool, raum) if raum is not None else None
    alle = rows
    if ebene is not None:
        rows = rows[rows["ebene"].isin(ebenen(ebene))]
    if gewaehlt is not None:
        keys = {(r.ebene, r.code) for r in gewaehlt}
        rows = rows[[k in keys for k in zip(rows["ebene"], rows["raum"], strict=True)]]
    if periode is not None:
        rows = rows[_in_perioden(rows, alle, ids, periode)]
    if rows.empty:
        raise KeinWert(_kein_wert_text(alle, ids, gewaehlt, periode, ebene))
    return _beschriften(rows, ids, gewaehlt)


def _in_perioden(rows: pd.DataFrame, alle: pd.DataFrame, ids: list[str], periode: object):
    """Which ``rows`` lie in the periods named, resolved per Kennzahl against all its periods."""
    titel = {k.id: k.titel for k in load_catalog().kennzahlen}
    mask = pd.Series(False, index=rows.index)
    for kid in ids:
        vorhanden = alle.loc[alle["kennzahl"] == kid, "periode"].unique()
        keys = perioden_fuer(list(vorhanden), periode, f"'{kid}' ({titel.get(kid, kid)})")
        mask |= (rows["kennzahl"] == kid) & rows["periode"].isin(keys)
    return mask


def _kein_wert_text(
    alle: pd.DataFrame, ids: list[str], gewaehlt: list[Raum] | None, periode: object, ebene
) -> str:
    was = ", ".join(f"'{k}'" for k in ids)
    wo = f" in {', '.join(r.name for r in gewaehlt)}" if gewaehlt else ""
    wann = f" für {periode!r}" if periode is not None else ""
    auf = f" auf der Ebene {ebene!r}" if ebene is not None else ""
    hat = ", ".join(
        e for e in ("gesamtstadt", "sozialraum", "stadtviertel") if e in set(alle["ebene"])
    )
    return (
        f"Der Datenpool hat für {was}{wo}{wann}{auf} keinen Wert (Werte gibt es auf den Ebenen "
        f"{hat}). Ein Anteil fehlt, wo sein Nenner 0 ist; eine Zahl, wo die Lieferung den Raum "
        f"nicht kennt – nie steht dort eine erfundene 0."
    )


def _raum_rang(gewaehlt: list[Raum] | None, rows: pd.DataFrame) -> dict[tuple[str, str], int]:
    """The order of areas in a table: as asked, else Sozialräume, Stadtviertel, Gesamtstadt."""
    reihe = gewaehlt or bekannte_raeume(rows)
    return {(r.ebene, r.code): i for i, r in enumerate(reihe)}


def _beschriften(rows: pd.DataFrame, ids: list[str], gewaehlt: list[Raum] | None) -> pd.DataFrame:
    """Pool rows with title, area name and unit, ordered by Kennzahl, area and period."""
    katalog = {k.id: k for k in load_catalog().kennzahlen}
    namen = {(r.ebene, r.code): r.name for r in bekannte_raeume(rows)}
    rang = _raum_rang(gewaehlt, rows)
    orte = list(zip(rows["ebene"], rows["raum"], strict=True))
    out = pd.DataFrame(
        {
            "kennzahl": rows["kennzahl"].to_numpy(),
            "titel": [katalog[k].titel if k in katalog else k for k in rows["kennzahl"]],
            "ebene": rows["ebene"].to_numpy(),
            "raum": rows["raum"].to_numpy(),
            "raum_name": [namen.get(o, o[1]) for o in orte],
            "periode": rows["periode"].to_numpy(),
            "zaehler": _ganzzahlen(rows["zaehler"]),
            "nenner": _ganzzahlen(rows["nenner"]),
            "wert": rows["wert"].to_numpy(dtype=float),
            "einheit": [katalog[k].einheit if k in katalog else "" for k in rows["kennzahl"]],
        }
    )
    order = pd.DataFrame(
        {
            "k": [ids.index(k) for k in out["kennzahl"]],
            "r": [rang.get(o, len(rang)) for o in orte],
            "p": out["periode"].map(letzter_tag),
        }
    ).sort_values(["k", "r", "p"], kind="stable")
    out = out.loc[order.index].reset_index(drop=True)
    if (out["einheit"] == "anzahl").all():
        out["wert"] = _ganzzahlen(out["wert"])
    return out


def _ganzzahlen(werte: pd.Series) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Counts as nullable integers (``Int64``); floats when a value is not whole."""
    zahlen = pd.to_numeric(pd.Series(werte).reset_index(drop=True), errors="coerce")
    ganz = zahlen.dropna()
    if (ganz == ganz.round()).all():
        return zahlen.round().astype("Int64").array
    return zahlen.to_numpy(dtype=float)


def wert(pool: pd.DataFrame, kennzahl: str, raum: object, periode: object) -> int | float:
    """One value: an ``int`` for a count, a ``float`` for a share (0–1) or rate.

    ``raum`` a name or Stadtviertel number; ``periode`` in any form of
    :func:`kennzahlen.core.periods.periode_lesen`. An unknown name raises
    :class:`~kennzahlen.api.auswahl.NichtGefunden` with the nearest names; a valid question
    without a value (a share whose Nenner is 0) :class:`~kennzahlen.api.auswahl.KeinWert` – never
    ``None`` and never a made-up 0.

    >>> kz.wert(pool, "jh_hze_gesamt", "Gesamtstadt", "31.12.2021")
    548
    >>> kz.wert(pool, "jh_hze_gesamt", "gesamtstadt", "Q4/2021")
    548
    >>> round(kz.wert(pool, "jh_z5_anteil_hilfen_vor_dem_fall", "west", 2021), 2)
    0.81
    >>> kz.wert(pool, "jh_hze_gesamt", "Wets", "2021")
    Traceback (most recent call last):
    kennzahlen.api.auswahl.RaumUnbekannt: Raum 'Wets' gibt es nicht – meinten Sie 'West'? ...
    """
    for name, x in (("raum", raum), ("periode", periode)):
        if isinstance(x, list | tuple | set):
            raise TypeError(f"kz.wert nimmt einen {name}; für mehrere: kz.select oder kz.tabelle")
    rows = select(pool, kennzahl, raum, periode)
    if len(rows) > 1:
        raise PeriodeUnbekannt(
            f"'{periode}' meint für '{rows['kennzahl'].iloc[0]}' mehrere Perioden "
            f"({perioden_text(list(rows['periode']))}): bitte eine davon angeben."
        )
    v = rows["wert"].iloc[0]
    if pd.isna(v):
        raise KeinWert(_kein_wert_text(rows, [kennzahl], raeume(pool, raum), periode, None))
    return int(v) if rows["einheit"].iloc[0] == "anzahl" else float(v)


def zeitreihe(
    pool: pd.DataFrame,
    kennzahl: str | Sequence[str],
    raum: object = None,
    *,
    ebene: str | None = None,
    von: object = None,
    bis: object = None,
    breit: bool = False,
) -> pd.DataFrame:
    """One or several Kennzahlen for one or several areas over all their periods (tidy).

    ``raum``: a name, a Stadtviertel number or a list (default Gesamtstadt); or every area of an
    ``ebene`` ('sozialraum', 'stadtviertel'). ``von``/``bis`` limit the span (any period form,
    both inclusive). ``breit=True`` gives periods as rows and one column per area (per Kennzahl,
    or both), the form a chart or an Excel sheet wants. :func:`kennzahlen.api.werkbank.grafik`
    draws the tidy frame.

    >>> hze = kz.zeitreihe(pool, "jh_hze_gesamt", ["West", "Gesamtstadt"], von="2023")
    >>> print(hze[["raum_name", "periode", "wert"]].to_string(index=False))
      raum_name    periode  wert
           West 2023-03-31   145
           West 2023-06-30   144
           West 2023-09-30   152
           West 2023-12-31   150
    Gesamtstadt 2023-03-31   593
    Gesamtstadt 2023-06-30   592
    Gesamtstadt 2023-09-30   594
    Gesamtstadt 2023-12-31   582
    """
    if raum is None and ebene is None:
        raum = GESAMTSTADT
    rows = select(pool, kennzahl, raum, ebene=ebene)
    if von is not None or bis is not None:
        tage = rows["periode"].map(letzter_tag)
        ab = zeitraum(lesen(von).schluessel)[0].strftime("%Y-%m-%d") if von is not None else ""
        bis_tag = lesen(bis).letzter_tag if bis is not None else "9999"
        drin = (tage >= ab) & (tage <= bis_tag)
        if not drin.any():
            raise KeinWert(
                f"Zwischen {von!r} und {bis!r} hat der Datenpool keinen Wert; vorhanden: "
                f"{perioden_text(sorted(set(rows['periode']), key=letzter_tag))}."
            )
        rows = rows[drin].reset_index(drop=True)
    return breit_machen(rows) if breit else rows


def tabelle(
    pool: pd.DataFrame,
    kennzahlen: str | Sequence[str],
    periode: object,
    ebene: str = "sozialraum",
    mit_gesamtstadt: bool = True,
) -> pd.DataFrame:
    """A wide table: areas as rows, Kennzahlen (or periods) as columns.

    One period: a column per Kennzahl; one Kennzahl and several periods (``["2019", "2023"]``):
    a column per period; several of both: columns (kennzahl, periode). Rows: the areas of the
    ``ebene`` in table order, Stadtviertel as (number, name), Gesamtstadt last. Counts come back
    as integers (``Int64``, empty where the pool has no value); shares and rates as floats.
    "ohne Zuordnung" is a row only where it has a value other than 0.

    >>> kz.tabelle(pool, "sgb2_quote", ["2019", "2023"], ebene="stadtviertel").shape
    (66, 2)
    >>> kz.tabelle(pool, ["bev_gesamt", "jh_hze_gesamt"], "2023-12-31").loc["West"].tolist()
    [42677, 150]
    """
    e = ebenen(ebene)[0]
    welche = [e, "gesamtstadt"] if mit_gesamtstadt and e != "gesamtstadt" else [e]
    rows = select(pool, kennzahlen, periode=periode, ebene=welche)
    wide = breit_machen(rows, zeilen="raum")
    if OHNE_ZUORDNUNG in wide.index and not (wide.loc[OHNE_ZUORDNUNG].fillna(0) != 0).any():
        wide = wide.drop(index=OHNE_ZUORDNUNG)
    return wide


def breit_machen(daten: pd.DataFrame, zeilen: str = "periode") -> pd.DataFrame:
    """A tidy frame of this module as a wide table (values ``wert``).

    ``zeilen='periode'``: periods as rows; ``'raum'``: areas as rows (Stadtviertel as
    (number, name)). Columns: whichever of Kennzahl, area and period vary (a Kennzahl id,
    an area name, a period key, or tuples of them). Counts stay integers.

    >>> t = kz.select(pool, "bev_gesamt", ["West", "Gesamtstadt"], ["2022", "2023"])
    >>> print(kz.breit_machen(t))
    raum_name    West  Gesamtstadt
    periode
    2022-12-31  42239       128934
    2023-12-31  42677       130276
    """
    if zeilen not in ("periode", "raum"):
        raise ValueError(f"zeilen={zeilen!r}: erlaubt sind 'periode' und 'raum'")
    sv = (daten["ebene"] == "stadtviertel").any()
    index = ["periode"] if zeilen == "periode" else (["raum", "raum_name"] if sv else ["raum"])
    frei = ["kennzahl", "raum_name"] if zeilen == "periode" else ["kennzahl", "periode"]
    je_kennzahl = daten.groupby("kennzahl", sort=False)
    spalten = [c for c in frei if je_kennzahl[c].nunique().max() > 1]  # one period each: no column
    spalten = (["kennzahl"] if daten["kennzahl"].nunique() > 1 else []) + spalten
    spalten = list(dict.fromkeys(spalten)) or ["kennzahl"]
    rows = daten.assign(raum=daten["raum_name"]) if index == ["raum"] else daten
    wide = rows.set_index(index + spalten)["wert"].unstack(spalten)
    if zeilen == "periode":
        wide = wide.loc[sorted(wide.index, key=letzter_tag)]
    else:
        wide = wide.loc[list(dict.fromkeys(rows.set_index(index).index))]
    cols = list(dict.fromkeys(rows.set_index(spalten).index))
    if spalten == ["periode"]:
        cols = sorted(cols, key=letzter_tag)
    wide = wide[cols]
    wide.columns.names = spalten if len(spalten) > 1 else [spalten[0]]
    return _zaehlspalten(wide, daten, spalten)


def _zaehlspalten(wide: pd.DataFrame, daten: pd.DataFrame, spalten: list[str]) -> pd.DataFrame:
    """Columns of counts as ``Int64``."""
    einheit = dict(zip(daten["kennzahl"], daten["einheit"], strict=True))
    for col in wide.columns:
        kid = (
            col[spalten.index("kennzahl")]
            if "kennzahl" in spalten and len(spalten) > 1
            else (col if spalten == ["kennzahl"] else daten["kennzahl"].iloc[0])
        )
        if einheit.get(kid) == "anzahl":
            wide[col] = _ganzzahlen(wide[col])
    return wide


def perioden(pool: pd.DataFrame, kennzahl: str) -> list[str]:
    """The periods (pool keys) for which the pool has a Kennzahl, oldest first.

    >>> kz.perioden(pool, "sgb2_quote")
    ['2019-12-31', '2020-12-31', '2021-12-31', '2022-12-31', '2023-12-31']
    """
    pool = werte(pool)
    kid = kennzahl_ids(pool, kennzahl)[0]
    return sorted(pool.loc[pool["kennzahl"] == kid, "periode"].unique(), key=letzter_tag)
