"""The ground: vocabulary, periods, number format, paths, config loader, safe writes."""

#: the package version (pyproject.toml), part of every report's code hash
__version__ = "0.1.0"
