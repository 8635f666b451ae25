"""A report table's HTML written directly, byte for byte as pandas' Styler writes it.

:func:`kennzahlen.products.common.styled` built every report table with a pandas ``Styler``
(escaping formatters, a content-hash uuid, bold sum rows, one highlighted row or column, a
caption) and ``Styler.to_html()``: about 5 ms CPU per table, over a quarter's 24 reports (310
tables) some 1.4 to 1.7 s. :func:`tabelle` writes the same bytes in about a tenth of that.

It is exact only for what ``styled`` asks of the Styler, and only with pandas' ``styler.*``
options at their defaults; for anything else it answers ``None`` and ``styled`` uses the Styler
(see :func:`tabelle` for the cases covered).

Version dependence: the markup copies the templates ``html.tpl``, ``html_style.tpl`` and
``html_table.tpl`` and ``StylerRenderer._translate`` of pandas 3.1.1 (pinned in pyproject.toml),
and the sparsification of a MultiIndex is pandas' own (``style_render._get_level_lengths``). The
uuid repeats ``hash_pandas_object(df.astype(str), index=True)`` without building that frame.
``tests/test_tabelle_html.py`` renders report-like, edge and random frames both ways and compares
the bytes, so a pandas upgrade that changes the Styler's markup (or the hashing) fails there
instead of silently changing the reports.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from pandas.core.util.hashing import combine_hash_arrays, hash_array, hash_pandas_object

#: CSS of a (sub)total row's cells and of its row label (the others' labels: normal weight)
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
Esc = Callable[[object], str]


def _laengen(index: pd.MultiIndex) -> dict[tuple[int, int], int]:
    """(level, position): how many rows or columns a MultiIndex label spans, as the Styler
    sparsifies (pandas' own function; imported here, as pandas' Styler module costs some 40 ms
    CPU to import and a flat table does not need it)."""
    from pandas.io.formats.style_render import _get_level_lengths

    return _get_level_lengths(index, True, len(index))


def _optionen_standard(zellen: int) -> bool:
    """True when the Styler's options are those this module writes for (no trimming)."""
    if any(pd.get_option(k) != v for k, v in _OPTIONEN.items()):
        return False
    return zellen <= pd.get_option("styler.render.max_elements")


def _ist_text(typ: type) -> bool:
    """True for a cell type whose text ``astype(str)`` and ``len`` see as the str it is."""
    return typ is str or (
        issubclass(typ, str) and typ.__str__ is str.__str__ and typ.__len__ is str.__len__
    )


def _ist_label(x: object) -> bool:
    """True for a label (or a level's part of it) this module writes: str, int, float not NaN."""
    return isinstance(x, _LABEL) and not (isinstance(x, float) and x != x)


def _labels_einfach(index: pd.Index, werte: list) -> bool:
    """True for an axis this module writes: unique labels, names None or str, no tuple label in a
    flat index."""
    if not index.is_unique or any(n is not None and not isinstance(n, str) for n in index.names):
        return False
    teile = [x for t in werte for x in t] if isinstance(index, pd.MultiIndex) else werte
    return all(map(_ist_label, teile))


def _spalten(df: pd.DataFrame) -> list[list] | None:
    """The cells column by column, None unless every cell is text."""
    spalten = df.to_numpy(dtype=object).T.tolist() if df.shape[1] else []
    if not all(map(_ist_text, {type(v) for werte in spalten for v in werte})):
        return None
    return spalten


def _digest(df: pd.DataFrame, spalten: list[list], rest: bytes) -> str:
    """The uuid the Styler path derives from ``hash_pandas_object(df.astype(str), index=True)``:
    the same bytes, without building that frame (every cell is text; its hash depends only on
    its text)."""
    n = len(df.index)
    if spalten and n:
        flach = np.empty(n * len(spalten), dtype=object)
        for j, werte in enumerate(spalten):
            flach[j * n : (j + 1) * n] = werte
        hashes = list(hash_array(flach, categorize=False).reshape(len(spalten), n))
    else:
        hashes = [np.zeros(n, dtype=np.uint64) for _ in spalten]
    if isinstance(df.index, pd.MultiIndex):
        hashes.append(hash_pandas_object(df.index, index=False).to_numpy())
    else:  # what hash_pandas_object does for an Index, without its Series
        hashes.append(hash_array(df.index._values))
    h = combine_hash_arrays(iter(hashes), len(hashes))
    return hashlib.sha1(np.asarray(h, dtype=np.uint64).tobytes() + rest).hexdigest()[:10]


