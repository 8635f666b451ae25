"""The demo's steering deliveries for Ulm as data (constants only; built into files by
:mod:`kennzahlen.demo.steuerung`): explanations, measures for Ampel lights, staff.

Invented, but written the way the Fachkoordination/Fachplanung and the Sozialraumteamleitungen
would. The staff sizes follow the demo's case numbers with caseloads usual in the field
(docs/annahmen.md, "Demo-Daten"): about 19 VZÄ SD-F, 11–11,5 VZÄ Fallmanagement EGH, 2,5 VZÄ
Teilhabeteams and 3 VZÄ Fallmanagement Hilfe zur Pflege, spread over the five Sozialraumteams.
"""

#: (quartal, gebiet, kennzahl, arbeitsfeld, text, rolle, datum); one file per quarter
ERLAEUTERUNGEN = (
    (
        "2022-Q3",
        "Gesamtstadt",
        "egh_z2_anteil_nahfeld",
        "",
        "Ab dem 3. Quartal 2022 gilt die neue Definition der Nahfeld- und sozialräumlichen "
        "Ressourcen (Fachplanung EGH); der Anteil ist seither nur eingeschränkt mit den "
        "Vorquartalen vergleichbar.",
        "Fachplanung Eingliederungshilfe",
        "2022-10-14",
    ),
    (
        "2022-Q4",
        "Mitte/Ost",
        "",
        "jh",
        "Drei Inobhutnahmen mit anschließender Heimunterbringung im November; Fallrevision "
        "der stationären Hilfen vereinbart.",
        "Fachkoordination Jugendhilfe",
        "2023-01-16",
    ),
    (
        "2023-Q1",
        "Böfingen",
        "es_gsi_stationaer",
        "",
        "Neue Pflegeeinrichtung am Eichenplatz (Belegung seit Sommer 2022); die Bewohner*innen "
        "beziehen zum Teil Grundsicherung in Einrichtungen.",
        "Fachkoordination Existenzsicherung",
        "2023-04-17",
    ),
    (
        "2023-Q3",
        "West",
        "",
        "ah",
        "Ein ambulanter Pflegedienst in der Weststadt hat im August 2023 geschlossen; mehrere "
        "Pflegebedürftige wechselten in stationäre Pflege.",
        "Fachplanung Altenhilfe",
        "2023-10-16",
    ),
    (
        "2023-Q4",
        "Gesamtstadt",
        "jh_uma_gesamt",
        "",
        "Seit dem Herbst 2023 mehr Zuweisungen unbegleiteter minderjähriger Geflüchteter durch "
        "das Land; die Inobhutnahmen betreffen vor allem Mitte/Ost und West.",
        "Fachkoordination Jugendhilfe",
        "2024-01-15",
    ),
    (
        "2023-Q4",
        "Mitte/Ost",
        "jh_hze_stationaer",
        "",
        "Nach der Fallrevision (Maßnahme M-2022-04) sind mehrere Kinder mit ambulanter Hilfe in "
        "ihre Familien zurückgekehrt; neue Heimunterbringungen gab es kaum.",
        "Fachkoordination Jugendhilfe",
        "2024-01-15",
    ),
    (
        "2023-Q4",
        "Eselsberg",
        "asylblg_leistungsberechtigte",
        "",
        "Die Gemeinschaftsunterkunft Mähringer Weg ist seit dem Sommer 2023 voll belegt; die "
        "Zuweisungen des Landes sind gestiegen.",
        "Fachkoordination Existenzsicherung",
        "2024-01-17",
    ),
    (
        "2023-Q4",
        "Mitte/Ost",
        "jh_uma_gesamt",
        "",
        "Neue Clearingstelle für unbegleitete Minderjährige in der Innenstadt; die Jugendlichen "
        "werden hier erfasst, bis ein Platz in einer Wohngruppe frei ist.",
        "Sozialraumteamleitung",
        "2024-01-15",
    ),
    (
        "2023-Q4",
        "Wiblingen",
        "",
        "jh",
        "Zwei Geschwistergruppen mussten stationär untergebracht werden; ohne sie läge der "
        "Bestand auf dem Niveau des Vorjahres. Eine Stelle im SD-F ist seit März unbesetzt.",
        "Sozialraumteamleitung",
        "2024-01-16",
    ),
    (
        "2023-Q4",
        "West",
        "",
        "ah",
        "Nach der Schließung des Pflegedienstes ist die ambulante Versorgung noch nicht wieder "
        "aufgebaut; die Fallkonferenz mit dem Pflegestützpunkt hat sich verzögert.",
        "Fachplanung Altenhilfe",
        "2024-01-16",
    ),
    (
        "2023-Q4",
        "Mitte/Ost",
        "",
        "egh",
        "Die Nahfeld-Quote des 3. Quartals war durch eine verspätete Nacherfassung verzerrt; "
        "das 4. Quartal ist fachlich unauffällig.",
        "Fachplanung Eingliederungshilfe",
        "2024-01-17",
    ),
)
ERLAEUTERUNGEN_STAND = {
    "2022-Q3": "2022-10-17",
    "2022-Q4": "2023-01-18",
    "2023-Q1": "2023-04-19",
    "2023-Q3": "2023-10-18",
    "2023-Q4": "2024-01-19",
}

