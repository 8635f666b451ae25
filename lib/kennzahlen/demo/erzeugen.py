"""Build the truth, check the calibration, write the deliveries."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from kennzahlen.core.schema import TABLES
from kennzahlen.demo.ausgaben import write_ausgaben
from kennzahlen.demo.bevoelkerung import (
    _area_weights,
    _bevoelkerung_frame,
    _geo,
    _haushalte_frame,
    _is_ulm,
    _own_sozialraeume,
    _pop_stats,
    _population,
    _transfer_frames,
)
from kennzahlen.demo.daten import (
    _AMPEL_SCHALTUNGEN,
    _AMPEL_STAND,
    _EMPTY_DIR_OK,
    CALIBRATION,
    POP_YEARS,
    QUARTERS,
    YEARS,
)
from kennzahlen.demo.export import (
    _case_exports,
    _corrupt_ah,
    _corrupt_sozialraum,
    _corrupt_tt,
    _corrupt_ws,
    _event_exports,
    _write,
)
from kennzahlen.demo.faelle import (
    _beratungen_altenhilfe,
    _fallmanagement,
    _hilfen_vor_dem_fall,
    _jugendhilfe,
    _sozialhilfe,
    _teilhabeteam,
    _wohnraumsicherung,
)
from kennzahlen.demo.kalender import _day, _export_day, _quarter_bounds, _ymd
from kennzahlen.demo.modell import _Geo
from kennzahlen.demo.sozialindex import sgb2_teile
from kennzahlen.demo.steuerung import write_steuerung
from kennzahlen.demo.vergleich import write_vergleich


# ---------------------------------------------------------------------------------- main
def _check_empty(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise FileExistsError(
                f"{out} ist kein Ordner; die Demo-Lieferungen brauchen einen leeren Ordner."
            )
        rest = sorted(p.name for p in out.iterdir() if p.name not in _EMPTY_DIR_OK)
        if rest:
            raise FileExistsError(
                f"Der Ordner {out} ist nicht leer ({len(rest)} Einträge, z. B. {rest[0]}). "
                "Die Demo-Lieferungen werden nur in einen leeren Ordner geschrieben; "
                "vorhandene Rohdaten werden nie überschrieben."
            )


#: the demo's truth: per table its frame (bevoelkerung: per year, transferleistungen: per
#: quarter), and the geography under "geo"
Wahrheit: TypeAlias = dict[str, Any]


def build_truth(seed: int = 2023, scale: float = 1.0) -> Wahrheit:
    """The demo's "truth" before it is cut into exports (for checks and notebooks)."""
    geo = _geo()
    pops = _population(geo, seed, scale)
    w = _area_weights(geo, _pop_stats(pops[2021]))
    return {
        "geo": geo,
        "bevoelkerung": pops,
        "jugendhilfe": _jugendhilfe(geo, w, seed, scale),
        "sozialhilfe": _sozialhilfe(geo, w, seed, scale),
        "fallmanagement": _fallmanagement(geo, w, seed, scale),
        "hilfen_vor_dem_fall": _hilfen_vor_dem_fall(geo, w, seed, scale),
        "beratungen_altenhilfe": _beratungen_altenhilfe(geo, w, seed, scale),
        "teilhabeteam": _teilhabeteam(geo, w, seed, scale),
        "wohnraumsicherung": _wohnraumsicherung(geo, w, seed, scale),
        "transferleistungen": sgb2_teile(
            _transfer_frames(geo, pops, seed, scale),
            QUARTERS,
            geo.nr,
            {y: _pop_stats(pops[y]) for y in YEARS},
            seed,
        ),
    }


def _stock(df: pd.DataFrame, day: int) -> pd.Series:
    return (df["beginn"] <= day) & (df["ende"] >= day)


def _counted_rest(truth: Wahrheit) -> dict[str, int]:
    """The calibration figures of the count tables, the Altenhilfe and the Wohnraumsicherung."""
    got: dict[str, int] = {}
    tl = dict(truth["transferleistungen"])[11]
    got["sgb2_leistungsberechtigte"] = int(tl.loc[tl["leistung"] == "sgb2", "personen"].sum())
    got["asylblg_leistungsberechtigte"] = int(tl.loc[tl["leistung"] == "asylblg", "personen"].sum())
    for y in (2020, 2021, 2023):
        got[f"bev_{y}"] = int(truth["bevoelkerung"][y].sum())
    ah = truth["beratungen_altenhilfe"]
    for y in (2020, 2023):
        m = ah["datum"].between(_ymd(y, 1, 1), _ymd(y, 12, 31)) & ah["verbleib_haeuslichkeit"]
        got[f"ah_verbleib_{y}"] = int(m.sum())
    ws = truth["wohnraumsicherung"]
    for art in ("mietschulden", "raeumungsklage"):
        for y in (2020, 2021):
            m = (ws["art"] == art) & ws["datum"].between(_ymd(y, 1, 1), _ymd(y, 12, 31))
            got[f"ws_{art}_{y}"] = int(m.sum())
    return got


