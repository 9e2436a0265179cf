"""Photos one channel's adapter kept in our storage (WeChat's media expire in 3 days), named so another channel's
adapter can send them: ``stored:<file name>`` under the media folder both are given."""

from __future__ import annotations

import re
from pathlib import Path

PREFIX = "stored:"
_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$")


def stored_ref(name: str) -> str:
    if not _NAME.match(name) or ".." in name:
        raise ValueError(f"not a stored file name: {name!r}")
    return PREFIX + name


def stored_path(root: Path | None, ref: str) -> Path | None:
    """The file a ``stored:`` reference names under ``root`` (None: not such a reference, or not a plain name)."""
    if root is None or not ref.startswith(PREFIX):
        return None
    name = ref.removeprefix(PREFIX)
    if not _NAME.match(name) or ".." in name:
        return None
    return root / name