#: (massnahme_id, quartal, gebiet, arbeitsfeld, anlass, massnahme, verantwortlich, frist,
#:  beschlossen_am, erledigt_am, ergebnis); beschlossen_am: from which export on it is listed
MASSNAHMEN = (
    (
        "M-2022-01",
        "2022-Q3",
        "Wiblingen",
        "jh",
        "rot",
        "Offene Sprechstunde des SD-F im Bürgerzentrum Wiblingen, damit Familien vor einer "
        "Hilfe zur Erziehung beraten werden",
        "Sozialraumteamleitung",
        "2023-03-31",
        "2022-10-20",
        "2023-03-15",
        "Sprechstunde seit Januar 2023 jeden Dienstag; etwa 20 Beratungen im Monat.",
    ),
    (
        "M-2022-02",
        "2022-Q3",
        "Böfingen",
        "es",
        "rot",
        "Neue stationäre Fälle der Grundsicherung einzeln prüfen: Zuzug in Einrichtungen oder "
        "Wechsel aus der eigenen Wohnung?",
        "Fachkoordination Existenzsicherung",
        "2022-12-31",
        "2022-10-20",
        "2023-01-20",
        "Anstieg durch die neue Pflegeeinrichtung am Eichenplatz erklärt; nicht steuerbar, "
        "weiter beobachten.",
    ),
    (
        "M-2022-03",
        "2022-Q3",
        "Mitte/Ost",
        "ws",
        "rot",
        "Gespräch mit der UWS: Mietrückstände früher an die Wohnraumsicherung melden",
        "Schuldnerberatung/Wohnraumsicherung",
        "2022-12-15",
        "2022-10-20",
        "2022-11-30",
        "Vereinbarung: Meldung ab zwei Monatsmieten Rückstand statt nach der Kündigung.",
    ),
    (
        "M-2022-04",
        "2022-Q4",
        "Mitte/Ost",
        "jh",
        "rot",
        "Fallrevision aller stationären Hilfen mit Rückkehrperspektive",
        "Fachkoordination Jugendhilfe",
        "2023-06-30",
        "2023-01-19",
        "2023-06-20",
        "Sieben Fälle geprüft, zwei Rückführungen mit ambulanter Hilfe eingeleitet.",
    ),
    (
        "M-2022-05",
        "2022-Q4",
        "Wiblingen",
        "egh",
        "rot",
        "Schulung des Teilhabeteams zur neuen Definition der Nahfeld-Ressourcen",
        "Fachplanung Eingliederungshilfe",
        "2023-03-31",
        "2023-01-19",
        "2023-02-28",
        "Schulung am 14.02.2023; alle Fallberatungen nutzen den neuen Erfassungsbogen.",
    ),
    (
        "M-2023-01",
        "2023-Q1",
        "Eselsberg",
        "egh",
        "rot",
        "Kollegiale Fallberatung zu Nahfeld-Ressourcen in jeder zweiten Sitzung des Teilhabeteams",
        "Sozialraumteamleitung",
        "2023-09-30",
        "2023-04-20",
        "2023-09-26",
        "Seit Mai 2023 eingeführt; Nahfeld-Ressourcen werden in fast jedem Fall besprochen.",
    ),
    (
        "M-2023-02",
        "2023-Q3",
        "Böfingen",
        "ws",
        "gelb",
        "Gespräch mit der UWS über die Räumungsklagen eines Vermieters",
        "Schuldnerberatung/Wohnraumsicherung",
        "2023-12-15",
        "2023-10-19",
        "2023-12-05",
        "Drei Klagen nach Ratenvereinbarung zurückgenommen.",
    ),
    (
        "M-2023-03",
        "2023-Q3",
        "West",
        "ah",
        "rot",
        "Fallkonferenz mit Pflegestützpunkt und ambulanten Diensten: Versorgungslücke nach der "
        "Schließung des Pflegedienstes schließen",
        "Fachplanung Altenhilfe",
        "2023-11-30",
        "2023-10-19",
        "",
        "",
    ),
    (
        "M-2023-04",
        "2023-Q4",
        "Wiblingen",
        "es",
        "gelb",
        "Neue Fälle der Hilfe zum Lebensunterhalt auf vorrangige Leistungen (Wohngeld, "
        "Kinderzuschlag) prüfen",
        "Fachkoordination Existenzsicherung",
        "2024-03-31",
        "2024-01-18",
        "",
        "",
    ),
)
#: the Stand of each re-export of the list (the day after the quarter's Ampel was switched)
MASSNAHMEN_STAND = (
    "2022-10-21",
    "2023-01-20",
    "2023-04-21",
    "2023-07-21",
    "2023-10-20",
    "2024-01-22",
)

#: staff in VZÄ per service and Sozialraum from 31.03.2022 on, and the changes (Stichtag: new value)
PERSONAL = {
    "SD-F": {"Böfingen": 4.0, "Eselsberg": 3.5, "Mitte/Ost": 3.0, "West": 5.5, "Wiblingen": 4.0},
    "Fallmanagement EGH": {
        "Böfingen": 1.75,
        "Eselsberg": 1.75,
        "Mitte/Ost": 2.25,
        "West": 3.0,
        "Wiblingen": 1.75,
    },
    "Teilhabeteam": dict.fromkeys(("Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen"), 0.5),
    "Fallmanagement AH": {
        "Böfingen": 0.5,
        "Eselsberg": 0.5,
        "Mitte/Ost": 0.5,
        "West": 0.75,
        "Wiblingen": 0.75,
    },
}
PERSONAL_AENDERUNGEN = (
    ("2023-03-31", "SD-F", "Wiblingen", 3.0),  # a post vacant since March 2023
    ("2023-09-30", "Fallmanagement EGH", "West", 3.5),  # more cases: post increased
)
PERSONAL_AB = "2022-03-31"
