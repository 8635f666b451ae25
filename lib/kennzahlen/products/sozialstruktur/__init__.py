"""Produkt 1, Sozialstrukturelle Daten: tables, maps and the Sozialmonitoring."""
