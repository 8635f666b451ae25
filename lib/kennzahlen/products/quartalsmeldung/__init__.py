"""Produkt 2, Quartalsmeldung: the Erfassungsbogen, its Excel file, the steering sections."""
