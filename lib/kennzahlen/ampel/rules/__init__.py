"""The Ampel rules, one module per rule (``regel`` in config/ampel.yaml)."""
