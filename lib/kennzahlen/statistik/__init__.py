"""Statistics on pool values: the rule for trend words."""
