"""The attacker and the publication plan on hand cases (kennzahlen.disclosure.attack,
kennzahlen.disclosure.plan)."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG
from kennzahlen.disclosure import atoms as da
from kennzahlen.disclosure import plan as dp
from kennzahlen.disclosure.attack import Attacker, Knowledge
from kennzahlen.products import wirkung

RAEUME = [*sozialraeume(), OHNE_ZUORDNUNG]


# ---------------------------------------------------------------------------- the attacker
def test_interval_of_a_small_cell_and_its_partner():
    # atoms 0 (a) and 1 (b); a is '<3', b is 'x', a + b = 5 is shown
    att = Attacker(
        [Knowledge((0,), "klein"), Knowledge((1,), "gesperrt"), Knowledge((0, 1), "wert", 5)]
    )
    assert att.interval((0,)) == (1, 2)
    assert att.interval((1,)) == (3, 4)
    assert not att.disclosed((0,), 1)


def test_x_means_zero_or_at_least_k():
    """a + b = 4 with a '<3': b would be 2 or 3, but an 'x' is never 1 or 2, so b = 3 and a = 1.

    A reader who treats 'x' only as '>= 0' would believe a in [1, 2]: the attacker must not.
    """
    att = Attacker(
        [Knowledge((0,), "klein"), Knowledge((1,), "gesperrt"), Knowledge((0, 1), "wert", 4)]
    )
    assert att.interval((0,)) == (1, 1)
    assert att.disclosed((0,), 1)
    # and a hidden zero: a + b = 2 with b 'x' (0): a = 2
    att = Attacker(
        [Knowledge((0,), "klein"), Knowledge((1,), "gesperrt"), Knowledge((0, 1), "wert", 2)]
    )
    assert att.interval((0,)) == (2, 2)


def test_whole_numbers_are_used():
    # 2a = 3 has no whole solution next to a = 1 or 2: with a + a' = 3, a' = a, a reader ... use
    # a 2x2 with totals where the real-valued optimum would be fractional
    cells = [
        Knowledge((0, 1), "wert", 3),
        Knowledge((0, 2), "wert", 3),
        Knowledge((1, 2), "wert", 2),
        Knowledge((0,), "klein"),
    ]
    att = Attacker(cells)
    # a0 + a1 = 3, a0 + a2 = 3, a1 + a2 = 2 -> a0 = 2, a1 = a2 = 1 (unique)
    assert att.interval((0,)) == (2, 2)


def test_unbounded_and_components():
    att = Attacker(
        [Knowledge((0,), "gesperrt"), Knowledge((5, 6), "wert", 10), Knowledge((5,), "klein")]
    )
    lo, hi = att.interval((0,))
    assert lo == 0 and hi is None
    assert att.component(5) == att.component(6) != att.component(0)
    assert att.interval((6,)) == (8, 9)


# ----------------------------------------------------------------------- relations from the catalog
def _model(jahr: str = "2023") -> da.AtomModel:
    kz = [k for k in wirkung.kennzahlen_p3() if k.erhoben]
    return da.AtomModel(
        load_catalog(),
        [(t, k.periodizitaet) for k in kz for t in [*k.zaehler, *k.nenner]],
        jahr,
        RAEUME,
    )


def test_relations_follow_from_the_catalog():
    cat, m = load_catalog(), _model()

    def atoms(kid: str, teil: str, raum: str) -> set[int]:
        k = cat.get(kid)
        return set(m.atoms_of(k.zaehler if teil == "Z" else k.nenner, k.periodizitaet, raum))

    for raum in [*RAEUME, GESAMTSTADT]:
        # ambulant + stationär = alle (ah_z4 Nenner), disjoint
        amb, stat = (
            atoms("ah_z4_anteil_hzp_ambulant", "Z", raum),
            atoms("ah_z7_hzp_stationaer_je_1000_65plus", "Z", raum),
        )
        assert amb | stat == atoms("ah_z4_anteil_hzp_ambulant", "N", raum) and not amb & stat
        # eigener Wohnraum + besondere Wohnform = Nenner egh_z4
        ew, bw = (
            atoms("egh_z4_anteil_eigener_wohnraum", "Z", raum),
            atoms("egh_z7_besondere_wohnform_je_1000", "Z", raum),
        )
        assert ew | bw == atoms("egh_z4_anteil_eigener_wohnraum", "N", raum) and not ew & bw
        # the same Basiszahl + filter in two Kennzahlen is the same unknown
        assert atoms("jh_z3_anteil_ambulant", "N", raum) == atoms(
            "jh_z7_hze_je_1000_unter21", "Z", raum
        )
        assert atoms("es_z7_sgb12_je_1000", "Z", raum) < atoms("es_z1_anteil_wohngeld", "N", raum)
    # rows add up to Gesamtstadt
    for kid in (
        "ah_z4_anteil_hzp_ambulant",
        "jh_z5_anteil_hilfen_vor_dem_fall",
        "egh_z2_anteil_nahfeld",
    ):
        for teil in ("Z", "N"):
            parts = [atoms(kid, teil, r) for r in RAEUME]
            assert set().union(*parts) == atoms(kid, teil, GESAMTSTADT)
            assert sum(map(len, parts)) == len(atoms(kid, teil, GESAMTSTADT))
    # population by age: 0-20 and 18+ overlap in 18-20, 65+ inside 18+
    u21, ab18, ab65 = (
        atoms("jh_z7_hze_je_1000_unter21", "N", "West"),
        atoms("egh_z7_besondere_wohnform_je_1000", "N", "West"),
        atoms("ah_z7_hzp_stationaer_je_1000_65plus", "N", "West"),
    )
    assert u21 & ab18 and ab65 < ab18 and not ab65 & u21


def test_base_keys_equal_what_counts_the_same():
    cat = load_catalog()
    hvdf, ytd = (
        cat.basiszahlen["hilfen_vor_dem_fall"],
        cat.basiszahlen["hilfen_vor_dem_fall_jahr_bis_stichtag"],
    )
    assert da.base_key(hvdf, "jahr", "2023") == da.base_key(ytd, "stichtag_jahr", "2023")
    assert da.base_key(cat.basiszahlen["teilhabeteam"], "quartal", "2023") == da.base_key(
        cat.basiszahlen["teilhabeteam"], "jahr", "2023"
    )
    bestand = cat.basiszahlen["sozialhilfe_bestand"]
    assert da.base_key(bestand, "stichtag_jahr", "2023") == da.base_key(bestand, "jahr", "2023")
    assert da.base_key(bestand, "quartal", "2023") != da.base_key(bestand, "jahr", "2023")


# -------------------------------------------------------------------------- the plan on small pools
def _rows(
    kid: str, jahr: str, werte: dict[str, tuple[int, int | None]], stichtag: bool = True
) -> list[dict]:
    periode = f"{jahr}-12-31" if stichtag else jahr
    out = []
    for raum, (z, n) in werte.items():
        out.append(
            {
                "kennzahl": kid,
                "ebene": "gesamtstadt" if raum == GESAMTSTADT else "sozialraum",
                "raum": raum,
                "periode": periode,
                "zaehler": z,
                "nenner": n,
                "wert": z / n if n else float(z),
            }
        )
    return out


def _bev(jahr: str, werte: dict[str, int]) -> list[dict]:
    return [
        {
            "kennzahl": "bev_gesamt",
            "ebene": "sozialraum",
            "raum": r,
            "periode": f"{jahr}-12-31",
            "zaehler": v,
            "nenner": None,
            "wert": float(v),
        }
        for r, v in werte.items()
    ]


HZP = {  # the demo's 31.12.2023 (issue 9): ambulant / alle (ah_z4), stationär / 65+ (ah_z7)
    "Böfingen": ((17, 71), (54, 4081)),
    "Eselsberg": ((15, 65), (50, 3014)),
    "Mitte/Ost": ((23, 101), (78, 4022)),
    "West": ((31, 178), (147, 8051)),
    "Wiblingen": ((29, 160), (131, 5885)),
    OHNE_ZUORDNUNG: ((1, 4), (3, 0)),
}


def _hzp_pool() -> pd.DataFrame:
    z4 = {r: v[0] for r, v in HZP.items()}
    z4[GESAMTSTADT] = (116, 579)
    z7 = {r: v[1] for r, v in HZP.items() if r != OHNE_ZUORDNUNG}  # no row where the Nenner is 0
    z7[GESAMTSTADT] = (463, 25053)
    rows = _rows("ah_z4_anteil_hzp_ambulant", "2023", z4) + _rows(
        "ah_z7_hzp_stationaer_je_1000_65plus", "2023", z7
    )
    rows += _bev("2023", {r: 20_000 for r in sozialraeume()})
    return pd.DataFrame(rows)


def test_issue_example_is_protected_with_four_cells():
    """ambulant 'ohne Zuordnung' = 1: the cheapest protection is a rectangle of four counts."""
    pool = _hzp_pool()
    plan = wirkung.plan_jahr(pool, "2023")
    hidden = {o for z in plan.hidden() for o in z.orte}
    assert ("ah_z4_anteil_hzp_ambulant", "Zähler", OHNE_ZUORDNUNG) in hidden
    assert len(plan.hidden()) == 4  # the primary cell and three partners: minimal for two relations
    assert not any(r == GESAMTSTADT for _, _, r in hidden)  # the totals stay
    att = plan.attacker()
    for z in plan.hidden():
        lo, hi = att.interval(z.atoms)
        assert lo < hi
    # ohne Zuordnung stationär = 3 is hidden or its Nenner: 4 - 3 no longer gives 1
    t = wirkung.kennzahl_tabelle(pool, load_catalog().get("ah_z4_anteil_hzp_ambulant"), "2023")
    assert t.anzeige.loc[OHNE_ZUORDNUNG, "Zähler"] == "<3"
    assert t.anzeige.loc[OHNE_ZUORDNUNG, "Wert"] == "x"


def test_small_complement_of_a_share_is_protected():
    """38 of 40 'Vermeidung stationär' in West: the 2 without must not be readable (Gegenwert)."""
    werte = {
        "Böfingen": (30, 50),
        "Eselsberg": (20, 44),
        "Mitte/Ost": (25, 60),
        "West": (38, 40),
        "Wiblingen": (31, 70),
        OHNE_ZUORDNUNG: (0, 0),
    }
    werte[GESAMTSTADT] = (sum(z for z, _ in werte.values()), sum(n for _, n in werte.values()))
    pool = pd.DataFrame(
        _rows("ah_z3_anteil_vermeidung_stationaer", "2023", werte, stichtag=False)
        + _bev("2023", {r: 20_000 for r in sozialraeume()})
    )
    plan = wirkung.plan_jahr(pool, "2023")
    [g] = [g for g in plan.gruppen if g.raum == "West"]
    assert g.wert == 2 and "vermeidung_stationaer=nein" in g.beschreibung
    lo, hi = plan.attacker().interval(g.atoms)
    assert lo < hi
    assert not (
        plan.sichtbar("ah_z3_anteil_vermeidung_stationaer", "Zähler", "West")
        and plan.sichtbar("ah_z3_anteil_vermeidung_stationaer", "Nenner", "West")
    )


def test_unrated_area_is_not_a_back_door():
    """West under 300 residents is 'nicht bewertet'; its small count must not follow from the
    totals."""
    pool = _hzp_pool()
    pool.loc[(pool["kennzahl"] == "bev_gesamt") & (pool["raum"] == "West"), ["zaehler", "wert"]] = [
        250,
        250.0,
    ]
    z4 = pool["kennzahl"] == "ah_z4_anteil_hzp_ambulant"  # West: 2 ambulant + 147 stationär
    pool.loc[z4 & (pool["raum"] == "West"), ["zaehler", "nenner", "wert"]] = [2, 149, 2 / 149]
    pool.loc[z4 & (pool["raum"] == GESAMTSTADT), ["zaehler", "nenner", "wert"]] = [
        87,
        550,
        87 / 550,
    ]
    plan = wirkung.plan_jahr(pool, "2023")
    z = plan.zelle("ah_z4_anteil_hzp_ambulant", "Zähler", "West")
    assert z.status == "frei" and z.wert == 2
    lo, hi = plan.attacker().interval(z.atoms)
    assert lo < hi
    t = wirkung.kennzahl_tabelle(pool, load_catalog().get("ah_z4_anteil_hzp_ambulant"), "2023")
    assert (t.anzeige.loc["West"] == "nicht bewertet").all()


def test_internal_product_has_no_plan(monkeypatch):
    assert wirkung.plan_jahr(_hzp_pool(), "2023", produkt=2) is None
    t = wirkung.kennzahl_tabelle(
        _hzp_pool(), load_catalog().get("ah_z4_anteil_hzp_ambulant"), "2023", produkt=2
    )
    assert t.anzeige.loc[OHNE_ZUORDNUNG, "Zähler"] == "1" and len(t.audit) == 0


def test_solver_prints_nothing(capfd, demo_pool):
    """HiGHS must not write into a report (ipykernel forwards the process's stdout)."""
    from kennzahlen.api import load_pool

    pool = load_pool(demo_pool)
    wirkung.plan._PLAENE.clear()
    for jahr in ("2019", "2022"):
        wirkung.plan_jahr(pool, jahr).intervalle()
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@pytest.mark.parametrize("jahr", ["2020", "2023"])
def test_plan_is_deterministic(demo_pool, jahr):
    from kennzahlen.api import load_pool

    pool = load_pool(demo_pool)
    a = dp.plan_frame(wirkung.plan_jahr(pool, jahr))
    wirkung.plan._PLAENE.clear()
    b = dp.plan_frame(wirkung.plan_jahr(pool, jahr))
    pd.testing.assert_frame_equal(
        a[["kennzahl", "teil", "raum", "status"]], b[["kennzahl", "teil", "raum", "status"]]
    )


# ------------------------------------------------------------ '<3' marks that disclose on their own
def _eintraege(kid: str, werte: dict[str, tuple[float | None, float | None]]) -> list[da.Eintrag]:
    k = load_catalog().get(kid)
    out = []
    for raum, (z, n) in werte.items():
        out.append(da.Eintrag(kid, "Zähler", raum, tuple(k.zaehler), k.periodizitaet, z))
        out.append(da.Eintrag(kid, "Nenner", raum, tuple(k.nenner), k.periodizitaet, n))
    return out


def test_two_small_parts_of_a_small_total_are_protected():
    """1 + 1 = 2, all three shown as '<3': the marks alone give 1 and 1 back.

    A reader sees Gesamtstadt '<3' (at most 2) and two areas '<3' (at least 1 each), so both
    areas are 1 and the total 2. Hiding further counts cannot help (the marks alone disclose);
    the plan must show one of the three as 'x', which a reader cannot bound (it may be small).
    The second city of issue 11 had exactly this in 2019 and 2021 (PlanError before).
    """
    werte = {"A": (1, 5), "B": (1, 8), "C": (0, 7), GESAMTSTADT: (2, 20)}
    plan = dp.build_plan(
        _eintraege("ah_z5_anteil_verbleib_haeuslichkeit", werte),
        load_catalog(),
        "2021",
        ["A", "B", "C"],
    )
    att = plan.attacker()
    for z in plan.hidden():
        lo, hi = att.interval(z.atoms)
        assert hi is None or lo < hi, z.orte
    kid = "ah_z5_anteil_verbleib_haeuslichkeit"
    zeichen = [plan.status(kid, "Zähler", r) for r in ("A", "B", GESAMTSTADT)]
    assert sorted(zeichen) == ["gesperrt", "klein", "klein"]  # one small count shown as 'x'
    assert plan.status(kid, "Zähler", "C") == "wert" and plan.sichtbar(kid, "Nenner", GESAMTSTADT)
    [x] = [z for z in plan.hidden() if z.status == "gesperrt"]
    assert x.grund == da.PRIMAER and x.wert == 1


def test_highs_writes_nothing_to_stdout(capfd):
    """HiGHS's MIP solver prints a stray debug line on this Gegensperrungs-MILP (scipy 1.17,
    presolve off); in a report run ipykernel would put it into the notebook. ``highs`` keeps
    file descriptor 1 quiet."""
    import numpy as np

    from kennzahlen.disclosure.attack import highs, quiet

    c = np.array([0, 0, 0, 0, 22, 23, 22, 23, 0, 0, 0, 0], dtype=float)
    # four shown counts over atoms 0-3: (atoms, value, big-M of "hide", big-M of "0 or >= 3")
    cells = [
        ((2,), 21, 50, 29),
        ((2, 3), 22, 81, 59),
        ((0, 2), 21, 79, 58),
        ((0, 1, 2, 3), 22, 140, 118),
    ]
    a_ub, b_ub = [], []
    for j, (atoms, v, hide_m, x_m) in enumerate(cells):
        r = np.zeros(12)
        r[list(atoms)] = 1.0
        for sign in (1, -1):  # |A y - v| <= D z
            row = sign * r
            row[4 + j] = -hide_m
            a_ub.append(row)
            b_ub.append(sign * v)
        up, down = r.copy(), -r
        up[8 + j], down[8 + j] = -x_m, 3.0  # 0 or >= 3
        a_ub += [up, down]
        b_ub += [0.0, 0.0]
    res = highs(
        c,
        A_ub=np.array(a_ub),
        b_ub=np.array(b_ub),
        A_eq=np.array([[0, 0, 0, 1] + [0] * 8]),
        b_eq=np.array([2.0]),
        bounds=[(0, 29), (0, 30), (0, 29), (0, 30)] + [(0, 1)] * 8,
        integrality=np.ones(12),
    )
    assert res.status == 0 and res.fun == 44
    with quiet():
        os.write(1, b"native output\n")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_year_with_partial_data_gets_a_plan():
    """The first year of a pool: a yearly Kennzahl without data, a quarterly one with only its
    last quarter, and jh_z2 with a Sozialraum without a row (Nenner 0) – where two '<3' areas
    make the '<3' total: the plan is built and nothing can be recovered."""
    sr = sozialraeume()
    jh = {
        sr[0]: (1, 4),
        sr[1]: (1, 6),
        sr[2]: (0, 5),
        sr[3]: (0, 7),
        GESAMTSTADT: (2, 22),
    }  # sr[4]: no row
    rows = _rows("jh_z2_anteil_vollzeitpflege", "2019", jh)
    rows += [
        {
            "kennzahl": "egh_z2_anteil_nahfeld",
            "ebene": "gesamtstadt",
            "raum": GESAMTSTADT,
            "periode": "2019-Q4",
            "zaehler": 40,
            "nenner": 50,
            "wert": 0.8,
        }
    ]  # collected only since 2019-Q4: no year value
    rows += _bev("2019", {r: 20_000 for r in sr})
    pool = pd.DataFrame(rows)
    plan = wirkung.plan_jahr(pool, "2019")
    kid = "jh_z2_anteil_vollzeitpflege"
    assert (
        plan.status(kid, "Zähler", sr[4]) == "leer"
        and plan.status("egh_z2_anteil_nahfeld", "Zähler", GESAMTSTADT) == "leer"
    )
    assert plan.status("ah_z5_anteil_verbleib_haeuslichkeit", "Nenner", GESAMTSTADT) == "leer"
    att = plan.attacker()
    for z in plan.hidden():
        lo, hi = att.interval(z.atoms)
        assert hi is None or lo < hi, z.orte
    assert sum(z.verdeckt for z in plan.zellen) == 1
    t = wirkung.kennzahl_tabelle(pool, load_catalog().get(kid), "2019")
    assert sorted(t.anzeige.loc[[sr[0], sr[1], GESAMTSTADT], "Zähler"]) == ["<3", "<3", "x"]
    assert (t.anzeige.loc[sr[4]] == "–").all()


# ------------------------------------------------- issue 24: the law, the Gegenwert, the next one
def test_structural_zeros_are_known_zeros_of_the_model():
    """Besondere Wohnform is stationär, eigener Wohnraum and WfbM ambulant (BTHG, declared in
    schema.Festlegung): the stationary EGH cases (Nenner − Zähler of egh_z3) are exactly those
    in besondere Wohnform (Zähler of egh_z7), and eigener Wohnraum + WfbM are all ambulant."""
    cat, m = load_catalog(), _model()

    def atoms(kid: str, teil: str, raum: str) -> set[int]:
        k = cat.get(kid)
        return set(m.atoms_of(k.zaehler if teil == "Z" else k.nenner, k.periodizitaet, raum))

    for raum in [*RAEUME, GESAMTSTADT]:
        stationaer = atoms("egh_z3_anteil_ambulant", "N", raum) - atoms(
            "egh_z3_anteil_ambulant", "Z", raum
        )
        assert stationaer == atoms("egh_z7_besondere_wohnform_je_1000", "Z", raum)
        assert atoms("egh_z4_anteil_eigener_wohnraum", "Z", raum) < atoms(
            "egh_z3_anteil_ambulant", "Z", raum
        )
    assert m.nullen and not any(a in m.nullen for _, _, at in m.groups() for a in at)


def _es_z1(werte: dict[str, tuple[int, int]]) -> list[da.Eintrag]:
    return _eintraege("es_z1_anteil_wohngeld", werte)


def test_gegenwert_of_a_share_is_protected_and_the_config_drives_it():
    """Wohngeld 5 of 7 (es_z1) in area A: the 2 others (SGB II, HLU or GSI: two tables, no group
    of the cross-classification) are published by the share. ``gegenwert: true`` protects them;
    ``false`` (config/disclosure.yaml) shows both counts as before."""
    werte = {"A": (5, 7), "B": (40, 100), "C": (30, 90)}
    werte[GESAMTSTADT] = (75, 197)
    args = (_es_z1(werte), load_catalog(), "2023", ["A", "B", "C"])
    kid = "es_z1_anteil_wohngeld"
    mit = dp.build_plan(*args, gegenwert=True)
    assert not (mit.sichtbar(kid, "Zähler", "A") and mit.sichtbar(kid, "Nenner", "A"))
    [g] = [g for g in mit.gruppen if g.raum == "A"]
    assert g.wert == 2 and g.beschreibung.startswith("Gegenwert")
    lo, hi = mit.attacker().interval(g.atoms)
    assert lo < hi
    ohne = dp.build_plan(*args, gegenwert=False)
    assert ohne.sichtbar(kid, "Zähler", "A") and ohne.sichtbar(kid, "Nenner", "A")


def _ah_z3(oz: tuple[int, int], eselsberg: tuple[int, int] = (9, 34)) -> list[da.Eintrag]:
    werte = {
        "Böfingen": (16, 45),
        "Eselsberg": eselsberg,
        "Mitte/Ost": (17, 45),
        "West": (35, 85),
        "Wiblingen": (24, 60),
        OHNE_ZUORDNUNG: oz,
    }
    werte[GESAMTSTADT] = (sum(z for z, _ in werte.values()), sum(n for _, n in werte.values()))
    return _eintraege("ah_z3_anteil_vermeidung_stationaer", werte)


def _gezeigt(plan: da.Plan, eintraege: list[da.Eintrag]) -> list[da.Gezeigt]:
    out = []
    for e in eintraege:
        z = plan.zelle(e.kennzahl, e.teil, e.raum)
        out.append(da.Gezeigt(e, "leer" if z is None else z.status, bool(z and z.verdeckt)))
    return out


def test_a_second_publication_hides_what_the_first_hid_and_is_checked_with_it():
    """2023, Altenhilfe: 'ohne Zuordnung' 2 of 2 ('<3'), then a late case without address: 2 of 3.
    Made alone, the second plan shows the 3, and side by side with the first (Gesamtstadt + 1)
    it gives the first 2 back. Made with the first, the 3 stays hidden and the attacker over
    both publications pins nothing."""
    kid = "ah_z3_anteil_vermeidung_stationaer"
    cat, raeume = load_catalog(), RAEUME
    erst_e = _ah_z3((2, 2))
    erst = dp.build_plan(erst_e, cat, "2023", raeume)
    assert erst.status(kid, "Nenner", OHNE_ZUORDNUNG) == "klein"
    dann_e = _ah_z3((2, 3))
    allein = dp.build_plan(dann_e, cat, "2023", raeume)
    assert allein.sichtbar(kid, "Nenner", OHNE_ZUORDNUNG)  # the leak of issue 24
    dann = dp.build_plan(dann_e, cat, "2023", raeume, frueher=[_gezeigt(erst, erst_e)])
    z = dann.zelle(kid, "Nenner", OHNE_ZUORDNUNG)
    assert z.status == "gesperrt" and z.vorgesperrt
    for ort, i in erst.orte.items():  # hidden once, hidden again
        if i is not None and erst.zellen[i].status != "wert":
            assert not dann.sichtbar(*ort), ort
    att = dann.attacker()  # both publications
    for x in [*dann.hidden(), *(f for f in dann.frueher if f.status != "wert")]:
        lo, hi = att.interval(x.atoms)
        assert hi is None or lo < hi, (x.orte, x.wert)


def test_a_correction_that_lowers_a_count_still_gets_a_plan():
    """Between two publications a case moved from Eselsberg to 'ohne Zuordnung' (a correction):
    the reader cannot assume 'cases were only added' for that table; the plan is still made
    and nothing is pinned."""
    cat, kid = load_catalog(), "ah_z3_anteil_vermeidung_stationaer"
    erst_e = _ah_z3((1, 1))
    erst = dp.build_plan(erst_e, cat, "2023", RAEUME)
    dann = dp.build_plan(
        _ah_z3((1, 2), eselsberg=(9, 33)), cat, "2023", RAEUME, frueher=[_gezeigt(erst, erst_e)]
    )
    assert not dann.sichtbar(kid, "Nenner", OHNE_ZUORDNUNG)
    att = dann.attacker()
    for x in [*dann.hidden(), *(f for f in dann.frueher if f.status != "wert")]:
        lo, hi = att.interval(x.atoms)
        assert hi is None or lo < hi, (x.orte, x.wert)


def test_an_optimisation_over_its_time_limit_stops_the_report(monkeypatch):
    """No optimisation may hold a report run forever: beyond solver_zeitlimit_sekunden of
    config/disclosure.yaml the report fails with a plain message (HiGHS's 'time limit' status
    used to read as 'no solution', and a plan was built from an unfinished search)."""
    import numpy as np

    from kennzahlen.disclosure import attack
    from kennzahlen.disclosure import config as disclosure_config

    assert disclosure_config.load_config().solver_zeitlimit_sekunden == 300
    knapp = disclosure_config.DisclosureConfig(solver_zeitlimit_sekunden=1e-9)
    monkeypatch.setattr(disclosure_config, "load_config", lambda *a, **k: knapp)
    a = np.random.default_rng(1).integers(0, 5, (20, 30))
    with pytest.raises(attack.SolverZeitlimit) as exc:
        attack.highs(
            -np.ones(30),
            A_ub=a,
            b_ub=np.full(20, 25),
            bounds=[(0, 10)] * 30,
            integrality=np.ones(30),
        )
    assert str(exc.value).startswith(
        "Die Geheimhaltung (Optimierung mit HiGHS) hat ihr Zeitlimit von 1e-09 s überschritten "
        "(solver_zeitlimit_sekunden in config/disclosure.yaml)"
    )
