"""The safety officer's content: the override file, the spreadsheet, the checks."""
