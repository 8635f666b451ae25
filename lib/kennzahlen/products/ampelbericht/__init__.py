"""Produkt 4, Ampel: the grid, reasons, history and the steering sections."""
