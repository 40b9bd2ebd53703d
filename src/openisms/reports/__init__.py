"""The one export layer: tables as CSV and XLSX, documents as PDF and DOCX.

Domain apps build plain data (headers, rows, titles, the lines every page repeats) and hand it
to this package; nothing here imports a domain app. Every text cell of every format passes
through :func:`openisms.reports.cells.safe_cell`, so no exported value is evaluated as a
spreadsheet formula.
"""
