"""Raw exports read and checked: CSV/XLSX text, values and rows, superseding."""
