"""The product's own exceptions; ``except`` clauses catch these, never bare ``Exception`` (but the one
catch-all at the update boundary)."""


class HotlineError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigError(HotlineError):
    """The configuration is missing or wrong; the message names the key."""


class StorageError(HotlineError):
    """The database is unusable (migration failed, newer schema than this code, ...), or a statement failed:
    repositories raise this (or a subclass below), never the driver's own ``sqlite3.Error``."""


class StatementError(StorageError):
    """A statement failed in the database: the driver's error, translated at the storage boundary (it is the
    ``__cause__``)."""


class ConstraintError(StatementError):
    """A write broke a constraint of the schema (a unique key, a foreign key, a check)."""


class DatabaseBusy(StatementError):
    """The database stayed locked by another process past the busy timeout."""


class ReportError(HotlineError):
    """A report that cannot be written (a bad month, a missing font or system library); one line says why."""
