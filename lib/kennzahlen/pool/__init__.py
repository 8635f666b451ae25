"""The data pool: counting rules, Abdeckung, the versioned pool on disk."""
