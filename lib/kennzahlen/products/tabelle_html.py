"""A report table's HTML written directly, byte for byte as pandas' Styler writes it.

:func:`kennzahlen.products.common.styled` built every report table with a pandas ``Styler``
(escaping formatters, a content-hash uuid, bold sum rows, one highlighted row or column, a
caption) and ``Styler.to_html()``. That cost about 5 ms per table, over a quarter's 24 reports
(about 310 tables) some 1.7 s CPU. :func:`tabelle` writes the same HTML in a fraction of that.

It is exact only for what ``styled`` asks of the Styler, and only with pandas' ``styler.*``
options at their defaults; for anything else it answers ``None`` and ``styled`` uses the Styler
(see :func:`tabelle` for the cases). The markup follows the templates ``html.tpl``,
``html_style.tpl`` and ``html_table.tpl`` and ``StylerRenderer._translate`` of pandas 3.1
(the version pinned in pyproject.toml); ``tests/test_tabelle_html.py`` compares both on many
frames, so a pandas upgrade that changes the Styler's markup fails there instead of silently
changing the reports.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from pandas.core.util.hashing import combine_hash_arrays, hash_array, hash_pandas_object
from pandas.io.formats.style_render import _get_level_lengths

#: CSS of a (sub)total row's cells and of its row label
SUMME = (("font-weight", "bold"), ("background-color", "#dde7f0"))
SUMME_LABEL = (("background-color", "#dde7f0"),)
SONST_LABEL = (("font-weight", "normal"),)
#: CSS of the highlighted row or column
HERVOR = (("background-color", "#fde9d9"), ("font-weight", "bold"))

#: pandas' Styler options this module assumes (their defaults)
_OPTIONEN = {
    "styler.sparse.index": True,
    "styler.sparse.columns": True,
    "styler.render.max_rows": None,
    "styler.render.max_columns": None,
    "styler.html.mathjax": True,
}

_LABEL = (str, int, float)


def _ist_text(typ: type) -> bool:
    """True for a cell type whose text ``astype(str)`` and ``len`` see as the str it is."""
    return typ is str or (
        issubclass(typ, str) and typ.__str__ is str.__str__ and typ.__len__ is str.__len__
    )


def _optionen_standard(zellen: int) -> bool:
    """True when the Styler's options are those this module writes for (no trimming)."""
    if any(pd.get_option(k) != v for k, v in _OPTIONEN.items()):
        return False
    return zellen <= pd.get_option("styler.render.max_elements")


def _labels_einfach(index: pd.Index, werte: list) -> bool:
    """True for labels this module writes: unique, no name but text, no NaN, no tuple in a flat
    index; each label (or level of it) a str, int or float."""
    if not index.is_unique or any(n is not None and not isinstance(n, str) for n in index.names):
        return False
    if isinstance(index, pd.MultiIndex):
        teile = [x for t in werte for x in t]
    else:
        teile = werte
    for x in teile:
        if not isinstance(x, _LABEL) or (isinstance(x, float) and x != x):
            return False
    return True


def _digest(df: pd.DataFrame, spalten: list[list[str]], rest: bytes) -> str:
    """The uuid ``styled`` derived from ``df.astype(str)``: the same bytes, without building that
    frame (every cell already is a str; its hash depends only on its text)."""
    n = len(df.index)
    if spalten and n:
        flach = np.empty(n * len(spalten), dtype=object)
        for j, werte in enumerate(spalten):
            flach[j * n : (j + 1) * n] = werte
        zeilen = iter(hash_array(flach).reshape(len(spalten), n))
    else:
        zeilen = iter(np.zeros((len(spalten), n), dtype=np.uint64))
    index_hash = hash_pandas_object(df.index, index=False).values
    hashes = (*zeilen, index_hash)
    h = combine_hash_arrays(iter(hashes), len(hashes))
    return hashlib.sha1(np.asarray(h, dtype=np.uint64).tobytes() + rest).hexdigest()[:10]


