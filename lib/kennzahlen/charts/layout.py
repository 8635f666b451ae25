"""The layout of a chart with a fixed part (issue 28): the tight box of what stays the same
between charts of one key (a funnel's limits, axes and ticks) measured once, only the rest anew."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

#: the tight box of the fixed part of a chart's axes (:func:`fest_und_lose`), per key
_FEST: dict = {}
GRENZE_FEST = 256


def fest_und_lose(fig: Figure, schluessel: object, lose: Sequence[Artist]) -> None:
    """Name the fixed part of a one-axes chart: ``schluessel`` stands for everything in it but
    the artists ``lose`` (what differs between charts of the same key).
    :func:`kennzahlen.charts.plots._done` then measures the fixed part's tight box once per key
    (with the figure's size, the axes' position and limits and matplotlib's settings) and only
    ``lose`` anew, and
    :func:`kennzahlen.charts.png.zeichne` draws the fixed part once
    (:func:`kennzahlen.charts.png.grund`; ``lose`` must then be the last artists drawn)."""
    from kennzahlen.charts.png import grund

    fig.kz_lose = (schluessel, tuple(lose))  # type: ignore[attr-defined]
    grund(fig, schluessel, lose)


def eng(fig: Figure, schluessel: object, lose: Sequence[Artist]) -> bool:
    """``fig.tight_layout()`` with the axes' tight box from the kept box of its fixed part and
    the boxes of ``lose``: the union of the same boxes ``Axes.get_tightbbox`` unites (False:
    not a figure this serves)."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.transforms import Bbox

    from kennzahlen.charts.png import rc_stand

    if len(fig.axes) != 1 or len(fig.get_children()) != 2 or fig.subfigs:
        return False
    ax = fig.axes[0]
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    if type(renderer) is not RendererAgg or "get_tightbbox" in vars(ax):
        return False
    key = (
        schluessel, tuple(fig.get_size_inches()), fig.dpi, tuple(ax.get_position().bounds),
        tuple(ax.get_xlim()), tuple(ax.get_ylim()), rc_stand(),
    )  # fmt: skip
    variabel = {id(a) for a in lose}
    extra = ax.get_default_bbox_extra_artists()
    fest = _FEST.get(key)
    if fest is None:
        box = ax.get_tightbbox(
            renderer,
            bbox_extra_artists=[a for a in extra if id(a) not in variabel],
            for_layout_only=True,
        )
        if box is None:
            return False
        fest = _FEST[key] = box.frozen()
        if len(_FEST) > GRENZE_FEST:
            del _FEST[next(iter(_FEST))]
    boxen = [fest]
    for a in extra:  # what Axes.get_tightbbox adds of each extra artist
        if id(a) in variabel:
            b = a.get_tightbbox(renderer)
            if b is not None and 0 < b.width < np.inf and 0 < b.height < np.inf:
                boxen.append(b)
    gesamt = Bbox.union(boxen)
    ax.get_tightbbox = lambda *args, **kwargs: gesamt  # type: ignore[method-assign]
    try:
        fig.tight_layout()
    finally:
        del ax.get_tightbbox
    return True


def titel_ohne_ticks(fig: Figure) -> None:
    """The title's placement stops recomputing the y axis's ticks for every axes of ``fig``.

    matplotlib places an axes' title (``Axes._update_title_position``, at every layout and draw)
    after calling ``yaxis.get_tightbbox``, only for what that leaves in the y axis's offset
    text ("1e6" over a map in metres, hidden with the axis yet still pushing the title up): it
    locates, formats and measures every tick label to get there, and the layout and the draw
    then do all of it again for the axis itself. The y axis gets a ``get_tightbbox`` that,
    called from there, sets just that offset text, as the whole call sets it: the major
    formatter's offset for the same tick locations (``format_ticks``, as ``_update_ticks`` calls
    it), at the place a y axis's ``_update_offset_text_position`` gives it (the axes' top, not
    the tick labels). Everything else the whole call would update (ticks, labels, the label's
    place) is updated again by the layout's and the draw's own calls before it is used; every
    other caller gets matplotlib's own."""
    for ax in fig.axes:
        if "get_tightbbox" not in vars(ax.yaxis):
            ax.yaxis.get_tightbbox = _nur_versatztext(ax.yaxis)  # type: ignore[method-assign]


def _nur_versatztext(axis):
    import sys

    from matplotlib.axis import YAxis
    from matplotlib.ticker import NullLocator

    eigen = type(axis).get_tightbbox

    def get_tightbbox(renderer=None, *, for_layout_only=False):
        if (
            type(axis) is not YAxis
            or sys._getframe(1).f_code.co_name != "_update_title_position"
            or not isinstance(axis.get_minor_locator(), NullLocator)
        ):
            return eigen(axis, renderer, for_layout_only=for_layout_only)
        if not axis.get_visible() or for_layout_only and not axis.get_in_layout():
            return None
        if axis._tick_group_visible(axis._major_tick_kw) and not isinstance(
            axis.get_major_locator(), NullLocator
        ):
            axis.major.formatter.format_ticks(axis.get_majorticklocs())  # its set_locs
        axis._update_offset_text_position([], [])  # a y axis: the axes' top, not the labels
        axis.offsetText.set_text(axis.major.formatter.get_offset())
        return None  # (the title's placement does not use what the box would be)

    return get_tightbbox


def leere_beschriftung_fest(fig: Figure) -> None:
    """An axis without a label text stops placing its (empty) label for every axes of ``fig``.

    matplotlib places an axis' label beside its tick labels at every layout and draw
    (``Axis._update_label_position``): it locates, formats and measures all tick labels once
    more for it (``_get_tick_boxes_siblings``), besides the time for the axis itself. An empty
    label draws nothing, and its box is a point, which the tight box leaves out
    (``Bbox._is_finite``): where it stands changes neither the layout nor the picture. The
    axis gets an ``_update_label_position`` that does nothing while the label's text is empty
    and matplotlib's own otherwise (a label set later is placed as before)."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if "_update_label_position" not in vars(axis):
                axis._update_label_position = _nur_mit_text(axis)  # type: ignore[method-assign,union-attr]


def _nur_mit_text(axis):
    eigen = type(axis)._update_label_position

    def _update_label_position(renderer):
        if axis.label.get_text() == "":
            return None
        return eigen(axis, renderer)

    return _update_label_position
