"""The product's own exceptions; ``except`` clauses catch these, never bare ``Exception`` (but the one
catch-all at the update boundary)."""


class HotlineError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigError(HotlineError):
    """The configuration is missing or wrong; the message names the key."""


class StorageError(HotlineError):
    """The database is unusable (migration failed, newer schema than this code, ...)."""


class NotAllowed(HotlineError):
    """Someone tried an action their role does not permit; always audited."""


class StaleAction(HotlineError):
    """A button or command refers to a ticket or step that has moved on."""
