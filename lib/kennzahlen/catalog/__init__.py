"""What a city configures: Kennzahlen catalog and versions, geography, steering."""
