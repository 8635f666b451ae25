"""Demo deliveries: realistic, deterministic raw exports of Ulm's departments, 2019-Q1 to 2023-Q4.

:func:`write_demo` writes what the departments would deliver into ``data/raw/`` (DATA_CONTRACT.md
section 2): one export per record table and quarter, the quarter-end ``transferleistungen``, the
yearly ``bevoelkerung`` and ``haushalte`` (31.12.2018-2023) and one ``ampel_schaltungen`` file, in
the mix of formats real exports come in (UTF-8 with and without BOM, Windows-1252, ``;`` and
``,``, ISO and German dates, ja/nein, j/n and 1/0, headers in varying case, some XLSX).

How it works: first the "truth" is built with numpy (population tables, complete case histories,
events), then every export is cut from it as it was known on its export date ("Stand"): a case
whose ``ende`` lies after the export date is delivered as still running and closed by a later
export; a few events are delivered late or corrected in the next export. After superseding
(newest Stand per key) the exports give back the truth exactly.

Calibration (scale 1, any seed, counted by the rules of DATA_CONTRACT.md section 3): the case
stocks of the Quartalsmeldung on 31.12.2021, the population on 31.12.2020/2021/2023 (2023 with
the age x sex x nationality structure of the "Ulmer Statistik 2023"), the Hilfen vor dem Fall,
the HzE cases in the course of 2020 and 2021 per Sozialraum (jh_z5: 0.84 in 2020, 0.80 in 2021,
Wiblingen 0.74), the Altenhilfe and Wohnraumsicherung figures of council paper GD 072/23 are
hit exactly by construction: the number of cases in the course of each year is fixed per group
(new starts = target - carried-in cases), and the stock on the calibration day is then set
exactly by moving the ``ende`` of a few cases without changing any yearly count. The generator
checks the figures itself before writing.

Sources of the structure: Stadt Ulm, "Ulmer Statistik 2023" (population by age, sex and
nationality on 31.12.2023, via semaphor/politische-demografie-ulm, CC BY 4.0); Sozialraum sizes
and poverty pattern from the city's web pages and the 2018 poverty report (press). Everything
else (case histories, events, Stadtviertel figures) is invented.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .demo_sozialindex import sgb2_teile, trend_faktor
from .geography import raumgliederung
from .schema import TABLES

__all__ = ["CALIBRATION", "write_demo"]

YEARS = (2019, 2020, 2021, 2022, 2023)
POP_YEARS = (2018, 2019, 2020, 2021, 2022, 2023)
QUARTERS = tuple((y, q) for y in YEARS for q in (1, 2, 3, 4))
SIM_START = 2012  # case histories are simulated from here on (stationary stock on 01.01.)
SIM_YEARS = tuple(range(SIM_START, 2024))
OPEN = 10**7  # "ende" of a case that is still running after every export
_EMPTY_DIR_OK = {"README.md", ".gitkeep"}

#: The figures the demo reproduces exactly at scale 1 (Gesamtstadt, DATA_CONTRACT.md).
CALIBRATION: dict[str, int] = {
    "jh_hze_ambulant": 425,
    "jh_hze_stationaer": 123,
    "jh_uma_ambulant": 5,
    "jh_uma_stationaer": 19,
    "jh_hilfen_vor_dem_fall_2021": 3853,
    "jh_hze_im_verlauf_2021": 963,
    "jh_hze_im_verlauf_2020": 842,
    "jh_hilfen_vor_dem_fall_2020": 4545,
    "egh_eigener_wohnraum": 656,
    "egh_besondere_wohnform": 304,
    "egh_wfbm": 337,
    "egh_blindenhilfe": 85,
    "es_hlu_ambulant": 226,
    "es_hlu_stationaer": 23,
    "es_gsi_ambulant": 1534,
    "es_gsi_stationaer": 147,
    "ah_hzp_ambulant": 103,
    "ah_hzp_stationaer": 415,
    "egh_fallmanagement": 1094,
    "ah_fallmanagement": 199,
    "sgb2_leistungsberechtigte": 5460,
    "asylblg_leistungsberechtigte": 547,
    "bev_2020": 126829,
    "bev_2021": 127431,
    "bev_2023": 130276,
    "ah_verbleib_2020": 18,
    "ah_verbleib_2023": 38,
    "ws_mietschulden_2020": 156,
    "ws_mietschulden_2021": 172,
    "ws_raeumungsklage_2020": 80,
    "ws_raeumungsklage_2021": 91,
}

# --------------------------------------------------------------------------------------------
# Ulm: population 31.12.2023 by single year of age 0-89 and 90+ (last pair), columns
# Deutsche m, Deutsche w, Ausländer m, Ausländer w ("Ulmer Statistik 2023"; total 130,276).
_POP_2023 = """
436,414,137,121 493,452,142,113 486,468,144,137 474,432,140,120 471,441,144,140
485,449,145,119 489,423,116,108 496,437,111,130 470,448,117,130 505,423,139,121
458,448,148,128 477,446,119,132 491,463,126,119 478,437,144,116 473,419,131,124
464,482,161,114 460,490,136,114 451,493,142,93 468,510,159,106 565,564,199,130
599,683,180,152 637,734,207,148 629,804,229,196 675,782,306,238 777,776,364,296
756,813,386,289 741,744,419,317 820,752,431,333 778,731,437,301 741,687,415,353
763,701,412,318 774,665,434,344 698,630,422,319 740,653,415,338 695,626,391,338
655,575,367,320 648,585,355,271 625,576,351,295 604,564,308,273 589,557,313,244
548,575,279,252 571,587,272,281 563,616,287,291 564,570,286,276 536,536,259,285
525,542,299,285 496,501,260,250 509,519,260,287 507,523,276,260 518,544,262,253
508,530,248,229 563,553,224,216 615,589,214,215 653,573,232,226 714,667,196,194
677,727,208,199 665,671,172,161 753,673,178,182 668,738,172,156 645,677,162,149
704,696,142,126 689,641,144,117 662,669,123,126 625,681,102,131 568,625,71,128
553,630,74,113 533,614,88,108 491,603,94,120 493,569,78,136 455,555,68,144 443,524,66,126
451,511,95,122 402,469,79,89 424,505,97,110 391,525,90,111 336,506,94,87 326,412,83,88
316,414,84,76 241,314,54,58 299,491,59,55 332,440,44,31 335,431,47,45 369,524,48,36
343,494,32,37 342,471,44,20 280,400,28,29 224,393,17,23 207,346,12,15 159,292,10,14
114,212,10,8 364,842,20,27
"""
MAX_AGE = 100  # "90 und älter" is spread over 90..100
N_AGES = MAX_AGE + 1

#: city population on 31.12. (2020, 2021, 2023: seed / Ulmer Statistik; others interpolated)
_POP_TOTAL = {
    2018: 125_596,
    2019: 126_312,
    2020: 126_829,
    2021: 127_431,
    2022: 128_934,
    2023: 130_276,
}
#: share of foreign nationals on 31.12. (2023 from the yearbook table)
_FOREIGN_SHARE = {2018: 0.219, 2019: 0.223, 2020: 0.227, 2021: 0.231, 2022: 0.240}

SOZIALRAEUME_ULM = ("Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen")
# Sozialraum populations (city web pages); Böfingen gets the rest of the city
_SR_POP = {"Mitte/Ost": 23_400, "Eselsberg": 18_500, "West": 41_600, "Wiblingen": 21_600}

# Stadtviertel: rough relative size within the Sozialraum
_BASE_POP = {
    "110": 2900,
    "111": 3100,
    "112": 3600,
    "113": 2300,
    "114": 1800,
    "115": 1400,
    "120": 3300,
    "121": 250,
    "123": 2600,
    "124": 2150,
    "130": 2400,
    "131": 1900,
    "133": 150,
    "134": 2200,
    "135": 3000,
    "136": 2100,
    "137": 1100,
    "138": 1800,
    "200": 3400,
    "220": 1600,
    "280": 2050,
    "140": 2600,
    "141": 180,
    "142": 2900,
    "143": 2500,
    "144": 1700,
    "145": 2400,
    "146": 2300,
    "147": 2700,
    "148": 2200,
    "149": 1900,
    "160": 3300,
    "161": 2500,
    "163": 1800,
    "164": 120,
    "165": 2200,
    "166": 1500,
    "169": 1900,
    "170": 2000,
    "230": 1400,
    "240": 1200,
    "270": 2400,
    "150": 1500,
    "151": 3000,
    "152": 1600,
    "153": 2400,
    "154": 280,
    "155": 2600,
    "156": 2100,
    "157": 1700,
    "158": 1500,
    "159": 1800,
    "180": 3200,
    "182": 1800,
    "183": 90,
    "185": 2400,
    "186": 2300,
    "187": 2100,
    "188": 2500,
    "189": 1600,
    "190": 150,
    "193": 250,
    "210": 1000,
    "250": 1900,
    "260": 2300,
}
# relative benefit receipt (SGB II, HzE, Grundsicherung ...); 1 = city average
_POVERTY = {
    "150": 4.2,
    "135": 3.0,
    "112": 2.8,
    "188": 2.1,
    "187": 1.9,
    "185": 1.7,
    "151": 1.7,
    "131": 1.6,
    "130": 1.4,
    "111": 1.6,
    "140": 1.5,
    "143": 1.4,
    "147": 1.3,
    "120": 1.2,
    "110": 1.3,
    "136": 1.2,
    "158": 1.2,
    "186": 1.3,
    "180": 1.1,
    "146": 1.1,
    "113": 0.6,
    "123": 0.5,
    "155": 0.7,
    "156": 0.5,
    "159": 0.6,
    "166": 0.5,
    "163": 0.6,
    "137": 0.5,
    "182": 0.8,
    "189": 0.9,
    "152": 0.8,
    "153": 0.8,
    "121": 0.9,
    "154": 0.6,
    "133": 1.5,
    "141": 1.6,
    "164": 1.3,
    "183": 1.4,
    "190": 1.5,
    "193": 0.8,
    "170": 0.4,
    "200": 0.4,
    "210": 0.4,
    "220": 0.3,
    "230": 0.35,
    "240": 0.3,
    "250": 0.35,
    "260": 0.4,
    "270": 0.4,
    "280": 0.35,
}
_FOREIGN = {
    "150": 3.4,
    "112": 1.8,
    "135": 1.7,
    "188": 1.6,
    "187": 1.5,
    "185": 1.4,
    "111": 1.4,
    "110": 1.3,
    "140": 1.4,
    "143": 1.3,
    "147": 1.2,
    "131": 1.3,
    "151": 1.3,
    "154": 2.0,
    "133": 1.6,
    "141": 1.8,
    "164": 1.5,
    "183": 1.6,
    "190": 2.0,
    "120": 1.1,
    "186": 1.2,
    "113": 0.7,
    "123": 0.6,
    "155": 0.7,
    "156": 0.6,
    "159": 0.7,
    "166": 0.6,
    "163": 0.7,
    "137": 0.6,
    "182": 0.8,
    "170": 0.45,
    "200": 0.4,
    "210": 0.45,
    "220": 0.35,
    "230": 0.4,
    "240": 0.35,
    "250": 0.4,
    "260": 0.45,
    "270": 0.45,
    "280": 0.4,
}
# yearly growth of a Stadtviertel beyond the city trend
_GROWTH = {
    "156": 0.018,
    "153": 0.012,
    "150": 0.022,
    "110": 0.006,
    "121": 0.004,
    "189": 0.008,
    "169": 0.006,
    "131": -0.004,
    "187": -0.003,
    "144": 0.006,
}
_ORTSCHAFTEN = {"170", "200", "210", "220", "230", "240", "250", "260", "270", "280"}
_GEWERBE = {"133", "141", "164", "183", "190"}
_CARE_HOMES = {"113", "180", "155", "160", "123", "145", "136", "188", "250"}
_EGH_FACILITIES = {"161", "146", "182", "131", "151", "124"}
_UMA_FACILITIES = {"111", "146", "186", "120", "161", "152"}
_REFUGEE_HOUSING = {
    "150": 30.0,
    "190": 14.0,
    "141": 9.0,
    "135": 2.5,
    "188": 2.5,
    "112": 2.5,
    "185": 1.5,
}

# age effects (log multipliers) for the groups 0-17, 18-29, 30-64, 65-79, 80+
_SR_AGE = {
    "Mitte/Ost": (-0.30, 0.40, 0.0, -0.10, 0.00),
    "Böfingen": (0.25, -0.10, 0.0, 0.00, -0.05),
    "Eselsberg": (0.02, 0.25, 0.0, -0.10, -0.10),
    "West": (0.00, 0.05, 0.0, 0.00, 0.00),
    "Wiblingen": (0.08, -0.25, 0.0, 0.40, 0.45),
}
_AREA_AGE = {
    "154": (-1.4, 1.6, -0.3, -1.8, -2.0),
    "121": (-0.3, 0.4, 0.0, -0.2, -0.3),
    "150": (0.35, 0.15, 0.0, -0.4, -0.5),
    **{nr: (-0.5, 0.3, 0.0, -0.5, -0.8) for nr in _GEWERBE},
    **{nr: (0.15, -0.3, 0.0, 0.05, 0.0) for nr in _ORTSCHAFTEN},
}

# ---------------------------------------------------------------------------------- JH / HvdF
_SR_INDEX = {sr: i for i, sr in enumerate(SOZIALRAEUME_ULM)}
# HzE (uma = nein) cases in the course of the year per Sozialraum + ohne Zuordnung (last)
_HZE_VERLAUF = {
    2019: (172, 144, 147, 225, 154, 8),
    2020: (170, 143, 145, 222, 154, 8),
    2021: (193, 164, 164, 250, 183, 9),
    2022: (198, 168, 167, 257, 190, 10),
    2023: (202, 171, 170, 262, 200, 10),
}
# Hilfen vor dem Fall begun in the year, same order
_HVDF = {
    2019: (900, 770, 790, 1190, 770, 30),
    2020: (963, 810, 822, 1258, 657, 35),
    2021: (823, 699, 699, 1081, 521, 30),
    2022: (850, 720, 720, 1110, 570, 30),
    2023: (880, 745, 745, 1150, 600, 30),
}
_HZE_BEFORE = {2012: 0.80, 2013: 0.83, 2014: 0.86, 2015: 0.89, 2016: 0.92, 2017: 0.95, 2018: 0.98}
_HZE_STAT_SHARE = (0.21, 0.22, 0.19, 0.19, 0.20, 0.20)
# UMA cases in the course of the year (stationaer, ambulant), Gesamtstadt
_UMA_VERLAUF = {
    2012: (22, 6),
    2013: (26, 7),
    2014: (32, 8),
    2015: (62, 15),
    2016: (80, 20),
    2017: (60, 16),
    2018: (42, 12),
    2019: (34, 11),
    2020: (29, 10),
    2021: (29, 10),
    2022: (34, 11),
    2023: (42, 13),
}

_PARAGRAPH_AMB = (
    ("27", 0.06),
    ("29", 0.05),
    ("30", 0.22),
    ("31", 0.34),
    ("32", 0.07),
    ("35", 0.02),
    ("35a", 0.24),
)
_PARAGRAPH_STAT = (("33", 0.32), ("34", 0.44), ("35a", 0.12), ("41", 0.12))
_PARAGRAPH_UMA_STAT = (("34", 0.62), ("41", 0.33), ("33", 0.05))
_PARAGRAPH_UMA_AMB = (("30", 0.6), ("27", 0.2), ("35a", 0.2))

_SEASON_JH = np.array([1.05, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 0.8, 1.1, 1.1, 1.05, 0.9])
_SEASON_EVENTS = np.array([1.0, 1.0, 1.05, 1.0, 1.0, 0.95, 0.9, 0.7, 0.95, 1.05, 1.05, 0.85])
_SEASON_FLAT = np.ones(12)


@dataclass(frozen=True)
class _Stream:
    """One kind of long-running case with its year-end stock path (scale 1)."""

    code: str  # leistung or bereich
    setting: str
    stock: tuple[int, int, int, int, int]  # 31.12.2019 ... 31.12.2023 (2021 = calibration)
    mean_days: float
    shape: float
    weights: str  # which Stadtviertel weights


_SOZIALHILFE = (
    _Stream("egh_eigener_wohnraum", "ambulant", (590, 622, 656, 684, 713), 2900, 1.6, "egh"),
    _Stream("egh_besondere_wohnform", "stationaer", (318, 311, 304, 298, 292), 4000, 1.6, "egh_bw"),
    _Stream("egh_wfbm", "ambulant", (329, 333, 337, 341, 346), 4500, 1.8, "egh"),
    _Stream("blindenhilfe", "ambulant", (83, 82, 80, 79, 78), 2600, 1.5, "old"),
    _Stream("blindenhilfe", "stationaer", (6, 5, 5, 5, 5), 1500, 1.5, "care"),
    _Stream("hlu", "ambulant", (214, 221, 226, 232, 239), 520, 3.0, "hlu"),
    _Stream("hlu", "stationaer", (25, 24, 23, 23, 22), 700, 2.0, "care"),
    _Stream("gsi", "ambulant", (1428, 1482, 1534, 1589, 1646), 2400, 1.6, "gsi"),
    _Stream("gsi", "stationaer", (150, 149, 147, 146, 145), 1100, 1.5, "care"),
    _Stream("hzp", "ambulant", (95, 99, 103, 107, 112), 700, 2.5, "old"),
    _Stream("hzp", "stationaer", (398, 406, 415, 424, 440), 800, 2.5, "care"),
)
_FALLMANAGEMENT = (
    _Stream("egh", "", (1008, 1050, 1094, 1131, 1168), 1100, 1.8, "egh"),
    _Stream("ah", "", (183, 190, 199, 206, 213), 420, 4.0, "old"),
)
# a visible rise in 2023 (a few yellow/red lights of the Ampel rule)
_BOOST_2023 = {("hzp", "stationaer", "West"): 1.2, ("hlu", "ambulant", "Eselsberg"): 1.12}
_JH_STAT_SHARE_2023 = {"Wiblingen": 0.235}

# quarter-end city totals (scale 1), 2019-Q1 ... 2023-Q4
_TRANSFER = {
    "sgb2": (
        5380,
        5350,
        5330,
        5300,
        5340,
        5590,
        5640,
        5610,
        5600,
        5560,
        5510,
        5460,
        5440,
        5590,
        5760,
        5850,
        5880,
        5910,
        5930,
        5960,
    ),
    "wohngeld": (
        1980,
        1960,
        1950,
        1940,
        2150,
        2170,
        2190,
        2200,
        2210,
        2190,
        2180,
        2170,
        2150,
        2140,
        2130,
        2120,
        2280,
        2380,
        2450,
        2500,
    ),
    "asylblg": (
        640,
        625,
        610,
        600,
        590,
        585,
        575,
        565,
        560,
        556,
        550,
        547,
        560,
        590,
        565,
        575,
        600,
        630,
        660,
        690,
    ),
}

_AH_BERATUNGEN = {2019: 205, 2020: 186, 2021: 224, 2022: 252, 2023: 271}
_AH_VERMEIDUNG = {2019: 62, 2020: 58, 2021: 74, 2022: 88, 2023: 103}
_AH_VERBLEIB = {2019: 14, 2020: 18, 2021: 25, 2022: 31, 2023: 38}
_WS = {
    "mietschulden": {2019: 166, 2020: 156, 2021: 172, 2022: 162, 2023: 167},
    "raeumungsklage": {2019: 90, 2020: 80, 2021: 91, 2022: 86, 2023: 88},
}
_WS_STELLE = {
    "mietschulden": (("uws", 0.89), ("klient", 0.06), ("dritte", 0.05)),
    "raeumungsklage": (("amtsgericht", 0.90), ("uws", 0.06), ("dritte", 0.04)),
}
_TT_BASE = (20, 18, 22, 34, 22)  # Teilhabeteam consultations per quarter and Sozialraum
_TT_OFFSET = (0.02, -0.01, 0.0, 0.01, -0.025)

_AMPEL_SCHALTUNGEN = (
    (
        "2023-Q1",
        "Wiblingen",
        "jh",
        "gelb",
        "Personalwechsel im SD-F, Fallzahlen werden nachgepflegt",
        "2023-04-24",
    ),
    (
        "2023-Q2",
        "Eselsberg",
        "es",
        "gelb",
        "Belegung der Gemeinschaftsunterkunft Mähringer Weg gestiegen; Anstieg der "
        "Leistungsberechtigten erwartet",
        "2023-07-20",
    ),
    (
        "2023-Q3",
        "West",
        "ah",
        "rot",
        "Anstieg stationärer Hilfe zur Pflege nach Schließung eines ambulanten Pflegedienstes; "
        "Fallkonferenz im Oktober",
        "2023-10-19",
    ),
    (
        "2023-Q3",
        "Böfingen",
        "ws",
        "gelb",
        "Häufung von Räumungsklagen eines Vermieters, Gespräch mit der UWS vereinbart",
        "2023-10-19",
    ),
    (
        "2023-Q4",
        "Mitte/Ost",
        "egh",
        "gruen",
        "Nahfeld-Quote durch verspätete Nacherfassung im Vorquartal verzerrt; fachlich unauffällig",
        "2024-01-18",
    ),
    (
        "2023-Q4",
        "Wiblingen",
        "jh",
        "rot",
        "Anstieg stationärer Hilfen (zwei Geschwistergruppen), Thema im Controllingtermin",
        "2024-01-18",
    ),
)
_AMPEL_STAND = "2024-01-22"


# ------------------------------------------------------------------------------ file styles
@dataclass(frozen=True)
class _Style:
    fmt: str = "csv"  # csv | xlsx
    encoding: str = "utf-8"
    sep: str = ";"
    dates: str = "iso"  # iso | de
    bools: tuple[str, str] = ("ja", "nein")
    header: str = "lower"  # lower | upper | title
    eol: str = "\n"


_CP = dict(encoding="cp1252", eol="\r\n")
_STYLES: dict[str, tuple[tuple[str, _Style], ...]] = {
    # (first export date the style applies to, style)
    "bevoelkerung": (
        ("2000-01-01", _Style(encoding="utf-8-sig", dates="de", header="upper", eol="\r\n")),
        ("2022-01-01", _Style(encoding="utf-8-sig", dates="de")),
    ),
    "haushalte": (("2000-01-01", _Style(dates="de", header="title", **_CP)),),
    "transferleistungen": (("2000-01-01", _Style(sep=",")),),
    # ProSoz: software update in 2022 (UTF-8 with BOM, ISO dates)
    "jugendhilfe": (
        ("2000-01-01", _Style(dates="de", bools=("j", "n"), header="title", **_CP)),
        ("2022-01-01", _Style(encoding="utf-8-sig", bools=("j", "n"), header="title")),
    ),
    "hilfen_vor_dem_fall": (("2000-01-01", _Style(sep=",")),),
    "sozialhilfe": (("2000-01-01", _Style(dates="de", header="upper", **_CP)),),
    # DB/VIS FM: CSV until 2022, then the Excel export of the new case-management software
    "fallmanagement": (
        ("2000-01-01", _Style(dates="de", header="title", **_CP)),
        ("2023-01-01", _Style(fmt="xlsx", dates="de", header="title")),
    ),
    "beratungen_altenhilfe": (
        (
            "2000-01-01",
            _Style(encoding="utf-8-sig", sep=",", dates="de", bools=("1", "0"), header="title"),
        ),
    ),
    "teilhabeteam": (("2000-01-01", _Style(fmt="xlsx")),),
    "wohnraumsicherung": (("2000-01-01", _Style(**_CP)),),
    "ampel_schaltungen": (("2000-01-01", _Style(fmt="xlsx", dates="de", header="title")),),
}
# extra columns a real export carries (the reader ignores them): table -> (column, header)
_EXTRA_COLUMNS = {"jugendhilfe": ("team", "Team")}


# ------------------------------------------------------------------------------------ dates
def _day(s: str) -> int:
    return int(np.datetime64(s, "D").astype(np.int64))


def _ymd(y: int, m: int, d: int) -> int:
    return _day(f"{y:04d}-{m:02d}-{d:02d}")


def _quarter_bounds(y: int, q: int) -> tuple[int, int]:
    start = _ymd(y, 3 * q - 2, 1)
    end = _ymd(y + 1, 1, 1) - 1 if q == 4 else _ymd(y, 3 * q + 1, 1) - 1
    return start, end


def _month_start(d: np.ndarray) -> np.ndarray:
    return (
        np.asarray(d, "datetime64[D]")
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )


def _month_end(d: np.ndarray) -> np.ndarray:
    m = np.asarray(d, "datetime64[D]").astype("datetime64[M]") + 1
    return m.astype("datetime64[D]").astype(np.int64) - 1


def _quarter_index(d: np.ndarray) -> np.ndarray:
    """0 for 2019-Q1 ... 19 for 2023-Q4 (outside: <0 or >19)."""
    m = np.asarray(d, "datetime64[D]").astype("datetime64[M]").astype(np.int64)  # months since 1970
    return (m - (2019 - 1970) * 12) // 3


_HOLIDAYS_BW = ((1, 1), (1, 6), (5, 1), (10, 3), (11, 1), (12, 25), (12, 26))


def _no_workday(d: np.ndarray) -> np.ndarray:
    m = np.asarray(d, "datetime64[D]").astype("datetime64[M]")
    dom = d - m.astype("datetime64[D]").astype(np.int64) + 1
    month = m.astype(np.int64) % 12 + 1
    holiday = np.zeros(d.shape, bool)
    for hm, hd in _HOLIDAYS_BW:
        holiday |= (month == hm) & (dom == hd)
    return ((d + 3) % 7 >= 5) | holiday  # 1970-01-01 was a Thursday


def _workday(d: np.ndarray) -> np.ndarray:
    """Move weekends and fixed holidays (BW) to the working day before (after, when that would
    leave the year)."""
    d = np.asarray(d, np.int64)
    back, fwd = d.copy(), d.copy()
    for _ in range(5):
        back -= _no_workday(back)
        fwd += _no_workday(fwd)
    year = np.asarray(d, "datetime64[D]").astype("datetime64[Y]")
    same = np.asarray(back, "datetime64[D]").astype("datetime64[Y]") == year
    return np.where(same, back, fwd)


def _export_day(rng: np.random.Generator, after: int) -> int:
    """An export date 10-25 days after a Stichtag (the next working day)."""
    d = np.array([after + int(rng.integers(10, 26))])
    for _ in range(5):
        d += _no_workday(d)
    return int(d[0])


# ---------------------------------------------------------------------------------- helpers
def _sysround(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Integerise expected counts along axis 0 (systematic sampling): every cell becomes floor or
    ceil of its value and every column keeps its (rounded) total exactly."""
    x = np.clip(np.asarray(x, float), 0, None)
    squeeze = x.ndim == 1
    if squeeze:
        x = x[:, None]
    tot = np.rint(x.sum(axis=0))
    cum = np.cumsum(x, axis=0)
    last = cum[-1].copy()
    cum = cum * np.divide(tot, last, out=np.zeros_like(last), where=last > 0)
    cum[-1] = tot
    f = np.floor(cum + rng.random(x.shape[1])[None, :])
    out = np.diff(f, axis=0, prepend=0).astype(np.int64)
    return out[:, 0] if squeeze else out


