"""Statistics on pool values: intervals, trend words, control charts, ring comparisons."""
