"""The duty rota: who is on duty when, its files (CSV, iCalendar), checks and uncovered periods."""
