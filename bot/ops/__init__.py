"""The operator's side: health, metrics endpoints, log format and safety, the database file guard."""
