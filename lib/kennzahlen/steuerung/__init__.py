"""The steering loop's data: explanations, measures, staff (Produkt 2 and 4).

- :mod:`.konfig`: ``config/steuerung.yaml`` (roles, thresholds of a notable change, staff
  services with their case weights), validated on load.
- :mod:`.tabellen`: the deliveries ``erlaeuterungen``, ``massnahmen`` and ``personal`` as pool
  tables (the reports never read ``data/raw/``).
- :mod:`.personal`: Personalbemessung und Fallverteilung (Fälle je VZÄ, Soll/Ist).
- :mod:`.erlaeuterungen`, :mod:`.massnahmen`: what Produkt 2 and 4 show of them.

These tables are internal: no public product (Produkt 3) reads them.
"""