def _alloc(weights: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Split an integer total over cells in proportion to weights (each floor or ceil)."""
    w = np.clip(np.asarray(weights, float), 0, None)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(w.shape, np.int64)
    return _sysround(w / w.sum() * total, rng)


def _choice_codes(rng: np.random.Generator, spec: tuple[tuple[str, float], ...], n: int):
    codes = np.array([c for c, _ in spec], dtype=object)
    p = np.array([w for _, w in spec], float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def _days_in_year(
    rng: np.random.Generator, year: int, n: np.ndarray, season: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """n[g] dates per group spread over the year (stratified, seasonal weights per month)."""
    n = np.asarray(n, np.int64)
    a = _ymd(year, 1, 1)
    days = np.arange(a, _ymd(year + 1, 1, 1))
    month = np.asarray(days, "datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    cdf = np.cumsum(season[month])
    cdf = cdf / cdf[-1]
    g = np.repeat(np.arange(n.size), n)
    k = np.arange(g.size) - np.repeat(np.cumsum(n) - n, n)
    pos = (k + rng.random(g.size)) / np.maximum(n[g], 1)
    idx = np.minimum(np.searchsorted(cdf, pos, side="right"), days.size - 1)
    return g, days[idx]


# ------------------------------------------------------------------------------- geography
@dataclass
class _Geo:
    nr: np.ndarray  # stadtviertel_nr (str)
    sr: np.ndarray  # Sozialraum index per Stadtviertel
    sozialraeume: list[str]
    poverty: np.ndarray
    foreign: np.ndarray
    base: np.ndarray  # relative size (sums to 1)

    @property
    def n(self) -> int:
        return self.nr.size

    def sr_sum(self, w: np.ndarray) -> np.ndarray:
        return np.bincount(self.sr, weights=w, minlength=len(self.sozialraeume))


def _geo() -> _Geo:
    rg = raumgliederung()
    nr = rg["stadtviertel_nr"].to_numpy(dtype=object)
    srs = sorted(rg["sozialraum"].unique())
    sr = np.array([srs.index(s) for s in rg["sozialraum"]])
    base = np.array([_BASE_POP.get(x, 2000) for x in nr], float)
    if set(srs) == set(SOZIALRAEUME_ULM):
        total = _POP_TOTAL[2020]
        target = {s: _SR_POP.get(s, 0.0) for s in srs}
        target["Böfingen"] = total - sum(_SR_POP.values())
        for i, s in enumerate(srs):
            m = sr == i
            base[m] *= target[s] / base[m].sum()
    return _Geo(
        nr=nr,
        sr=sr,
        sozialraeume=srs,
        poverty=np.array([_POVERTY.get(x, 1.0) for x in nr]),
        foreign=np.array([_FOREIGN.get(x, 1.0) for x in nr]),
        base=base / base.sum(),
    )


def _is_ulm(geo: _Geo) -> bool:
    return list(geo.sozialraeume) == list(SOZIALRAEUME_ULM)


# ------------------------------------------------------------------------------ population
def _city_cells_2023() -> np.ndarray:
    """(101 ages, 2 sexes m/w, 2 nationalities deutsch/nichtdeutsch) on 31.12.2023."""
    rows = np.array([[int(v) for v in t.split(",")] for t in _POP_2023.split()], np.int64)
    out = np.zeros((N_AGES, 2, 2), np.int64)
    out[:90, 0, 0], out[:90, 1, 0], out[:90, 0, 1], out[:90, 1, 1] = rows[:90].T
    w = 0.7 ** np.arange(N_AGES - 90)
    rng = np.random.default_rng(0)  # fixed: the 90+ split is part of the reference table
    for j, (s, n) in enumerate(((0, 0), (1, 0), (0, 1), (1, 1))):
        out[90:, s, n] = _alloc(w, int(rows[90, j]), rng)
    return out


def _age_factors(geo: _Geo) -> np.ndarray:
    """(areas, ages) relative age profile of each Stadtviertel."""
    bounds = np.array([0, 18, 30, 65, 80, N_AGES])
    grp = np.searchsorted(bounds, np.arange(N_AGES), side="right") - 1
    eff = np.zeros((geo.n, 5))
    for i in range(geo.n):
        eff[i] += _SR_AGE.get(geo.sozialraeume[geo.sr[i]], (0.0,) * 5)
        eff[i] += _AREA_AGE.get(geo.nr[i], (0.0,) * 5)
    return np.exp(eff[:, grp])


def _population(geo: _Geo, seed: int, scale: float) -> dict[int, np.ndarray]:
    """Per year: counts[area, age, sex (m/w/d), nat (deutsch/nichtdeutsch), mig (nein/ja)]."""
    rng = np.random.default_rng([seed, 1])
    base23 = _city_cells_2023().astype(float)
    foreign23 = base23[:, :, 1].sum()
    german23 = base23[:, :, 0].sum()
    agefac = _age_factors(geo)
    cell_age = np.repeat(np.arange(N_AGES), 4)
    cell_nat = np.tile(np.array([0, 1, 0, 1]), N_AGES)  # cells ordered (age, sex, nat)
    p_mig_de = np.select(
        [
            np.arange(N_AGES) < 18,
            np.arange(N_AGES) < 30,
            np.arange(N_AGES) < 50,
            np.arange(N_AGES) < 65,
        ],
        [0.40, 0.33, 0.26, 0.18],
        0.10,
    )
    mig_area = np.clip(np.sqrt(geo.foreign), 0.5, 1.8)
    growth = np.array([_GROWTH.get(x, 0.0) for x in geo.nr])
    out: dict[int, np.ndarray] = {}
    for y in POP_YEARS:
        total = int(round(_POP_TOTAL[y] * scale))
        cells = base23.copy()
        if y != 2023:
            s = _FOREIGN_SHARE[y]
            cells[:, :, 1] *= s * _POP_TOTAL[y] / foreign23
            cells[:, :, 0] *= (1 - s) * _POP_TOTAL[y] / german23
        if y == 2023 and total == cells.sum():
            t = cells.ravel()  # the yearbook table itself
        else:
            t = _alloc(cells.ravel(), total, rng).astype(float)  # city cell targets
        a = geo.base * (1 + growth) ** (y - 2020)
        a = a / a.sum() * total
        m = a[:, None] * agefac[:, cell_age] * np.where(cell_nat == 1, geo.foreign[:, None], 1.0)
        for _ in range(40):
            cs = m.sum(axis=0)
            m *= np.divide(t, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
            m *= (a / m.sum(axis=1))[:, None]
        cs = m.sum(axis=0)
        m *= np.divide(t, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
        counts = _sysround(m, rng).reshape(geo.n, N_AGES, 2, 2)
        full = np.zeros((geo.n, N_AGES, 3, 2), np.int64)
        full[:, :, :2, :] = counts
        # a handful of people registered as "divers"
        n_d = int(round((3 + y - 2018) * scale))
        elig = np.zeros_like(full, bool)
        elig[:, 18:41, :2, :] = True
        flat = np.flatnonzero(elig.ravel() & (full.ravel() > 0))
        if n_d and flat.size:
            wts = full.ravel()[flat].astype(float)
            pick = rng.choice(flat, size=min(n_d, flat.size), replace=False, p=wts / wts.sum())
            area, age, sex, nat = np.unravel_index(pick, full.shape)
            np.subtract.at(full, (area, age, sex, nat), 1)
            np.add.at(full, (area, age, np.full_like(sex, 2), nat), 1)
        res = np.zeros((geo.n, N_AGES, 3, 2, 2), np.int64)
        res[..., 1, 1] = full[..., 1]  # every foreign national has a migration background
        p = np.clip(p_mig_de[None, :] * mig_area[:, None], 0, 0.9)[:, :, None]
        mig = rng.binomial(full[..., 0], np.broadcast_to(p, full[..., 0].shape))
        res[..., 0, 1] = mig
        res[..., 0, 0] = full[..., 0] - mig
        out[y] = res
    return out


def _pop_stats(pop: np.ndarray) -> dict[str, np.ndarray]:
    by_age = pop.sum(axis=(2, 3, 4))
    return {
        "pop": by_age.sum(axis=1).astype(float),
        "u15": by_age[:, :15].sum(axis=1).astype(float),
        "u18": by_age[:, :18].sum(axis=1).astype(float),
        "a18_64": by_age[:, 18:65].sum(axis=1).astype(float),
        "u65": by_age[:, :65].sum(axis=1).astype(float),
        "o65": by_age[:, 65:].sum(axis=1).astype(float),
        "o80": by_age[:, 80:].sum(axis=1).astype(float),
    }


def _area_weights(geo: _Geo, st: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    pov = geo.poverty
    boost = lambda s, f: np.array([f if x in s else 1.0 for x in geo.nr])  # noqa: E731
    return {
        "jh": st["u18"] * pov**0.8,
        "uma": st["pop"] * boost(_UMA_FACILITIES, 12.0),
        "egh": st["a18_64"] * (0.7 + 0.3 * np.sqrt(pov)),
        "egh_bw": st["pop"] * boost(_EGH_FACILITIES, 4.0),
        "hlu": st["a18_64"] * pov,
        "gsi": (st["o65"] + 0.35 * st["a18_64"]) * pov,
        "old": st["o80"] * (0.6 + 0.4 * np.sqrt(pov)),
        "care": st["o80"] * boost(_CARE_HOMES, 5.0),
        "ws": st["pop"] * pov,
        "ah": st["o80"],
    }


# -------------------------------------------------------------------------- count tables
def _bevoelkerung_frame(geo: _Geo, year: int, pop: np.ndarray) -> pd.DataFrame:
    idx = np.nonzero(pop)
    a, age, sex, nat, mig = idx
    return pd.DataFrame(
        {
            "stichtag": np.full(a.size, _ymd(year, 12, 31)),
            "stadtviertel_nr": geo.nr[a],
            "alter": age,
            "geschlecht": np.array(["m", "w", "d"], dtype=object)[sex],
            "staatsangehoerigkeit": np.array(["deutsch", "nichtdeutsch"], dtype=object)[nat],
            "migrationshintergrund": mig.astype(bool),
            "anzahl": pop[idx],
        }
    )


def _haushalte_frame(geo: _Geo, year: int, st: dict[str, np.ndarray], rng) -> pd.DataFrame:
    size = np.full(geo.n, 1.9)
    for i, x in enumerate(geo.nr):
        srn = geo.sozialraeume[geo.sr[i]]
        if x in _ORTSCHAFTEN:
            size[i] = 2.3
        elif x == "154":
            size[i] = 1.35
        elif srn == "Mitte/Ost":
            size[i] = 1.65
        elif srn == "Böfingen":
            size[i] = 2.05
        elif srn == "Eselsberg":
            size[i] = 1.85
    size *= 1 + 0.05 * (geo.poverty - 1).clip(-0.5, 1.0)
    hh = st["pop"] / size
    hh *= st["pop"].sum() / 1.9 / hh.sum()  # city average 1.9 persons per household
    kids = np.minimum(st["u18"] / 1.7, 0.6 * hh)
    r_ae = np.clip(0.33 * geo.poverty**0.3, 0.2, 0.5)
    ae = kids * r_ae
    smk = kids * 0.07
    pmk = kids - ae - smk
    rest = hh - kids
    single = np.where(np.isin(geo.nr, list(_ORTSCHAFTEN)), 0.40, 0.56)
    single = np.where(geo.nr == "154", 0.78, single)
    single = np.where(np.array([geo.sozialraeume[s] == "Mitte/Ost" for s in geo.sr]), 0.63, single)
    ein = rest * single
    soK = rest * 0.07
    poK = rest - ein - soK
    mat = np.stack([ein, poK, pmk, ae, soK, smk], axis=1)
    cnt = np.floor(mat + rng.random(mat.shape)).astype(np.int64)
    types = np.array(TABLES["haushalte"].column("haushaltstyp").codes, dtype=object)
    a, t = np.nonzero(cnt >= 0)
    return pd.DataFrame(
        {
            "stichtag": np.full(a.size, _ymd(year, 12, 31)),
            "stadtviertel_nr": geo.nr[a],
            "haushaltstyp": types[t],
            "anzahl": cnt[a, t],
        }
    )


def _transfer_frames(
    geo: _Geo, pops: dict[int, np.ndarray], seed: int, scale: float
) -> list[tuple[int, pd.DataFrame]]:
    rng = np.random.default_rng([seed, 3])
    pov = geo.poverty
    refugee = np.array([_REFUGEE_HOUSING.get(x, 0.4) for x in geo.nr])
    refugee = np.where(np.isin(geo.nr, list(_ORTSCHAFTEN)), 0.15, refugee)
    drift = {k: np.zeros(geo.n) for k in _TRANSFER}
    out = []
    for qi, (y, q) in enumerate(QUARTERS):
        st = _pop_stats(pops[y])
        base = {
            # pov**1: Mähringer Weg about 4 times the city's SGB-II-Quote, the Ortschaften a
            # quarter of it (demo_sozialindex: the Sozialindex needs a realistic spread)
            "sgb2": st["u65"] * pov * trend_faktor(geo.nr, y, q),
            "wohngeld": st["pop"] * (0.5 + 0.5 * pov) * (1 + 0.6 * st["o65"] / st["pop"].clip(1)),
            "asylblg": st["pop"] * refugee,
        }
        rows = []
        for leistung, series in _TRANSFER.items():
            drift[leistung] = 0.85 * drift[leistung] + rng.normal(0, 0.03, geo.n)
            w = base[leistung] * np.exp(drift[leistung])
            oz = 0.004 if leistung == "sgb2" else 0.0
            total = int(round(series[qi] * scale))
            w = np.append(w / w.sum() * (1 - oz), oz)
            n = _alloc(w, total, rng)
            nr = np.append(geo.nr, "")
            keep = (n > 0) | (nr != "")
            rows.append(
                pd.DataFrame(
                    {
                        "stichtag": _quarter_bounds(y, q)[1],
                        "stadtviertel_nr": nr[keep],
                        "leistung": leistung,
                        "personen": n[keep],
                    }
                )
            )
        out.append((qi, pd.concat(rows, ignore_index=True)))
    return out


# ----------------------------------------------------------------------- case histories
@dataclass
class _Fix:
    groups: np.ndarray
    day: int
    target: int
    v_exact: bool = True  # the fix must not change any yearly "im Verlauf" count


def _simulate_cases(
    rng: np.random.Generator,
    v_plan: np.ndarray,
    mean_days: np.ndarray,
    shape: np.ndarray,
    fixes: list[_Fix],
    season: np.ndarray,
    monthly: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Case histories (group, beginn, ende as day numbers) such that the cases in the course of
    year y (beginn <= 31.12., ende >= 01.01.) number exactly ``v_plan[g, y]`` per group (as long
    as the carried-in cases do not exceed it) and the stocks named in ``fixes`` are exact."""
    n_groups = v_plan.shape[0]
    theta = mean_days / shape
    t0 = _ymd(SIM_START, 1, 1)
    l0 = np.rint(v_plan[:, 0] * mean_days / (mean_days + 365)).astype(np.int64)
    g = np.repeat(np.arange(n_groups), l0)
    length = rng.gamma(shape[g] + 1, theta[g])  # length-biased: the stock on 01.01.
    age = rng.random(g.size) * length
    b = t0 - 1 - np.floor(age).astype(np.int64)
    e = np.maximum(b + np.maximum(1, np.rint(length)).astype(np.int64), t0)
    if monthly:
        b, e = _month_start(b), _month_end(e)
    for yi, y in enumerate(SIM_YEARS):
        a_day = _ymd(y, 1, 1)
        carry = (b < a_day) & (e >= a_day)
        c = np.bincount(g[carry], minlength=n_groups)
        n_new = np.maximum(v_plan[:, yi] - c, 0)
        ng, nb = _days_in_year(rng, y, n_new, season)
        ne = nb + np.maximum(1, np.rint(rng.gamma(shape[ng], theta[ng]))).astype(np.int64)
        if monthly:
            nb, ne = _month_start(nb), _month_end(ne)
        g, b, e = np.concatenate([g, ng]), np.concatenate([b, nb]), np.concatenate([e, ne])
        for fx in fixes:
            if a_day <= fx.day <= _ymd(y, 12, 31):
                _fix_stock(rng, g, b, e, fx, a_day, theta, shape, monthly)
    return g, b, e


def _fix_stock(rng, g, b, e, fx: _Fix, a_day: int, theta, shape, monthly: bool) -> None:
    """Set the stock of fx.groups on fx.day to fx.target by moving the ende of a few cases that
    are in the course of the year anyway (no yearly count changes)."""
    s = fx.day
    in_g = np.isin(g, fx.groups)
    running = in_g & (b <= s) & (e >= s)
    d = fx.target - int(running.sum())
    if d > 0:
        cand = np.flatnonzero(in_g & (e >= a_day) & (e < s))
        if cand.size < d and not fx.v_exact:
            extra = np.flatnonzero(in_g & (e < a_day) & (e >= a_day - 365))
            cand = np.concatenate([cand, extra])
        if cand.size < d:
            raise RuntimeError("Demo: zu wenige Fälle, um den Bestand am Stichtag zu setzen")
        pick = rng.choice(cand, size=d, replace=False)
        new = s + 1 + np.rint(rng.gamma(shape[g[pick]], theta[g[pick]])).astype(np.int64)
        e[pick] = _month_end(new) if monthly else new
    elif d < 0:
        limit = _month_start(np.array([s]))[0] if monthly else s
        cand = np.flatnonzero(running & (np.maximum(b, a_day) < limit))
        if cand.size < -d:
            raise RuntimeError("Demo: zu wenige Fälle, um den Bestand am Stichtag zu setzen")
        pick = rng.choice(cand, size=-d, replace=False)
        lo = np.maximum(b[pick], a_day)
        new = lo + np.floor(rng.random(pick.size) * (limit - lo)).astype(np.int64)
        e[pick] = _month_end(new) if monthly else new


def _sr_shares(geo: _Geo, w: np.ndarray, oz: float) -> np.ndarray:
    s = geo.sr_sum(w)
    return np.append(s / s.sum() * (1 - oz), oz)


def _assign_areas(rng, geo: _Geo, sr_of: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A Stadtviertel for every record of Sozialraum sr_of (index == len(srs): no address)."""
    out = np.full(sr_of.size, "", dtype=object)
    for i in range(len(geo.sozialraeume)):
        idx = np.flatnonzero(sr_of == i)
        areas = np.flatnonzero(geo.sr == i)
        if idx.size:
            p = w[areas] / w[areas].sum()
            out[idx] = geo.nr[areas[rng.choice(areas.size, size=idx.size, p=p)]]
    return out


def _ids(prefix: str, beginn: np.ndarray, rng) -> np.ndarray:
    order = np.lexsort((rng.random(beginn.size), beginn))
    num = np.empty(beginn.size, np.int64)
    num[order] = np.arange(1, beginn.size + 1) + 100
    width = max(6, len(str(num.max() if num.size else 0)))
    return np.char.add(f"{prefix}-", np.char.zfill(num.astype(str), width)).astype(object)


def _year_table(
    tab: dict[int, tuple], geo: _Geo, scale: float, weights: np.ndarray, oz: float, rng
) -> dict[int, np.ndarray]:
    """Per-year counts for the five Sozialräume + ohne Zuordnung (scaled / other cities)."""
    out = {}
    for y, row in tab.items():
        arr = np.array(row, float)
        if _is_ulm(geo) and scale == 1:
            out[y] = arr.astype(np.int64)
        else:
            total = int(round(arr.sum() * scale))
            if _is_ulm(geo):
                out[y] = _alloc(arr, total, rng)
            else:
                out[y] = _alloc(_sr_shares(geo, weights, oz), total, rng)
    return out


def _jugendhilfe(geo, w, seed, scale):
    rng = np.random.default_rng([seed, 10])
    n_sr = len(geo.sozialraeume) + 1
    verlauf = _year_table(_HZE_VERLAUF, geo, scale, w["jh"], 0.01, rng)
    v19 = verlauf[2019]
    for y, f in _HZE_BEFORE.items():
        verlauf[y] = np.rint(v19 * f).astype(np.int64)
    uma_sh = _sr_shares(geo, w["uma"], 0.0)
    # groups: uma (0/1) x setting (0 amb, 1 stat) x Sozialraum (incl. ohne Zuordnung)
    v_plan = np.zeros((4 * n_sr, len(SIM_YEARS)), np.int64)
    stat_share = np.array(_HZE_STAT_SHARE if _is_ulm(geo) else (0.2,) * n_sr)
    for yi, y in enumerate(SIM_YEARS):
        share = stat_share.copy()
        if y == 2023 and _is_ulm(geo):
            for s, v in _JH_STAT_SHARE_2023.items():
                share[_SR_INDEX[s]] = v
        stat = np.rint(verlauf[y] * share).astype(np.int64)
        v_plan[0:n_sr, yi] = verlauf[y] - stat
        v_plan[n_sr : 2 * n_sr, yi] = stat
        us, ua = _UMA_VERLAUF[y]
        v_plan[2 * n_sr : 3 * n_sr, yi] = _alloc(uma_sh, int(round(ua * scale)), rng)
        v_plan[3 * n_sr : 4 * n_sr, yi] = _alloc(uma_sh, int(round(us * scale)), rng)
    mean = np.repeat([450.0, 620.0, 300.0, 700.0], n_sr)
    shape = np.repeat([3.5, 3.0, 2.0, 2.5], n_sr)
    s_day = _ymd(2021, 12, 31)
    sc = lambda v: int(round(v * scale))  # noqa: E731
    fixes = [
        _Fix(np.arange(0, n_sr), s_day, sc(425)),
        _Fix(np.arange(n_sr, 2 * n_sr), s_day, sc(123)),
        _Fix(np.arange(2 * n_sr, 3 * n_sr), s_day, sc(5), v_exact=False),
        _Fix(np.arange(3 * n_sr, 4 * n_sr), s_day, sc(19), v_exact=False),
    ]
    g, b, e = _simulate_cases(rng, v_plan, mean, shape, fixes, _SEASON_JH)
    keep = e >= _ymd(2019, 1, 1)
    g, b, e = g[keep], b[keep], e[keep]
    uma = g >= 2 * n_sr
    stat = (g // n_sr) % 2 == 1
    sr = g % n_sr
    n = g.size
    para = np.empty(n, dtype=object)
    for m, spec in (
        (~uma & ~stat, _PARAGRAPH_AMB),
        (~uma & stat, _PARAGRAPH_STAT),
        (uma & ~stat, _PARAGRAPH_UMA_AMB),
        (uma & stat, _PARAGRAPH_UMA_STAT),
    ):
        para[m] = _choice_codes(rng, spec, int(m.sum()))
    nr = np.empty(n, dtype=object)
    nr[~uma] = _assign_areas(rng, geo, sr[~uma], w["jh"])
    nr[uma] = _assign_areas(rng, geo, sr[uma], w["uma"])
    team = np.array([f"SRT {s}" for s in geo.sozialraeume] + ["Zentrale Dienste"], dtype=object)[sr]
    return pd.DataFrame(
        {
            "fall_id": _ids("JH", b, rng),
            "paragraph": para,
            "setting": np.where(stat, "stationaer", "ambulant").astype(object),
            "uma": uma,
            "beginn": b,
            "ende": np.where(e > _ymd(2030, 1, 1), OPEN, e),
            "stadtviertel_nr": nr,
            "team": team,
        }
    )


def _stream_cases(streams, geo, w, seed, scale, key, monthly):
    rng = np.random.default_rng([seed, key])
    n_sr = len(geo.sozialraeume) + 1
    years = np.array(SIM_YEARS)
    v_plan = np.zeros((len(streams) * n_sr, years.size), np.int64)
    mean = np.repeat([s.mean_days for s in streams], n_sr)
    shape = np.repeat([s.shape for s in streams], n_sr)
    fixes = []
    for k, s in enumerate(streams):
        stock = np.array(s.stock, float) * scale
        growth = (stock[2] / stock[0]) ** 0.5
        path = {
            y: stock[y - 2019] if y >= 2019 else stock[0] * growth ** (y - 2019)
            for y in range(SIM_START - 1, 2024)
        }
        sh = _sr_shares(geo, w[s.weights], 0.006)
        for yi, y in enumerate(SIM_YEARS):
            mid = 0.5 * (path[y - 1] + path[y])
            v = mid * (1 + 365 / s.mean_days)
            vs = sh * v
            if y == 2023 and _is_ulm(geo):
                for (code, setting, srn), f in _BOOST_2023.items():
                    if code == s.code and setting == s.setting:
                        vs[_SR_INDEX[srn]] *= f
            v_plan[k * n_sr : (k + 1) * n_sr, yi] = _sysround(vs, rng)
        fixes.append(
            _Fix(
                np.arange(k * n_sr, (k + 1) * n_sr),
                _ymd(2021, 12, 31),
                int(round(s.stock[2] * scale)),
                v_exact=False,
            )
        )
    g, b, e = _simulate_cases(rng, v_plan, mean, shape, fixes, _SEASON_FLAT, monthly=monthly)
    keep = e >= _ymd(2019, 1, 1)
    g, b, e = g[keep], b[keep], e[keep]
    k, sr = g // n_sr, g % n_sr
    nr = np.empty(g.size, dtype=object)
    for j, s in enumerate(streams):
        m = k == j
        nr[m] = _assign_areas(rng, geo, sr[m], w[s.weights])
    codes = np.array([s.code for s in streams], dtype=object)[k]
    settings = np.array([s.setting for s in streams], dtype=object)[k]
    return rng, g, b, np.where(e > _ymd(2030, 1, 1), OPEN, e), nr, codes, settings


def _sozialhilfe(geo, w, seed, scale):
    rng, _, b, e, nr, codes, settings = _stream_cases(_SOZIALHILFE, geo, w, seed, scale, 11, True)
    return pd.DataFrame(
        {
            "fall_id": _ids("SH", b, rng),
            "leistung": codes,
            "setting": settings,
            "beginn": b,
            "ende": e,
            "stadtviertel_nr": nr,
        }
    )


def _fallmanagement(geo, w, seed, scale):
    rng, _, b, e, nr, codes, _s = _stream_cases(_FALLMANAGEMENT, geo, w, seed, scale, 12, False)
    return pd.DataFrame(
        {
            "fall_id": _ids("FM", b, rng),
            "bereich": codes,
            "beginn": b,
            "ende": e,
            "stadtviertel_nr": nr,
        }
    )


# ------------------------------------------------------------------------------- events
def _hilfen_vor_dem_fall(geo, w, seed, scale):
    rng = np.random.default_rng([seed, 20])
    tab = _year_table(_HVDF, geo, scale, w["jh"], 0.008, rng)
    names = np.array([*geo.sozialraeume, ""], dtype=object)
    parts = []
    for y in YEARS:
        season = _SEASON_EVENTS.copy()
        if y == 2020:
            season[3:5] = (0.7, 0.8)  # first lockdown
        g, d = _days_in_year(rng, y, tab[y], season)
        parts.append(pd.DataFrame({"beginn": _workday(d), "sozialraum": names[g]}))
    df = pd.concat(parts, ignore_index=True)
    df.insert(0, "beratung_id", _ids("HV", df["beginn"].to_numpy(), rng))
    return df


def _beratungen_altenhilfe(geo, w, seed, scale):
    rng = np.random.default_rng([seed, 21])
    parts = []
    for y in YEARS:
        n = int(round(_AH_BERATUNGEN[y] * scale))
        _, d = _days_in_year(rng, y, np.array([n]), _SEASON_EVENTS)
        verm = np.zeros(n, bool)
        verb = np.zeros(n, bool)
        order = rng.permutation(n)
        n_verm = int(round(_AH_VERMEIDUNG[y] * scale))
        verm[order[:n_verm]] = True
        verb[order[: int(round(_AH_VERBLEIB[y] * scale))]] = True  # a subset of vermeidung
        parts.append(
            pd.DataFrame(
                {
                    "datum": _workday(d),
                    "vermeidung_stationaer": verm,
                    "verbleib_haeuslichkeit": verb,
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    sr = rng.choice(
        len(_sr_shares(geo, w["ah"], 0.01)), size=len(df), p=_sr_shares(geo, w["ah"], 0.01)
    )
    df.insert(1, "stadtviertel_nr", _assign_areas(rng, geo, sr, w["ah"]))
    df.insert(0, "beratung_id", _ids("AB", df["datum"].to_numpy(), rng))
    return df[TABLES["beratungen_altenhilfe"].column_names]


def _teilhabeteam(geo, w, seed, scale):
    rng = np.random.default_rng([seed, 22])
    n_sr = len(geo.sozialraeume)
    base = np.array(_TT_BASE if _is_ulm(geo) else (20,) * n_sr, float)
    off = np.array(_TT_OFFSET if _is_ulm(geo) else (0.0,) * n_sr)
    names = np.array([*geo.sozialraeume, ""], dtype=object)
    codes = np.array(["institutionell", "institutionell_und_nahfeld", "nahfeld"], dtype=object)
    parts = []
    for qi, (y, q) in enumerate(QUARTERS[7:]):  # collected since 2020-Q4
        a, z = _quarter_bounds(y, q)
        lam = np.append(base * (1 + 0.01 * qi), 0.6) * scale
        n = rng.poisson(lam)
        p = np.clip(0.815 + off + 0.0075 * qi + rng.normal(0, 0.015, n_sr), 0.78, 0.96)
        sr = np.repeat(np.arange(n_sr + 1), n)
        res = np.zeros(sr.size, np.int64)
        start = np.cumsum(n) - n
        for i in range(n_sr + 1):
            m = n[i]
            n_nah = int(round((p[i] if i < n_sr else 0.85) * m))
            r = np.zeros(m, np.int64)
            r[:n_nah] = np.where(rng.random(n_nah) < 0.72, 1, 2)
            res[start[i] : start[i] + m] = rng.permutation(r)
        d = _workday(a + np.floor(rng.random(sr.size) * (z - a + 1)).astype(np.int64))
        parts.append(pd.DataFrame({"datum": d, "sozialraum": names[sr], "ressourcen": codes[res]}))
    df = pd.concat(parts, ignore_index=True).sort_values("datum", kind="stable")
    df.insert(0, "beratung_id", _ids("TT", df["datum"].to_numpy(), rng))
    return df.reset_index(drop=True)


def _wohnraumsicherung(geo, w, seed, scale):
    rng = np.random.default_rng([seed, 23])
    parts = []
    for art, tab in _WS.items():
        for y in YEARS:
            n = int(round(tab[y] * scale))
            _, d = _days_in_year(rng, y, np.array([n]), _SEASON_EVENTS)
            parts.append(
                pd.DataFrame(
                    {
                        "datum": _workday(d),
                        "art": art,
                        "meldende_stelle": _choice_codes(rng, _WS_STELLE[art], n),
                    }
                )
            )
    df = pd.concat(parts, ignore_index=True).sort_values("datum", kind="stable")
    sh = _sr_shares(geo, w["ws"], 0.01)
    sr = rng.choice(sh.size, size=len(df), p=sh)
    df["stadtviertel_nr"] = _assign_areas(rng, geo, sr, w["ws"])
    df.insert(0, "meldung_id", _ids("WS", df["datum"].to_numpy(), rng))
    return df.reset_index(drop=True)


# ---------------------------------------------------------------------- export cutting
def _case_exports(df: pd.DataFrame, stands: list[int]) -> list[pd.DataFrame]:
    """Each quarter's export: the cases active in the quarter, as known on its export date."""
    out = []
    b = df["beginn"].to_numpy()
    e = df["ende"].to_numpy()
    for (y, q), stand in zip(QUARTERS, stands, strict=True):
        a, z = _quarter_bounds(y, q)
        m = (b <= z) & (e >= a)
        part = df[m].copy()
        part["ende"] = np.where(e[m] <= stand, e[m], OPEN)
        out.append(part.sort_values("fall_id"))
    return out


def _event_exports(df: pd.DataFrame, date_col: str, rng, first_q: int, corrupt) -> list:
    """Each quarter's export: the quarter's events; ~0.5 % delivered one export late and ~1 %
    delivered with an error and corrected (same id) in the next export."""
    qi = _quarter_index(df[date_col].to_numpy())
    last = len(QUARTERS) - 1
    u = rng.random(len(df))
    late = (u < 0.005) & (qi < last)
    corr = (u >= 0.005) & (u < 0.015) & (qi < last)
    deliver = qi + late
    out = []
    for q in range(first_q, len(QUARTERS)):
        normal = df[(deliver == q) & ~corr]
        wrong = corrupt(df[(qi == q) & corr].copy())
        fixed = df[(qi == q - 1) & corr]
        out.append(pd.concat([normal, wrong, fixed]).sort_values(date_col, kind="stable"))
    return out


# ------------------------------------------------------------------------------- writing
def _style(table: str, stand: int) -> _Style:
    chosen = _STYLES[table][0][1]
    for since, st in _STYLES[table]:
        if stand >= _day(since):
            chosen = st
    return chosen


def _fmt_days(days: np.ndarray, style: str) -> np.ndarray:
    days = np.asarray(days, np.int64)
    out = np.full(days.size, "", dtype=object)
    ok = (days > -(10**6)) & (days < OPEN)
    if ok.any():
        lo, hi = days[ok].min(), days[ok].max()
        iso = np.datetime_as_string(np.arange(lo, hi + 1).astype("datetime64[D]"))
        if style == "de":
            lookup = np.array([f"{s[8:10]}.{s[5:7]}.{s[:4]}" for s in iso], dtype=object)
        else:
            lookup = iso.astype(object)
        out[ok] = lookup[days[ok] - lo]
    return out


def _render(table: str, df: pd.DataFrame, st: _Style) -> pd.DataFrame:
    spec = TABLES[table]
    extra = _EXTRA_COLUMNS.get(table)
    cols = spec.column_names + ([extra[0]] if extra else [])
    out = {}
    for c in cols:
        v = df[c].to_numpy()
        kind = spec.column(c).kind if c in spec.column_names else "text"
        if kind == "date":
            out[c] = _fmt_days(v, st.dates)
        elif kind == "bool":
            out[c] = np.where(v.astype(bool), st.bools[0], st.bools[1]).astype(object)
        elif kind in ("int", "count"):
            out[c] = v.astype(np.int64)
        else:
            out[c] = v
    res = pd.DataFrame(out)
    names = {"upper": str.upper, "title": _title, "lower": str.lower}[st.header]
    res.columns = [extra[1] if extra and c == extra[0] else names(c) for c in cols]
    return res


def _title(name: str) -> str:
    return "_".join(
        p.upper() if p in ("id", "uma", "nr") else p.capitalize() for p in name.split("_")
    )


def _write(out: Path, table: str, stand: int, df: pd.DataFrame) -> Path:
    st = _style(table, stand)
    frame = _render(table, df, st)
    date = np.datetime_as_string(np.datetime64(stand, "D"))
    path = out / f"{table}_{date}.{st.fmt}"
    if st.fmt == "xlsx":
        path.write_bytes(_xlsx_bytes(frame, stand))
    else:
        text = frame.to_csv(sep=st.sep, index=False, lineterminator=st.eol)
        path.write_bytes(text.encode(st.encoding))
    return path


def _col_letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _sheet_xml(frame: pd.DataFrame) -> bytes:
    """The worksheet XML (inline strings, numbers as numbers), built column-wise with numpy:
    openpyxl's cell-by-cell writer is far too slow for the big exports at scale 30."""
    n = len(frame)
    rows = pd.Series(np.arange(2, n + 2).astype(str), dtype=object)
    cells = pd.Series(np.full(n, "", dtype=object))
    header = []
    for j, col in enumerate(frame.columns):
        ref = _col_letter(j)
        header.append(f'<c r="{ref}1" t="inlineStr"><is><t>{_xml_escape(str(col))}</t></is></c>')
        v = frame[col]
        if pd.api.types.is_integer_dtype(v.dtype):
            cell = f'<c r="{ref}' + rows + '"><v>' + v.astype(str).astype(object) + "</v></c>"
        else:
            text = v.astype(str).astype(object)
            esc = (
                text.str.replace("&", "&amp;", regex=False)
                .str.replace("<", "&lt;", regex=False)
                .str.replace(">", "&gt;", regex=False)
            )
            cell = (
                f'<c r="{ref}' + rows + '" t="inlineStr"><is><t>' + esc + "</t></is></c>"
            ).where(text != "", "")
        cells = cells + cell.to_numpy()
    body = ('<row r="' + rows + '">' + cells + "</row>").str.cat()
    last = f"{_col_letter(max(len(frame.columns), 1) - 1)}{n + 1}"
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}"/><sheetData><row r="1">{"".join(header)}</row>'
        f"{body if n else ''}</sheetData></worksheet>"
    )
    return xml.encode("utf-8")


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xlsx_bytes(frame: pd.DataFrame, stand: int) -> bytes:
    """XLSX (package by openpyxl, sheet data by :func:`_sheet_xml`) with fixed document dates and
    zip timestamps, so the bytes are identical on every run."""
    from datetime import datetime

    from openpyxl import Workbook

    when = datetime.fromisoformat(str(np.datetime64(stand, "D"))).replace(hour=7, minute=30)
    wb = Workbook()
    wb.active.title = "Export"
    wb.properties.creator = "Stadt Ulm, Abteilung Soziales"
    wb.properties.created = when
    raw = io.BytesIO()
    wb.save(raw)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            elif info.filename == "xl/worksheets/sheet1.xml":
                data = _sheet_xml(frame)
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    return fixed.getvalue()


