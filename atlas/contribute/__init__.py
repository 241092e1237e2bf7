"""Changing the data: add, look-ups, duplicates, import, enrich, refresh, all-or-nothing edits."""