def _verify(truth: Wahrheit) -> None:
    """The calibration figures, counted on the truth (scale 1, Ulm geography)."""
    s = _ymd(2021, 12, 31)
    jh = truth["jugendhilfe"]
    got: dict[str, int] = {}
    for uma, name in ((False, "hze"), (True, "uma")):
        for setting in ("ambulant", "stationaer"):
            m = _stock(jh, s) & (jh["uma"] == uma) & (jh["setting"] == setting)
            got[f"jh_{name}_{setting}"] = int(m.sum())
    hv = truth["hilfen_vor_dem_fall"]
    for y in (2020, 2021):
        a, z = _ymd(y, 1, 1), _ymd(y, 12, 31)
        got[f"jh_hilfen_vor_dem_fall_{y}"] = int(hv["beginn"].between(a, z).sum())
        m = ~jh["uma"] & (jh["beginn"] <= z) & (jh["ende"] >= a)
        got[f"jh_hze_im_verlauf_{y}"] = int(m.sum())
    sh = truth["sozialhilfe"]
    st = _stock(sh, s)
    for code, key in (
        ("egh_eigener_wohnraum", "egh_eigener_wohnraum"),
        ("egh_besondere_wohnform", "egh_besondere_wohnform"),
        ("egh_wfbm", "egh_wfbm"),
        ("blindenhilfe", "egh_blindenhilfe"),
    ):
        got[key] = int((st & (sh["leistung"] == code)).sum())
    for code, field in (("hlu", "es_hlu"), ("gsi", "es_gsi"), ("hzp", "ah_hzp")):
        for setting in ("ambulant", "stationaer"):
            m = st & (sh["leistung"] == code) & (sh["setting"] == setting)
            got[f"{field}_{setting}"] = int(m.sum())
    fm = truth["fallmanagement"]
    for bereich in ("egh", "ah"):
        got[f"{bereich}_fallmanagement"] = int((_stock(fm, s) & (fm["bereich"] == bereich)).sum())
    got.update(_counted_rest(truth))
    bad = {k: (got[k], v) for k, v in CALIBRATION.items() if got.get(k) != v}
    if bad:
        raise RuntimeError(f"Demo-Kalibrierung verfehlt: {bad}")


def _schaltungen(geo: _Geo) -> pd.DataFrame:
    """The demo's manual Ampel switches, on the city's own Sozialräume."""
    ampel = pd.DataFrame(list(_AMPEL_SCHALTUNGEN), columns=TABLES["ampel_schaltungen"].column_names)
    ampel["sozialraum"] = _own_sozialraeume(ampel["sozialraum"], geo)
    ampel = ampel.drop_duplicates(["quartal", "sozialraum", "arbeitsfeld"])  # fewer Sozialräume
    ampel["geschaltet_am"] = [_day(d) for d in ampel["geschaltet_am"]]
    return ampel


def write_demo(out: Path, seed: int = 2023, scale: float = 1.0) -> list[Path]:
    """Write the demo exports into `out` (created if missing); refuse (raise FileExistsError with a
    German message) if `out` exists and is not empty — except that a folder holding only
    README.md / .gitkeep counts as empty. Returns the files written."""
    out = Path(out)
    _check_empty(out)
    if not scale > 0:
        raise ValueError(f"scale muss größer als 0 sein, nicht {scale}")
    truth = build_truth(seed, scale)
    geo: _Geo = truth["geo"]
    if scale == 1 and _is_ulm(geo):
        _verify(truth)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 90])
    written: list[Path] = []

    def stands(n: int, ends: list[int]) -> list[int]:
        return [_export_day(rng, z) for z in ends[:n]]

    q_ends = [_quarter_bounds(y, q)[1] for y, q in QUARTERS]

    # count tables
    pops = truth["bevoelkerung"]
    hh_rng = np.random.default_rng([seed, 2])
    for y in POP_YEARS:
        stand = _export_day(rng, _ymd(y, 12, 31))
        written.append(_write(out, "bevoelkerung", stand, _bevoelkerung_frame(geo, y, pops[y])))
        hh = _haushalte_frame(geo, y, _pop_stats(pops[y]), hh_rng)
        written.append(_write(out, "haushalte", _export_day(rng, _ymd(y, 12, 31)), hh))
    for qi, frame in truth["transferleistungen"]:
        written.append(_write(out, "transferleistungen", _export_day(rng, q_ends[qi]), frame))

    # case tables
    for table in ("jugendhilfe", "sozialhilfe", "fallmanagement"):
        st = stands(len(QUARTERS), q_ends)
        for stand, part in zip(st, _case_exports(truth[table], st), strict=True):
            written.append(_write(out, table, stand, part))

    # event tables
    events = (
        ("hilfen_vor_dem_fall", "beginn", 0, _corrupt_sozialraum),
        ("beratungen_altenhilfe", "datum", 0, _corrupt_ah),
        ("teilhabeteam", "datum", 7, _corrupt_tt),
        ("wohnraumsicherung", "datum", 0, _corrupt_ws),
    )
    for table, col, first_q, corrupt in events:
        parts = _event_exports(truth[table], col, rng, first_q, corrupt)
        st = stands(len(QUARTERS), q_ends)[first_q:]
        for stand, part in zip(st, parts, strict=True):
            written.append(_write(out, table, stand, part))

    written += write_ausgaben(out, truth, geo, seed, _write)  # synthetic, from the case-days
    written.append(_write(out, "ampel_schaltungen", _day(_AMPEL_STAND), _schaltungen(geo)))
    if _is_ulm(geo):
        written += write_steuerung(out)
        written += write_vergleich(out, seed)
    return sorted(written)
