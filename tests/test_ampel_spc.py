"""Issue 30: the Ampel with intervals, the four SPC rules, provisional limits, new baselines with
a dated reason, and the assurance against a Zielwert (small hand-built pools)."""

from __future__ import annotations

import pytest
from test_ampel import ALT, _spc_rows, check_config, detail, feld, row, run

from kennzahlen.core.periods import quartale_range

from test_ampel import CATALOG  # isort: skip

QS = quartale_range("2019-Q1", "2024-Q4")


def test_target_missed_beyond_tolerance_but_not_surely_is_gelb():
    """24 of 100 against at most 20 %: 4 pp above a tolerance of 3 pp, but the Wilson interval
    16,7–33,2 % reaches 20 %: 'nicht sicher verfehlt' -> gelb (before: rot). 240 of 1.000:
    21,5–26,7 %: "verfehlt" -> rot."""
    rows = [
        row("ziel_niedrig", "West", "2023-Q3", 24, 100),
        row("ziel_niedrig", "West", "2023-Q4", 240, 1000),
    ]
    ind = {"kennzahl": "ziel_niedrig", "regel": "zielwert", "toleranz_pp": 3}
    _, d = run(rows, {"egh": feld(ind)}, quartale=["2023-Q3", "2023-Q4"])
    q3, q4 = detail(d, "2023-Q3"), detail(d, "2023-Q4")
    assert (q3["farbe"], q3["zielvergleich"]) == ("gelb", "nicht sicher verfehlt")
    assert (q3["intervall_unten"], q3["intervall_oben"]) == pytest.approx(
        (0.1669, 0.3323), abs=1e-4
    )
    assert "nicht sicher verfehlt: 95-%-Intervall 16,7\u00a0% bis 33,2\u00a0%" in q3["begruendung"]
    assert (q4["farbe"], q4["zielvergleich"]) == ("rot", "verfehlt")
    assert "sicher verfehlt: 95-%-Intervall 21,5\u00a0% bis 26,7\u00a0%" in q4["begruendung"]


def test_provisional_limits_from_six_values_grau_before():
    """Default baseline 12: from the 6th value on the limits are provisional (from the values so
    far, the current one included); the 5th is grau. 10, 12, 10, 12, 10, 12: mean 11, mR 2 ->
    5,68 .. 16,32. Then 25: of the seven values mean 13, moving ranges 2 (x5) and 13; 13 is over
    3,267 x their mean 3,83 and is screened out: limits 13 ± 2,66 x 2 = 7,68 .. 18,32."""
    rows = _spc_rows("anzahl_q", [10, 12] * 3, [25])
    ind = {"kennzahl": "anzahl_q", "regel": "spc", "name": "Räumungsklagen"}
    _, d = run(rows, {"ws": feld(ind)}, quartale=QS[4:7])
    assert detail(d, QS[4])["farbe"] == "grau"
    assert "Basis noch unvollständig (5 von 12 Werten)" in detail(d, QS[4])["begruendung"]
    q6 = detail(d, QS[5])
    assert q6["grenzen_vorlaeufig"] and q6["obere_grenze"] == pytest.approx(16.32)
    assert "vorläufige Grenzen aus 6 von 12 Werten" in q6["begruendung"]
    q7 = detail(d, QS[6])
    assert q7["obere_grenze"] == pytest.approx(18.32)
    assert q7["signal"] == "ueber_grenze" and q7["farbe"] == "rot"


def test_no_light_looks_ahead():
    """A quarter's light uses only the values known then: adding later values changes nothing."""
    basis = [10, 12] * 6
    kurz = _spc_rows("anzahl_q", basis, [13, 13])
    lang = _spc_rows("anzahl_q", basis, [13, 13, 13, 13, 13, 30])
    ind = {"kennzahl": "anzahl_q", "regel": "spc"}
    q = QS[13]
    a = detail(run(kurz, {"ws": feld(ind)}, quartale=[q])[1], q)
    b = detail(run(lang, {"ws": feld(ind)}, quartale=[q])[1], q)
    assert (a["farbe"], a["signal"], a["begruendung"]) == (
        b["farbe"],
        b["signal"],
        b["begruendung"],
    )


