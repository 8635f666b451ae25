"""Kennzahlen that change over time: Zielwert and definition with gueltig_ab, added/dropped
Kennzahlen (kennzahlen.catalog.versionen), and how Produkt 3 shows them. Hand-computed."""

from __future__ import annotations

import importlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kennzahlen.catalog.geography import sozialraeume  # noqa: E402
from kennzahlen.catalog.model import CatalogError, load_catalog, validate_catalog  # noqa: E402
from kennzahlen.core.schema import GESAMTSTADT  # noqa: E402
from kennzahlen.products import wirkung  # noqa: E402
from kennzahlen.products.wirkung import brueche as versionen

#: the module (its name in the package is the function wirkung.matrix)
wirkung_matrix = importlib.import_module("kennzahlen.products.wirkung.matrix")


def nb(text: str) -> str:
    """German percent signs come with a no-break space; compare with a plain one."""
    return text.replace("\xa0", " ")


HEAD = """basiszahlen:
  tt: {tabelle: teilhabeteam, regel: ereignisse}
kennzahlen:
"""


def kennzahl(**felder):
    spec = {
        "id": "k",
        "titel": "K",
        "periodizitaet": "jahr",
        "einheit": "anteil",
        "richtung": "hoeher_besser",
        "zaehler": "tt",
        "nenner": "tt",
        **felder,
    }
    cat, problems = validate_catalog(
        {
            "basiszahlen": {"tt": {"tabelle": "teilhabeteam", "regel": "ereignisse"}},
            "kennzahlen": [spec],
        }
    )
    assert problems == []
    return cat.get("k")


def test_a_year_is_judged_against_the_zielwert_of_that_year() -> None:
    k = kennzahl(
        zielwert=0.80,
        zielwerte=[{"gueltig_ab": 2023, "wert": 0.85}, {"gueltig_ab": 2025, "wert": None}],
    )
    assert [k.zielwert_im(j) for j in (2021, 2022, 2023, "2024", "2024-Q2", 2025)] == [
        0.80,
        0.80,
        0.85,
        0.85,
        0.85,
        None,
    ]
    # 0.83: met in 2022 (Zielwert 80 %), missed in 2023 (85 %), not judged from 2025 (no Zielwert)
    assert wirkung.erreicht(k, 0.83, "2022") is True
    assert wirkung.erreicht(k, 0.83, "2023") is False
    assert wirkung.erreicht(k, 0.83, "2025") is None
    assert k.zielwert_seit("2023") == 2023 and k.zielwert_seit("2022") is None


def test_a_zielwert_set_later_never_judges_an_earlier_year() -> None:
    k = kennzahl(zielwerte=[{"gueltig_ab": 2024, "wert": 0.5}])
    assert k.hat_zielwert and k.zielwert_im(2021) is None
    assert wirkung.erreicht(k, 0.1, "2021") is None
    assert wirkung_matrix._status(k, 0.1, "2021") == "ohne Zielwert"
    assert wirkung_matrix._status(k, 0.1, "2024") == "nicht erreicht"


def test_the_shipped_nahfeld_kennzahl_2022_and_2023() -> None:
    """The demo's change: 90 % until 2022, 85 % from 2023 (after the definition of 2022-Q3)."""
    k = load_catalog().get("egh_z2_anteil_nahfeld")
    werte = pd.Series({GESAMTSTADT: 0.862, **dict.fromkeys(sozialraeume(), 0.88)})
    satz22 = nb(wirkung.aussage(k, "2022", werte))
    assert satz22.startswith(
        "Im Jahr 2022 wurde der Zielwert von 90 % für die Gesamtstadt mit 86,2 % unterschritten"
    )
    werte[GESAMTSTADT] = 0.896
    satz23 = nb(wirkung.aussage(k, "2023", werte))
    # the value as its table shows it (one decimal); the new Zielwert in one pair of brackets
    assert satz23.startswith(
        "Im Jahr 2023 wurde der Zielwert von 85 % (neu seit 2023, bis 2022: 90 %) für die "
        "Gesamtstadt mit 89,6 % erreicht; alle Sozialräume erfüllten den Zielwert."
    )
    assert k.definition_im("2022-Q2") == k.definition
    assert k.definition_im("2022") != k.definition  # 2022-Q4: the new one
    assert [b.quartal for b in k.brueche()] == ["2022-Q3"]
    assert k.brueche(bis="2022-Q2") == []


