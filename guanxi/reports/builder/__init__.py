"""The report builder (issue 6): pick a dimension and measures, get a table and a
chart; save, export (XLSX/CSV/PDF) and e-mail it on a schedule. See docs/reports.md."""
