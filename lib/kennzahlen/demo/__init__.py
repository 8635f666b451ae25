"""Demo deliveries: deterministic raw exports of Ulm's departments, 2019 to 2023.

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

from kennzahlen.demo.daten import CALIBRATION
from kennzahlen.demo.erzeugen import build_truth, write_demo

__all__ = [
    "CALIBRATION",
    "build_truth",
    "write_demo",
]