def test_sentences_and_chart_mark_the_break(tmp_path: Path) -> None:
    k = load_catalog().get("egh_z2_anteil_nahfeld")
    saetze = [nb(t) for t in versionen.bruch_saetze(k, ["2021", "2022", "2023"])]
    assert saetze[0].startswith(
        "Zeitreihenbruch: Seit dem 3. Quartal 2022 gilt eine neue Definition"
    )
    assert (
        "der Jahreswert 2022 enthält zwei Quartale nach der alten und zwei Quartale nach der neuen"
        in saetze[0]
    )
    assert saetze[1].startswith("Zielwert bis 2022: 90 %, ab 2023: 85 % (gestrichelte Linie)")
    # a series that starts after the break has no break in it
    assert versionen.bruch_saetze(k, ["2023"]) == []
    reihe = pd.DataFrame({GESAMTSTADT: [0.83, 0.86, 0.90]}, index=["2021", "2022", "2023"])
    fig = versionen.diagramm(reihe, k, "Titel", prozent=True, hervorheben=GESAMTSTADT)
    ax = fig.axes[0]
    # the break: a vertical line where the 3rd quarter of 2022 begins (x of 2022 = 1; -0.5 + 2/4)
    senkrecht = [ln for ln in ax.lines if len(set(ln.get_xdata())) == 1]
    assert [float(ln.get_xdata()[0]) for ln in senkrecht] == [1.0]
    # the Zielwert as steps: 90 % over 2021 and 2022, 85 % over 2023
    stufen = sorted(
        (round(float(seg[0][1]), 4), float(seg[0][0]), float(seg[1][0]))
        for coll in ax.collections
        for seg in coll.get_segments()
    )
    assert stufen == [(0.85, 1.5, 2.0), (0.9, 0.0, 0.5), (0.9, 0.5, 1.5)]
    texte = [nb(t.get_text()) for t in ax.texts]
    assert any("neue Definition ab" in t and "3. Quartal 2022" in t for t in texte)
    assert " Zielwert 85 % (ab 2023)" in texte and " Zielwert 90 % (bis 2022)" in texte


def test_added_kennzahl_is_not_in_earlier_years() -> None:
    ids = {k.id for k in wirkung.kennzahlen_p3("2022")}
    assert "jh_z4_anteil_beteiligung_hilfeplan" not in ids
    assert "jh_z4_anteil_beteiligung_hilfeplan" in {k.id for k in wirkung.kennzahlen_p3("2023")}
    k = kennzahl(aufgenommen=2021, gestrichen=2024)
    assert [k.gilt_im(j) for j in (2020, 2021, 2023, 2024)] == [False, True, True, False]
    tab = versionen.aenderungen([k, load_catalog().get("egh_z2_anteil_nahfeld")], ["2019", "2024"])
    rows = tab.reset_index()[["Kennzahl", "Änderung", "ab"]].map(nb).values.tolist()
    assert rows == [
        ["K", "in den Katalog aufgenommen", "2021"],
        ["K", "aus dem Katalog gestrichen", "2024"],
        [
            "Anteil der Fälle mit Nahfeld- und sozialräumlichen Ressourcen",
            "neue Definition (Zeitreihenbruch)",
            "3. Quartal 2022",
        ],
        [
            "Anteil der Fälle mit Nahfeld- und sozialräumlichen Ressourcen",
            "Zielwert 90 % → 85 %",
            "2023",
        ],
    ]