def _summen_pos(index: pd.Index, summen: Sequence[object]) -> list[int] | None:
    """The positions of the sum rows, None unless each is one full row label, once."""
    multi = isinstance(index, pd.MultiIndex)
    pos: list[int] = []
    for s in summen:
        if multi != isinstance(s, tuple) or (
            multi and isinstance(s, tuple) and len(s) != index.nlevels
        ):
            return None
        try:
            p = index.get_loc(s)
        except (KeyError, TypeError):
            return None
        if not isinstance(p, (int, np.integer)) or p in pos:
            return None
        pos.append(int(p))
    return pos


def _hervor_pos(df: pd.DataFrame, hervorheben: object) -> tuple[int | None, int | None] | None:
    """(column, row) position of the highlighted column or row (None: neither), None for a case
    left to the Styler (a MultiIndex on the axis asked, a tuple, an unhashable label)."""
    if hervorheben is None:
        return None, None
    if isinstance(df.columns, pd.MultiIndex) or isinstance(hervorheben, tuple):
        return None
    try:
        if hervorheben in df.columns:
            pos, achse = df.columns.get_loc(hervorheben), 0
        elif isinstance(df.index, pd.MultiIndex):
            return None
        elif hervorheben in df.index:
            pos, achse = df.index.get_loc(hervorheben), 1
        else:
            return None, None
    except TypeError:
        return None
    if not isinstance(pos, (int, np.integer)):
        return None
    return (int(pos), None) if achse == 0 else (None, int(pos))


def _css(
    pre: str,
    form: tuple[int, int],
    summen: list[int],
    hervor: tuple[int | None, int | None],
    label_css: list[tuple[tuple, str]],
) -> str:
    """The ``<style>`` block: cells with the same properties share one rule, in the order the
    Styler meets them (data cells row by row, then row labels)."""
    nrows, ncols = form
    spalte, zeile = hervor
    gruppen: dict[tuple, list[str]] = {}
    if summen or spalte is not None or zeile is not None:
        summe_set = set(summen)
        for r in range(nrows):
            for c in range(ncols):
                props: tuple = ()
                if r in summe_set:
                    props += SUMME
                if c == spalte or r == zeile:
                    props += HERVOR
                if props:
                    gruppen.setdefault(props, []).append(f"row{r}_col{c}")
    kopf: dict[tuple, list[str]] = {}
    for props, sel in label_css:
        kopf.setdefault(props, []).append(sel)
    out = ['<style type="text/css">\n']
    for g in (gruppen, kopf):
        for props, selektoren in g.items():
            out.append(", ".join(f"#{pre}{s}" for s in selektoren) + " {\n")
            out.extend(f"  {p}: {v};\n" for p, v in props)
            out.append("}\n")
    out.append("</style>\n")
    return "".join(out)


def _kopf(df: pd.DataFrame, clabels: list, pre: str, esc: Esc) -> str:
    """The ``<thead>``: one row per column level, then the row index names (if any)."""
    index, columns = df.index, df.columns
    out = ["  <thead>\n"]
    index_leer = '      <th class="blank" >&nbsp;</th>\n' * (index.nlevels - 1)
    if clabels:
        multi = isinstance(columns, pd.MultiIndex)
        laengen = _laengen(columns) if multi else None
        werte = list(zip(*clabels, strict=True)) if multi else [clabels]
        for lvl, name in enumerate(columns.names):
            out.append("    <tr>\n" + index_leer)
            if name is None:
                out.append(f'      <th class="blank level{lvl}" >&nbsp;</th>\n')
            else:
                out.append(f'      <th class="index_name level{lvl}" >{name}</th>\n')
            for c, wert in enumerate(werte[lvl]):
                if laengen is not None and (lvl, c) not in laengen:
                    continue  # sparsified into the cell to its left
                n = 1 if laengen is None else laengen[(lvl, c)]
                span = f'colspan="{n}"' if n > 1 else ""
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
        out.extend(f'      <th class="blank col{c}" >&nbsp;</th>\n' for c in range(len(clabels)))
        out.append("    </tr>\n")
    out.append("  </thead>\n")
    return "".join(out)