def test_trend_of_seven_rising_is_gelb_when_lower_is_better_and_switchable():
    basis = [10, 12] * 6  # mean 11, limits 5,68 .. 16,32
    nach = [7, 8, 9, 10, 11, 12, 13]  # seven rising, all within the limits
    rows = _spc_rows("anzahl_q", basis, nach)
    ind = {"kennzahl": "anzahl_q", "regel": "spc"}
    q = QS[len(basis) + 6]
    d = run(rows, {"ws": feld(ind)}, quartale=[q])[1]
    assert detail(d, q)["signal"] == "trend_steigend" and detail(d, q)["farbe"] == "gelb"
    assert "7 Werte in Folge steigend" in detail(d, q)["begruendung"]
    alt = run(rows, {"ws": feld(ind)}, quartale=[q], regeln={"spc": {"signale": ["grenze"]}})[1]
    assert detail(alt, q)["signal"] == "" and detail(alt, q)["farbe"] == "gruen"


def test_two_of_three_near_the_upper_limit_is_gelb():
    """Near lines 11 ± 2/3 x 5,32 = 7,45 .. 14,55: 15, 12, 15 -> the third closes the pattern."""
    rows = _spc_rows("anzahl_q", [10, 12] * 6, [15, 12, 15])
    ind = {"kennzahl": "anzahl_q", "regel": "spc"}
    q = QS[14]
    d = run(rows, {"ws": feld(ind)}, quartale=[QS[12], q])[1]
    assert detail(d, QS[12])["farbe"] == "gruen"  # one point near the limit alone is no signal
    assert detail(d, q)["signal"] == "zwei_von_drei_ueber" and detail(d, q)["farbe"] == "gelb"
    assert "zwei von drei Werten nahe der oberen Grenze" in detail(d, q)["begruendung"]
    alt = run(rows, {"ws": feld(ind)}, quartale=[q], regeln=ALT)[1]
    assert detail(alt, q)["farbe"] == "gruen"


def test_new_baseline_with_a_dated_reason_starts_new_limits():
    """Level 11 for 12 quarters, then a wanted change to about 21: without a new baseline every
    later value is beyond the limit (rot); with one from the change on, the new segment gets
    provisional limits from its own values (grau until six)."""
    basis = [10, 12] * 6
    rows = _spc_rows("anzahl_q", basis, [20, 22] * 4)
    q_neu, q6 = QS[12], QS[17]
    ind = {"kennzahl": "anzahl_q", "regel": "spc"}
    ohne = run(rows, {"ws": feld(ind)}, quartale=[q6])[1]
    assert detail(ohne, q6)["farbe"] == "rot"
    neu = {
        **ind,
        "neue_basis": [
            {"ab": q_neu, "beschlossen_am": "12.04.2022", "grund": "Neue Meldewege ab 2022"}
        ],
    }
    d = run(rows, {"ws": feld(neu)}, quartale=[QS[16], q6])[1]
    assert detail(d, QS[16])["farbe"] == "grau"  # 5 values of the new segment
    r = detail(d, q6)
    assert r["farbe"] == "gruen" and r["vergleichswert"] == pytest.approx(21)
    assert "neu gesetzt ab 2022-Q1 am 12.04.2022: Neue Meldewege ab 2022" in r["begruendung"]


