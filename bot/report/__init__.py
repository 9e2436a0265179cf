"""The monthly and yearly report for the archive: ``hotline report month 2026-11`` / ``hotline report year 2026``.

``period`` the month or year in the utility's time zone; ``figures`` the figures, pure functions of the rows
``storage.report_rows`` reads; ``workbook`` the Excel workbook; ``charts`` the charts; ``pdf`` the PDF;
``cli`` the command. The figures are defined in README.md ("The monthly report").
"""
