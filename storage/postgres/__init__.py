"""PostgreSQL behind the same ``Database`` API as SQLite (``[storage] url = "postgresql://..."``): the shared store
of a leader and its standbys. The SQL of the repositories is one portable form; what differs is translated here."""