@pytest.mark.parametrize(
    "neue_basis, message",
    [
        ({"ab": "2022-Q1", "grund": "Neue Meldewege ab 2022"}, "beschlossen_am"),
        ({"ab": "2022-Q1", "beschlossen_am": "2022-04-12"}, "grund"),
        ({"ab": "2022-Q1", "beschlossen_am": "2022-04-12", "grund": "neu"}, "zu kurz"),
        ({"ab": "2022/1", "beschlossen_am": "2022-04-12", "grund": "Neue Meldewege"}, "Quartal"),
        ({"ab": "2022-Q1", "beschlossen_am": "31.02.2022", "grund": "Neue Meldewege"}, "Datum"),
    ],
)
def test_new_baseline_needs_a_quarter_a_date_and_a_reason(neue_basis, message):
    raw = {"arbeitsfelder": {"ws": feld({"kennzahl": "anzahl_q", "regel": "spc", "neue_basis": [
        neue_basis
    ]})}}  # fmt: skip
    setup, problems = check_config(raw, CATALOG)
    assert setup is None
    text = " ".join(problems)
    assert "neue_basis" in text and message in text, problems


def test_new_baseline_must_follow_the_fixed_one_and_is_refused_for_the_rise_rule():
    nb = [{"ab": "2020-Q1", "beschlossen_am": "2020-05-01", "grund": "Neue Meldewege 2020"}]
    spc = {"kennzahl": "anzahl_q", "regel": "spc", "basis_von": "2019-Q1", "basis_bis": "2020-Q4"}
    _, problems = check_config({"arbeitsfelder": {"ws": feld({**spc, "neue_basis": nb})}}, CATALOG)
    assert any("liegt nicht nach basis_bis 2020-Q4" in x for x in problems), problems
    rise = {"kennzahl": "bestand", "regel": "anstieg", "neue_basis": nb}
    _, problems = check_config({"arbeitsfelder": {"es": feld(rise)}}, CATALOG)
    assert any("neue_basis gilt nur für die Regeln spc und zielwert" in x for x in problems)
    bad = {"spc": {"basis_perioden": 8, "vorlaeufig_ab": 9}}
    _, problems = check_config({"regeln": bad, "arbeitsfelder": {"ws": feld(spc)}}, CATALOG)
    assert any("vorlaeufig_ab (9) darf nicht größer als basis_perioden (8)" in x for x in problems)


def test_assurance_of_a_target_indicator():
    """A quarterly share around 80 % (79/100, 81/100, …; limits 74,7 .. 85,3 %) against a
    Zielwert of at least 90 %: the process will not meet it without a change."""
    werte = [79, 81] * 6
    rows = [
        row("ziel_hoch", "West", q, w, 100) for q, w in zip(QS[: len(werte)], werte, strict=True)
    ]
    ind = {"kennzahl": "ziel_hoch", "regel": "zielwert"}
    d = run(rows, {"egh": feld(ind)}, quartale=[QS[3], QS[11]])[1]
    assert detail(d, QS[11])["zielsicherheit"] == "sicher verfehlt"
    assert detail(d, QS[3])["zielsicherheit"] == ""  # four values: no limits yet


@pytest.mark.parametrize(
    ("zielsicherheit", "satz"),
    [
        ("sicher erreicht", "bleibt der Verlauf so, erreicht er den Zielwert verlässlich"),
        ("sicher verfehlt", "ändert sich der Verlauf nicht, verfehlt er den Zielwert verlässlich"),
        ("wechselnd", "der Zielwert liegt innerhalb der üblichen Schwankung: mal erreicht, mal"),
    ],
)
def test_the_assurance_reads_as_one_clause(zielsicherheit, satz):
    """The reason names the course once ("der Verlauf wird ihn bei gleichem Verlauf …" said it
    twice) and keeps the colour at its end."""
    from kennzahlen.ampel.rules.spc import mit_zielsicherheit

    grund = "Anteil: 91,2 %, Zielwert mindestens 85,0 % erreicht → grün"
    out = mit_zielsicherheit(grund, {"zielsicherheit": zielsicherheit}, None)
    assert out.startswith("Anteil: 91,2 %, Zielwert mindestens 85,0 % erreicht; Regelkarte: ")
    assert satz in out and out.endswith(" → grün")
    assert out.count("Verlauf") <= 1
    vorl = mit_zielsicherheit(
        grund, {"zielsicherheit": zielsicherheit, "grenzen_vorlaeufig": 1}, None
    )
    assert "; vorläufige Regelkarte: " in vorl