def _zeilen_labels(index: pd.Index, rlabels: list) -> tuple[list[tuple], dict | None]:
    """Every row's labels as a tuple (one per level) and the sparsification of a MultiIndex
    ((level, row): rows spanned; None for a flat index)."""
    if isinstance(index, pd.MultiIndex):
        return rlabels, _laengen(index)
    return [(x,) for x in rlabels], None


def _label_css(
    werte: list[tuple], laengen: dict | None, summen: Sequence[object]
) -> list[tuple[tuple, str]]:
    """The row labels' CSS with sum rows: the last level's labels of sums on the group
    background, the other labels in normal weight."""
    if not len(summen):
        return []
    letzte = {x[-1] if isinstance(x, tuple) else x for x in summen}
    lvl = len(werte[0]) - 1 if werte else 0
    return [
        (SUMME_LABEL if w[lvl] in letzte else SONST_LABEL, f"level{lvl}_row{r}")
        for r, w in enumerate(werte)
        if laengen is None or (lvl, r) in laengen
    ]


def _koerper(
    werte: list[tuple], laengen: dict | None, spalten: list[list], pre: str, esc: Esc
) -> str:
    """The ``<tbody>``: per row its visible labels (a MultiIndex's with rowspan), then its
    cells."""
    out = ["  <tbody>\n"]
    zeilen = zip(*spalten, strict=True) if spalten else iter([()] * len(werte))
    for r, (labels, zellen) in enumerate(zip(werte, zeilen, strict=True)):
        out.append("    <tr>\n")
        for lvl, wert in enumerate(labels):
            if laengen is not None and (lvl, r) not in laengen:
                continue  # sparsified into the label above
            n = 1 if laengen is None else laengen[(lvl, r)]
            span = f'rowspan="{n}"' if n > 1 else ""
            out.append(
                f'      <th id="{pre}level{lvl}_row{r}" class="row_heading level{lvl} row{r}" '
                f"{span}>{esc(wert)}</th>\n"
            )
        out.extend(
            f'      <td id="{pre}row{r}_col{c}" class="data row{r} col{c}" >{esc(wert)}</td>\n'
            for c, wert in enumerate(zellen)
        )
        out.append("    </tr>\n")
    out.append("  </tbody>\n")
    return "".join(out)


def tabelle(
    df: pd.DataFrame,
    hervorheben: object,
    caption: object,
    summen: Sequence[object],
    esc: Esc,
) -> str | None:
    """``styled``'s HTML for ``df`` (``caption`` already taken from ``df.attrs``), or None where
    only the Styler knows the answer.

    Covered: unique row and column labels (one or more levels) of str, int or float (not NaN),
    names None or str; every cell text (``styled`` fails on a missing cell); ``summen`` full row
    labels, each once; ``hervorheben`` a label of a one-level axis, or absent; the Styler's
    options at their defaults.
    """
    if not _optionen_standard(df.size):
        return None
    rlabels, clabels = df.index.tolist(), df.columns.tolist()
    if not _labels_einfach(df.index, rlabels) or not _labels_einfach(df.columns, clabels):
        return None
    spalten = _spalten(df)
    summe_pos = _summen_pos(df.index, summen)
    hervor = _hervor_pos(df, hervorheben)
    if spalten is None or summe_pos is None or hervor is None:
        return None

    rest = str(caption).encode() + str(hervorheben).encode() + str(list(summen)).encode()
    uuid = _digest(df, spalten, rest)
    pre = f"T_{uuid}_"
    werte, laengen = _zeilen_labels(df.index, rlabels)
    lang = max((len(v) for w in spalten for v in w), default=0) > 40  # prose cells wrap
    titel = esc(caption) if caption else ""
    return "".join(
        [
            _css(pre, df.shape, summe_pos, hervor, _label_css(werte, laengen, summen)),
            f'<table id="T_{uuid}" class="kz-text">\n' if lang else f'<table id="T_{uuid}">\n',
            f"  <caption>{titel}</caption>\n" if titel else "",
            _kopf(df, clabels, pre, esc),
            _koerper(werte, laengen, spalten, pre, esc),
            "</table>\n",
        ]
    )
