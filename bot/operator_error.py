"""An error the ``hotline`` command shows to the operator in their language (its text is in the catalogs)."""

from bot.i18n import Lang, t
from common.errors import HotlineError


class OperatorError(HotlineError):
    """An error the ``hotline`` command shows to the operator: a text of ``cli.toml`` (``key``, ``values``)
    that the command says in the operator's language; ``str()`` is the English text (logs, tracebacks)."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(t(Lang.EN, f"cli.{key}", **values))
        self.key, self.values = key, values
