"""The demo city's calibration data (constants only; the code is in the other modules)."""

from __future__ import annotations

import numpy as np

from kennzahlen.demo.modell import Kodierung, _Stream, _Style

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

# the SGB II parts (demo/sozialindex.py): yearly log change of a Stadtviertel's SGB II weight
# from 2021 on (negative: improving), so that the Sozialindex's Dynamik has something to find
SGB2_TREND: dict[str, float] = {
    "188": -0.16,  # Tannenplatz Mitte: a new building, families move out of SGB II
    "131": -0.10,  # Braunland
    "151": 0.14,  # Eselsberg Mitte: a large landlord's estate turns over
    "143": 0.12,  # Südliche Wagnerstraße
    "180": 0.08,  # Alt-Wiblingen
}
SGB2_TREND_START = 2021
#: share of the SGB II people who are children under 15 (city) and unemployed
SGB2_U15_ANTEIL = 0.30
SGB2_ARBEITSLOS_ANTEIL = 0.28

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


_CP: Kodierung = {"encoding": "cp1252", "eol": "\r\n"}
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
    # the steering deliveries (kennzahlen.demo.steuerung): typed by hand in Excel, or exported
    "erlaeuterungen": (("2000-01-01", _Style(fmt="xlsx", dates="de", header="title")),),
    "massnahmen": (("2000-01-01", _Style(dates="de", **_CP)),),
    "personal": (("2000-01-01", _Style(dates="de", decimal=",", header="title", **_CP)),),
    # the comparison ring's table, saved from Excel as German CSV (kennzahlen.demo.vergleich)
    "vergleichswerte": (("2000-01-01", _Style(decimal=",", **_CP)),),
    # the finance system (Haushalt, Ist-Ergebnis): amounts with a decimal comma
    "ausgaben": (("2000-01-01", _Style(decimal=",", header="title", **_CP)),),
}
# extra columns a real export carries (the reader ignores them): table -> (column, header)
_EXTRA_COLUMNS = {"jugendhilfe": ("team", "Team")}


_HOLIDAYS_BW = ((1, 1), (1, 6), (5, 1), (10, 3), (11, 1), (12, 25), (12, 26))
