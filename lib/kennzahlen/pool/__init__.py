"""The data pool: counting rules, coverage, the versioned pool on disk."""
