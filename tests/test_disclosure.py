"""Disclosure control: hand cases and properties (hypothesis) of
kennzahlen.disclosure.suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kennzahlen.disclosure import config as disclosure_config
from kennzahlen.disclosure import suppression as dc
from kennzahlen.disclosure.suppression import (
    AUDIT_COLUMNS,
    PRIMAER,
    SEKUNDAER,
    suppress_shares,
    suppress_table,
)

S = "Summe"


def with_totals(
    data: dict[str, list[int]], index: list[str], rows: bool = True, cols: bool = False
) -> pd.DataFrame:
    df = pd.DataFrame(data, index=index)
    if rows:
        df[S] = df.sum(axis=1)
    if cols:
        df.loc[S] = df.sum(axis=0)
    return df


# --------------------------------------------------------------------------- an independent checker
def equations(
    df: pd.DataFrame, row_total: str | None, col_total: str | None
) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
    """Each (members, total) of the table, as (row, col) positions."""
    nrow, ncol = df.shape
    eqs = []
    if row_total is not None:
        jt = df.columns.get_loc(row_total)
        eqs += [([(i, j) for j in range(ncol) if j != jt], (i, jt)) for i in range(nrow)]
    if col_total is not None:
        it = df.index.get_loc(col_total)
        eqs += [([(i, j) for i in range(nrow) if i != it], (it, j)) for j in range(ncol)]
    return eqs


def recoverable(
    df: pd.DataFrame, mask: pd.DataFrame, row_total: str | None, col_total: str | None
) -> list[tuple[int, int]]:
    """Hidden cells that the visible cells and all totals fix exactly (linear recomputation)."""
    m = mask.to_numpy()
    hidden = [tuple(x) for x in np.argwhere(m)]
    eqs = equations(df, row_total, col_total)
    if not hidden or not eqs:
        return []
    idx = {c: n for n, c in enumerate(hidden)}
    rows = []
    for members, total in eqs:
        r = np.zeros(len(hidden))
        for c in members:
            if c in idx:
                r[idx[c]] += 1
        if total in idx:
            r[idx[total]] -= 1
        rows.append(r)
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    out = []
    for c, n in idx.items():
        e = np.zeros(len(hidden))
        e[n] = 1
        if (
            np.linalg.matrix_rank(np.vstack([a, e])) == rank
        ):  # e_c in the row space: c is determined
            out.append(c)
    return out


def hidden_per_equation(df, mask, row_total, col_total) -> list[int]:
    m = mask.to_numpy()
    return [
        sum(m[c] for c in members) + m[total]
        for members, total in equations(df, row_total, col_total)
    ]


# ---------------------------------------------------------------------------- hand cases
def test_one_in_a_row_with_total_hides_a_second_cell():
    t = with_totals({"A": [1, 10], "B": [5, 7], "C": [30, 4]}, ["r1", "r2"])
    r = suppress_table(t, row_total=S)
    assert r.display.loc["r1"].tolist() == ["<3", "x", "30", "36"]
    assert r.display.loc["r2"].tolist() == ["10", "7", "4", "21"]
    assert r.reason.loc["r1", "A"] == PRIMAER and r.reason.loc["r1", "B"] == SEKUNDAER
    assert r.mask.to_numpy().sum() == 2


def test_single_other_cell_hides_the_total():
    t = with_totals({"A": [1], "B": [50]}, ["r"])
    r = suppress_table(t, row_total=S)
    assert r.display.loc["r"].tolist() == ["<3", "50", "x"]
    assert "Zeile „r“" in r.audit.loc[r.audit["grund"] == SEKUNDAER, "regel"].iloc[0]


def test_zeros_stay_visible_and_can_be_hidden_by_choice():
    t = with_totals({"A": [0, 12], "B": [9, 0], "C": [4, 8]}, ["r1", "r2"])
    r = suppress_table(t, row_total=S)
    assert not r.mask.to_numpy().any()
    assert r.display.loc["r1"].tolist() == ["0", "9", "4", "13"]
    r0 = suppress_table(t, row_total=S, null_sichtbar=False)
    assert r0.display.loc["r1", "A"] == "<3" and r0.display.loc["r2", "B"] == "<3"


def test_partner_too_small_to_protect_is_skipped():
    # 1 + 3 hidden with a visible total: an 'x' is 0 or >= 3, so 1 and 3 would be the only reading
    t = with_totals({"A": [1], "B": [3], "C": [50], "D": [60]}, ["r"])
    r = suppress_table(t, row_total=S)
    assert r.display.loc["r"].tolist() == ["<3", "3", "x", "60", "114"]


def test_two_small_cells_that_add_up_exactly_get_a_partner():
    # 1 + 1 = 2: both '<3' cells could only be 1 and 1
    t = with_totals({"A": [1], "B": [1], "C": [20], "D": [30]}, ["r"])
    r = suppress_table(t, row_total=S)
    assert r.display.loc["r"].tolist() == ["<3", "<3", "x", "30", "52"]


def test_rows_and_columns_give_a_rectangle():
    t = with_totals(
        {"A": [1, 10, 20], "B": [5, 7, 9], "C": [30, 4, 6]},
        ["r1", "r2", "r3"],
        rows=True,
        cols=True,
    )
    r = suppress_table(t, row_total=S, col_total=S)
    assert r.mask.to_numpy().sum() == 4
    assert set(map(tuple, np.argwhere(r.mask.to_numpy()))) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert recoverable(t, r.mask, S, S) == []
    assert r.display.loc[S].tolist() == ["31", "21", "40", "92"]


def test_a_small_total_is_hidden_and_its_line_protected():
    t = with_totals({"A": [1, 40], "B": [1, 50]}, ["r1", "r2"], rows=True, cols=True)
    r = suppress_table(t, row_total=S, col_total=S)
    assert r.display.loc["r1", S] == "<3"
    assert all(n != 1 for n in hidden_per_equation(t, r.mask, S, S))
    assert recoverable(t, r.mask, S, S) == []


def test_bridge_between_two_protected_blocks_is_found():
    # Two hidden rectangles linked by one cell: every row/column has 0 or >= 2 hidden cells,
    # yet the linking cell is fixed by the totals together (a cut). The null-space check finds it.
    rng = np.random.default_rng(7)
    data = {c: list(rng.integers(10, 40, size=5)) for c in "ABCDE"}
    t = with_totals(data, list("vwxyz"), rows=True, cols=True)
    pre = pd.DataFrame(False, index=t.index, columns=t.columns)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        pre.iloc[i, j] = True
    assert all(n != 1 for n in hidden_per_equation(t, pre, S, S))
    assert recoverable(t, pre, S, S) == [(1, 2)]
    r = suppress_table(t, row_total=S, col_total=S, vorgabe=pre)
    assert (r.mask | ~pre).all().all()
    assert recoverable(t, r.mask, S, S) == []


def test_inconsistent_total_is_an_error():
    t = pd.DataFrame({"Wiblingen": [5], "West": [7], "Gesamtstadt": [15]}, index=["jh"])
    with pytest.raises(ValueError, match="Zeile „jh“.*ergeben 12.*15.*ohne Zuordnung"):
        suppress_table(t, row_total="Gesamtstadt")


def test_not_a_count_is_an_error():
    with pytest.raises(ValueError, match="keine ganze Anzahl"):
        suppress_table(pd.DataFrame({"A": [1.5, -2]}, index=["a", "b"]))
    with pytest.raises(ValueError, match="Summenspalte 'Gesamt' fehlt"):
        suppress_table(pd.DataFrame({"A": [1]}), row_total="Gesamt")


def test_missing_values_show_a_dash_and_german_numbers():
    t = pd.DataFrame({"A": [1234.0, np.nan], "B": [12345678, 3]}, index=["a", "b"])
    r = suppress_table(t)
    assert r.display.loc["a"].tolist() == ["1.234", "12.345.678"]
    assert r.display.loc["b", "A"] == "–"


def test_audit_names_position_and_reason_never_the_value(tmp_path):
    t = with_totals({"Wiblingen": [2, 17], "West": [13, 5], "Eselsberg": [19, 8]}, ["hze", "uma"])
    r = suppress_table(t, row_total=S, name="Fallzahlen")
    assert list(r.audit.columns) == AUDIT_COLUMNS
    assert len(r.audit) == int(r.mask.to_numpy().sum()) == 2
    assert set(r.audit["grund"]) == {PRIMAER, SEKUNDAER}
    assert r.audit.iloc[0].to_dict() == {
        "tabelle": "Fallzahlen",
        "zeile": "hze",
        "spalte": "Wiblingen",
        "grund": PRIMAER,
        "regel": "Anzahl zwischen 1 und 2 (Mindestfallzahl k = 3)",
        "intervall_min": "",
        "intervall_max": "",
    }
    leaky = r.audit.assign(wert=[2, 13])
    path = dc.write_audit(
        [leaky, r.audit.iloc[:0]], tmp_path / "3_wirkungskennzahlen" / "wiblingen.audit.csv"
    )
    text = path.read_text("utf-8")
    assert text.splitlines()[0] == "tabelle;zeile;spalte;grund;regel;intervall_min;intervall_max"
    assert len(text.splitlines()) == 3
    assert "13" not in text  # the hidden partner's value is nowhere in the file
    assert dc.audit_path("reports/2023-Q4/3_wirkungskennzahlen/west.html").name == "west.audit.csv"


def test_shares_hidden_with_their_counts():
    idx, cols = ["z5"], ["Böfingen", "West", "Wiblingen", "Eselsberg", "Mitte/Ost", "ohne"]
    z = pd.DataFrame([[40, 2, 38, 0, 1, 10]], index=idx, columns=cols)
    n = pd.DataFrame([[50, 60, 40, 20, 2, 10]], index=idx, columns=cols)
    w = z / n
    r = suppress_shares(w, z, n)
    assert r.display.loc["z5"].tolist() == [
        "80,0\u00a0%",
        "x",
        "x",
        "0,0\u00a0%",
        "x",
        "100,0\u00a0%",
    ]
    rules = dict(zip(r.audit["spalte"], r.audit["regel"], strict=True))
    assert rules == {
        "West": "Zähler unter 3",
        "Wiblingen": "Gegenwert (Nenner − Zähler) unter 3",
        "Mitte/Ost": "Zähler unter 3",
    }
    # a rate: the complement is no count, and a hidden count in the table hides its rate
    zm = pd.DataFrame([[True, False, False, False, False, False]], index=idx, columns=cols)
    r2 = suppress_shares(w, z, n, gegenwert=False, zaehler_mask=zm, formatter=lambda x: f"{x:.2f}")
    assert r2.display.loc["z5"].tolist() == ["x", "x", "0.95", "0.00", "x", "1.00"]
    assert r2.reason.loc["z5", "Böfingen"] == SEKUNDAER


def test_share_without_its_counts_is_hidden_and_missing_share_is_a_dash():
    w = pd.DataFrame({"A": [0.5, np.nan]}, index=["a", "b"])
    z = pd.DataFrame({"A": [np.nan, np.nan]}, index=["a", "b"])
    r = suppress_shares(w, z, z)
    assert r.display["A"].tolist() == ["x", "–"]


def test_flag_pool_rows():
    rows = pd.DataFrame(
        {
            "kennzahl": ["a", "b", "c", "d", "e"],
            "zaehler": [2, 0, 38, 7, 5],
            "nenner": [np.nan, np.nan, 40, 2, 900],
            "wert": [2, 0, 0.95, 3.5, 5 / 900],
        }
    )
    out = dc.flag_pool_rows(rows)
    assert out["gesperrt"].tolist() == [True, False, True, True, False]
    assert out["sperrgrund"].tolist()[:4] == [
        "Zähler unter 3",
        "",
        "Gegenwert (Nenner − Zähler) unter 3",
        "Nenner unter 3",
    ]


def test_small_areas_not_rated():
    # the threshold comes from config/disclosure.yaml (mindestbevoelkerung: 300)
    assert dc.rate_area(300) and not dc.rate_area(299) and not dc.rate_area(None)
    assert not dc.rate_area(float("nan"))
    assert dc.rate_area(120, schwelle=100) and not dc.rate_area(120, schwelle=121)


def test_config_and_public_products(tmp_path):
    cfg = disclosure_config.load_config()
    assert cfg.k == 3 and cfg.mindestbevoelkerung == 300 and cfg.null_sichtbar
    assert [disclosure_config.is_public(p, cfg) for p in (1, 2, 3, 4)] == [
        False,
        False,
        True,
        False,
    ]
    f = tmp_path / "d.yaml"
    f.write_text("k: 5\nprodukte:\n  1: oeffentlich\n", encoding="utf-8")
    cfg2 = disclosure_config.load_config(f)
    assert (
        cfg2.k == 5
        and disclosure_config.is_public(1, cfg2)
        and disclosure_config.is_public(3, cfg2)
    )
    t = with_totals({"A": [4, 10], "B": [9, 7]}, ["r1", "r2"])
    assert dc.protect_table(t, 2, cfg2, row_total=S).display.loc["r1", "A"] == "4"
    shown = dc.protect_table(t, 1, cfg2, row_total=S)
    assert shown.display.loc["r1"].tolist() == ["<5", "9", "x"]
    with pytest.raises(ValueError, match="Produkt 7"):
        disclosure_config.is_public(7, cfg)
    assert "<3: Anzahl 1 oder 2" in dc.legende()


@pytest.mark.parametrize(
    "text, message",
    [
        ("k: 1\n", "k: Wert 1 muss >= 2 sein"),
        ("produkte:\n  7: intern\n", "unbekannte(s) Produkt(e) 7"),
        ("produkte:\n  3: geheim\n", "produkte.3"),
        ("kk: 3\n", "kk: unbekanntes Feld (Wert: 3)"),
        ("symbol_sekundaer: '1'\n", "keine Ziffer"),
        ("- 3\n", "erwartet eine Zuordnung"),
        ("k: [\n", "kein gültiges YAML"),
    ],
)
def test_config_errors(tmp_path, text, message):
    f = tmp_path / "disclosure.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(disclosure_config.DisclosureConfigError) as exc:
        disclosure_config.load_config(f)
    assert message in str(exc.value)
    assert str(f) in str(exc.value)
    assert "should" not in str(exc.value) and "Extra inputs" not in str(exc.value)  # German only


# ---------------------------------------------------------------------------- properties
small_heavy = st.one_of(st.integers(0, 3), st.integers(0, 60))


@st.composite
def tables(draw):
    nrow, ncol = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    data = draw(
        st.lists(st.lists(small_heavy, min_size=ncol, max_size=ncol), min_size=nrow, max_size=nrow)
    )
    df = pd.DataFrame(
        data, index=[f"r{i}" for i in range(nrow)], columns=[f"c{j}" for j in range(ncol)]
    )
    mode = draw(st.sampled_from(["none", "rows", "cols", "both"]))
    row_total = col_total = None
    if mode in ("rows", "both"):
        df[S] = df.sum(axis=1)
        row_total = S
    if mode in ("cols", "both"):
        df.loc[S] = df.sum(axis=0)
        col_total = S
    k = draw(st.sampled_from([2, 3, 3, 4]))
    return df, row_total, col_total, k


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(tables())
def test_no_visible_small_count(case):
    df, rt, ct, k = case
    r = suppress_table(df, k, rt, ct)
    values = df.to_numpy()
    small = (values >= 1) & (values <= k - 1)
    assert r.mask.to_numpy()[small].all()
    for (i, j), v in np.ndenumerate(values):
        shown = r.display.iat[i, j]
        if not r.mask.iat[i, j]:
            assert shown == f"{v:,}".replace(",", ".")
        else:
            assert shown == (f"<{k}" if small[i, j] else "x")
    assert len(r.audit) == int(r.mask.to_numpy().sum())


@PROPS
@given(tables())
def test_no_hidden_cell_recoverable_from_totals(case):
    df, rt, ct, k = case
    r = suppress_table(df, k, rt, ct)
    assert all(n != 1 for n in hidden_per_equation(df, r.mask, rt, ct))
    assert recoverable(df, r.mask, rt, ct) == []


@PROPS
@given(tables())
def test_idempotent(case):
    df, rt, ct, k = case
    r = suppress_table(df, k, rt, ct)
    again = suppress_table(df, k, rt, ct, vorgabe=r.mask)
    pd.testing.assert_frame_equal(again.mask, r.mask)
    pd.testing.assert_frame_equal(again.display, r.display)
    pd.testing.assert_frame_equal(suppress_table(df, k, rt, ct).display, r.display)  # deterministic


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=8),
    st.sampled_from([2, 3, 4]),
)
def test_shares_never_shown_from_small_counts(pairs, k):
    z = pd.DataFrame([[min(a, b) for a, b in pairs]], index=["x"])
    n = pd.DataFrame([[max(a, b) for a, b in pairs]], index=["x"])
    w = (z / n.where(n > 0)).astype(float)
    r = suppress_shares(w, z, n, k)
    for j in range(len(pairs)):
        zz, nn = z.iat[0, j], n.iat[0, j]
        visible = r.display.iat[0, j] not in ("x", "–")
        if visible:
            assert not (1 <= zz < k or 1 <= nn < k or 1 <= nn - zz < k)
        if nn == 0:
            assert r.display.iat[0, j] == "–"


def test_public_product_3_marks_small_areas_not_rated():
    """A Sozialraum under the population threshold shows 'nicht bewertet' in the public report."""
    import pandas as pd

    from kennzahlen.catalog.geography import sozialraeume
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.products import wirkung

    k = load_catalog().get("jh_z5_anteil_hilfen_vor_dem_fall")
    rows = []
    for i, raum in enumerate(sozialraeume()):
        rows.append(
            dict(
                kennzahl=k.id,
                ebene="sozialraum",
                raum=raum,
                periode="2021",
                zaehler=80,
                nenner=100,
                wert=0.8,
            )
        )
        bev = 250 if raum == "West" else 20_000 + i
        rows.append(
            dict(
                kennzahl="bev_gesamt",
                ebene="sozialraum",
                raum=raum,
                periode="2021-12-31",
                zaehler=bev,
                nenner=None,
                wert=float(bev),
            )
        )
    rows.append(
        dict(
            kennzahl=k.id,
            ebene="sozialraum",
            raum="ohne Zuordnung",
            periode="2021",
            zaehler=10,
            nenner=10,
            wert=1.0,
        )
    )
    rows.append(
        dict(
            kennzahl=k.id,
            ebene="gesamtstadt",
            raum="Gesamtstadt",
            periode="2021",
            zaehler=410,
            nenner=510,
            wert=410 / 510,
        )
    )
    tab = wirkung.kennzahl_tabelle(pd.DataFrame(rows), k, "2021", produkt=3)
    assert (tab.anzeige.loc["West"] == "nicht bewertet").all()
    assert tab.anzeige.loc["Wiblingen", "Wert"] == "80,0\u00a0%"
    assert "nicht bewertet" in set(tab.audit["grund"])
    internal = wirkung.kennzahl_tabelle(pd.DataFrame(rows), k, "2021", produkt=2)
    assert internal.anzeige.loc["West", "Wert"] == "80,0\u00a0%"