def tabelle(
    df: pd.DataFrame,
    hervorheben: object,
    caption: object,
    summen: Sequence[object],
    esc: Callable[[object], str],
) -> str | None:
    """``styled``'s HTML for ``df`` (``caption`` already taken from ``df.attrs``), or None where
    only the Styler knows the answer.

    Covered: unique row and column labels (one or more levels) of str, int or float (not NaN),
    names None or str; every cell a str (``styled`` fails on other cells); ``summen`` full row
    labels, each once; ``hervorheben`` a label of a one-level axis, or absent; the Styler's
    options at their defaults.
    """
    nrows, ncols = df.shape
    if not _optionen_standard(nrows * ncols):
        return None
    index, columns = df.index, df.columns
    rlabels = index.tolist()
    clabels = columns.tolist()
    if not _labels_einfach(index, rlabels) or not _labels_einfach(columns, clabels):
        return None
    spalten = [df.iloc[:, j].tolist() for j in range(ncols)]
    if not all(map(_ist_text, {type(v) for werte in spalten for v in werte})):
        return None
    multi_r = isinstance(index, pd.MultiIndex)
    multi_c = isinstance(columns, pd.MultiIndex)

    # the sum rows and the highlighted row or column, as positions
    summe_pos: list[int] = []
    for s in summen:
        if multi_r != isinstance(s, tuple) or (multi_r and len(s) != index.nlevels):
            return None
        try:
            pos = index.get_loc(s)
        except (KeyError, TypeError):
            return None
        if not isinstance(pos, (int, np.integer)) or pos in summe_pos:
            return None
        summe_pos.append(int(pos))
    hervor_spalte = hervor_zeile = None
    if hervorheben is not None:
        try:
            if multi_c or isinstance(hervorheben, tuple):
                return None
            if hervorheben in columns:
                hervor_spalte = columns.get_loc(hervorheben)
            elif multi_r:
                return None
            elif hervorheben in index:
                hervor_zeile = index.get_loc(hervorheben)
        except TypeError:  # unhashable: the Styler says so
            return None
        for pos in (hervor_spalte, hervor_zeile):
            if pos is not None and not isinstance(pos, (int, np.integer)):
                return None

    lang = max((len(v) for w in spalten for v in w), default=0) > 40
    uuid = _digest(
        df,
        spalten,
        str(caption).encode() + str(hervorheben).encode() + str(list(summen)).encode(),
    )
    pre = f"T_{uuid}_"

    # the cells' CSS, grouped by the same properties in the order the Styler meets them
    zellen: dict[tuple, list[str]] = {}
    if summe_pos or hervor_spalte is not None or hervor_zeile is not None:
        summe_set = set(summe_pos)
        for r in range(nrows):
            for c in range(ncols):
                props: tuple = ()
                if r in summe_set:
                    props += SUMME
                if c == hervor_spalte or r == hervor_zeile:
                    props += HERVOR
                if props:
                    zellen.setdefault(props, []).append(f"row{r}_col{c}")

    # rows: one entry per level, sparsified as the Styler does
    if multi_r:
        r_laengen = _get_level_lengths(index, True, nrows)
        r_werte = rlabels
    else:
        r_laengen = None
        r_werte = [(x,) for x in rlabels]
    letzte_ebene = index.nlevels - 1
    kopf_css: dict[tuple, list[str]] = {}
    if len(summen):
        letzte = {x[-1] if isinstance(x, tuple) else x for x in summen}
        for r in range(nrows):
            if r_laengen is None or (letzte_ebene, r) in r_laengen:
                props = SUMME_LABEL if r_werte[r][letzte_ebene] in letzte else SONST_LABEL
                kopf_css.setdefault(props, []).append(f"level{letzte_ebene}_row{r}")

    out = ['<style type="text/css">\n']
    for gruppen in (zellen, kopf_css):
        for props, selektoren in gruppen.items():
            out.append(", ".join(f"#{pre}{s}" for s in selektoren))
            out.append(" {\n")
            out.extend(f"  {p}: {v};\n" for p, v in props)
            out.append("}\n")
    out.append("</style>\n")
    out.append(f'<table id="T_{uuid}" class="kz-text">\n' if lang else f'<table id="T_{uuid}">\n')
    if caption:
        out.append(f"  <caption>{esc(caption)}</caption>\n")

    # the head: one row per column level, then the index names
    out.append("  <thead>\n")
    index_leer = '      <th class="blank" >&nbsp;</th>\n' * (index.nlevels - 1)
    if ncols:
        if multi_c:
            c_laengen = _get_level_lengths(columns, True, ncols)
            c_werte = list(zip(*clabels, strict=True))
        else:
            c_laengen = None
            c_werte = [clabels]
        for lvl, name in enumerate(columns.names):
            out.append("    <tr>\n")
            out.append(index_leer)
            if name is None:
                out.append(f'      <th class="blank level{lvl}" >&nbsp;</th>\n')
            else:
                out.append(f'      <th class="index_name level{lvl}" >{name}</th>\n')
            for c, wert in enumerate(c_werte[lvl]):
                if c_laengen is None:
                    span = ""
                elif (lvl, c) in c_laengen:
                    n = c_laengen[(lvl, c)]
                    span = f'colspan="{n}"' if n > 1 else ""
                else:
                    continue
                out.append(
                    f'      <th id="{pre}level{lvl}_col{c}" class="col_heading level{lvl} col{c}" '
                    f"{span}>{esc(wert)}</th>\n"
                )
            out.append("    </tr>\n")
    if any(n is not None for n in index.names):
        out.append("    <tr>\n")
        for lvl, name in enumerate(index.names):
            wert = "&nbsp;" if name is None else name
            out.append(f'      <th class="index_name level{lvl}" >{wert}</th>\n')
        for c in range(ncols):
            out.append(f'      <th class="blank col{c}" >&nbsp;</th>\n')
        out.append("    </tr>\n")
    out.append("  </thead>\n")

    # the body
    out.append("  <tbody>\n")
    zeilen = list(zip(*spalten, strict=True)) if ncols else [()] * nrows
    for r in range(nrows):
        out.append("    <tr>\n")
        for lvl, wert in enumerate(r_werte[r]):
            if r_laengen is None:
                span = ""
            elif (lvl, r) in r_laengen:
                n = r_laengen[(lvl, r)]
                span = f'rowspan="{n}"' if n > 1 else ""
            else:
                continue
            out.append(
                f'      <th id="{pre}level{lvl}_row{r}" class="row_heading level{lvl} row{r}" '
                f"{span}>{esc(wert)}</th>\n"
            )
        for c, wert in enumerate(zeilen[r]):
            out.append(
                f'      <td id="{pre}row{r}_col{c}" class="data row{r} col{c}" >{esc(wert)}</td>\n'
            )
        out.append("    </tr>\n")
    out.append("  </tbody>\n</table>\n")
    return "".join(out)