def test_bad_versions_are_refused_with_entry_and_line(tmp_path: Path) -> None:
    path = tmp_path / "kennzahlen.yaml"
    path.write_text(
        HEAD + "  - {id: a, titel: A, periodizitaet: quartal, einheit: anteil,\n"
        "     richtung: hoeher_besser,\n"
        "     zaehler: tt, nenner: tt, zielwert: 0.9,\n"
        "     zielwerte: [{gueltig_ab: 2024, wert: 0.8}, {gueltig_ab: 2023, wert: 85}],\n"
        "     definitionen: [{gueltig_ab: 2022-Q5, definition: neu, aenderung: warum}]}\n"
        "  - {id: b, titel: B, periodizitaet: jahr, zaehler: tt, aufgenommen: 2023,\n"
        "     gestrichen: 2022}\n"
        "  - {id: c, titel: C, periodizitaet: jahr, zaehler: tt, aufgenommen: 2023,\n"
        "     definitionen: [{gueltig_ab: 2021-Q1, definition: alt, aenderung: x}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    msg = str(err.value)
    assert (
        "Kennzahl 'a' (Zeile 4), definitionen.0.gueltig_ab: gueltig_ab '2022-Q5' ist kein Quartal "
        "(JJJJ-Qn, z. B. 2022-Q3)" in msg
    )
    assert "Kennzahl 'b' (Zeile 9): gestrichen (2022) muss nach aufgenommen (2023) liegen" in msg
    assert "Kennzahl 'c' (Zeile 11): eine Version gilt vor dem Jahr der Aufnahme (2023)" in msg
    path.write_text(
        HEAD + "  - {id: a, titel: A, periodizitaet: quartal, einheit: anteil,\n"
        "     richtung: hoeher_besser,\n"
        "     zaehler: tt, nenner: tt, zielwert: 0.9,\n"
        "     zielwerte: [{gueltig_ab: 2024, wert: 0.8}, {gueltig_ab: 2023, wert: 85}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    msg = str(err.value)
    assert (
        "Kennzahl 'a' (Zeile 4): zielwerte: gueltig_ab aufsteigend und ohne Doppelte angeben" in msg
    )
    assert "Kennzahl 'a' (Zeile 4): zielwerte ab 2023: 85 liegt nicht zwischen 0 und 1" in msg


def test_matrix_of_a_year_before_a_kennzahl_was_added() -> None:
    cat = load_catalog()
    k3 = [k for k in wirkung.kennzahlen_p3("2022") if k.arbeitsfeld in wirkung.MATRIX_FELDER]
    # jh_z4 joins the catalog in 2023; Ziel 7 holds 3 Kennzahlen in Euro per Arbeitsfeld
    assert len(k3) == 27 + 12
    assert (
        len([k for k in wirkung.kennzahlen_p3("2023") if k.arbeitsfeld in wirkung.MATRIX_FELDER])
        == 28 + 12
    )
    assert cat.get("jh_z4_anteil_beteiligung_hilfeplan").aufgenommen == 2023


def test_ampel_judges_each_quarter_against_the_zielwert_of_its_year() -> None:
    """Zielwert 80 % until 2022, 85 % from 2023, none from 2024: the same 82 % is green in
    2022-Q4 (80 %), yellow in 2023-Q1 (3 points short, tolerance 5), grey in 2024-Q1."""
    from kennzahlen.ampel import build_ampel, check_config
    from kennzahlen.pool.zaehlen import POOL_COLUMNS

    raw = {
        "basiszahlen": {"tt": {"tabelle": "teilhabeteam", "regel": "ereignisse"}},
        "kennzahlen": [
            {
                "id": "q",
                "titel": "Q",
                "periodizitaet": "quartal",
                "einheit": "anteil",
                "richtung": "hoeher_besser",
                "zielwert": 0.80,
                "zielwerte": [
                    {"gueltig_ab": 2023, "wert": 0.85},
                    {"gueltig_ab": 2024, "wert": None},
                ],
                "zaehler": "tt",
                "nenner": "tt",
            }
        ],
    }
    cat, problems = validate_catalog(raw)
    assert problems == []
    setup, problems = check_config(
        {
            "arbeitsfelder": {
                "egh": {"titel": "EGH", "indikatoren": [{"kennzahl": "q", "regel": "zielwert"}]}
            }
        },
        cat,
    )
    assert problems == []
    quartale = ["2022-Q4", "2023-Q1", "2024-Q1"]
    rows = [
        dict(
            kennzahl="q",
            ebene="sozialraum",
            raum="West",
            periode=q,
            zaehler=82,
            nenner=100,
            wert=0.82,
        )
        for q in quartale
    ]
    pool = pd.DataFrame(rows, columns=POOL_COLUMNS)
    _, det = build_ampel(pool, setup, None, ["West"], quartale)
    det = det.set_index("quartal")
    assert det["farbe"].to_dict() == {"2022-Q4": "gruen", "2023-Q1": "gelb", "2024-Q1": "grau"}
    assert det.loc["2022-Q4", "vergleichswert"] == 0.80
    assert det.loc["2023-Q1", "vergleichswert"] == 0.85
    assert nb(det.loc["2023-Q1", "begruendung"]).endswith(
        "Zielwert mindestens 85,0 % um 3,0 Prozentpunkte verfehlt (höchstens 5,0 "
        "Prozentpunkte; nicht sicher verfehlt: 95-%-Intervall 73,3 % bis 88,3 %) → gelb"
    )
    assert "kein Zielwert festgelegt → grau" in det.loc["2024-Q1", "begruendung"]