# ---------------------------------------------------------------------------- corruption
def _corrupt_sozialraum(df: pd.DataFrame) -> pd.DataFrame:
    df["sozialraum"] = ""  # Zuordnung nachgetragen
    return df


def _corrupt_ah(df: pd.DataFrame) -> pd.DataFrame:
    df["verbleib_haeuslichkeit"] = False  # outcome only known later
    return df


def _corrupt_ws(df: pd.DataFrame) -> pd.DataFrame:
    df["meldende_stelle"] = np.where(df["art"] == "mietschulden", "dritte", "uws")
    return df


def _corrupt_tt(df: pd.DataFrame) -> pd.DataFrame:
    df["ressourcen"] = "institutionell"
    return df


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


def build_truth(seed: int = 2023, scale: float = 1.0) -> dict[str, object]:
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


def _verify(truth: dict[str, object]) -> None:
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
    bad = {k: (got[k], v) for k, v in CALIBRATION.items() if got.get(k) != v}
    if bad:
        raise RuntimeError(f"Demo-Kalibrierung verfehlt: {bad}")


def write_demo(out: Path, seed: int = 2023, scale: float = 1.0) -> list[Path]:
    """Write the demo exports into `out` (created if missing); refuse (raise FileExistsError with a
    German message) if `out` exists and is not empty — except that a folder holding only
    README.md / .gitkeep counts as empty. Returns the files written."""
    out = Path(out)
    _check_empty(out)
    if not scale > 0:
        raise ValueError(f"scale muss größer als 0 sein, nicht {scale}")
    truth = build_truth(seed, scale)
    geo: _Geo = truth["geo"]  # type: ignore[assignment]
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

    ampel = pd.DataFrame(list(_AMPEL_SCHALTUNGEN), columns=TABLES["ampel_schaltungen"].column_names)
    ampel["geschaltet_am"] = [_day(d) for d in ampel["geschaltet_am"]]
    written.append(_write(out, "ampel_schaltungen", _day(_AMPEL_STAND), ampel))
    return sorted(written)
