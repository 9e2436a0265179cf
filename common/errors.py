"""The product's own exceptions; ``except`` clauses catch these, never bare ``Exception`` (but the one
catch-all at the update boundary)."""

from bot.i18n import Lang, t


class HotlineError(Exception):
    """Base of every error the product raises on purpose."""


class OperatorError(HotlineError):
    """An error the ``hotline`` command shows to the operator: a text of ``cli.toml`` (``key``, ``values``)
    that the command says in the operator's language; ``str()`` is the English text (logs, tracebacks)."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(t(Lang.EN, f"cli.{key}", **values))
        self.key, self.values = key, values


class ConfigError(HotlineError):
    """The configuration is missing or wrong; the message names the key."""


class StorageError(HotlineError):
    """The database is unusable (migration failed, newer schema than this code, ...)."""


class ReportError(HotlineError):
    """A report that cannot be written (a bad month, a missing font or system library); one line says why."""
