"""Spreadsheet import/export helpers shared by the apps (a plain package, not an app)."""
