"""Whether a ``-m`` expression leaves out every test that carries a marker, whatever other markers it has: the
folders and files whose tests all carry it are then not collected (tests/conftest.py)."""

from __future__ import annotations

import itertools
import re

from _pytest.mark.expression import Expression

# pytest's identifiers in a match expression, and its keywords
_IDENT = re.compile(r"(?:\w|:|\+|-|\.|\[|\]|\\|/)+")
_KEYWORDS = frozenset({"and", "or", "not", "True", "False", "None"})
_MAX_OTHERS = 10  # 2**10 evaluations at most; more markers than that in one expression: collect everything


def excludes(markexpr: str, mark: str) -> bool:
    """True when ``markexpr`` is false for every test marked ``mark``, whatever its other markers."""
    if "=" in markexpr:  # markers matched by their arguments: not worth reasoning about, collect everything
        return False
    try:
        expression = Expression.compile(markexpr)
    except SyntaxError:
        return False  # pytest reports the expression itself
    others = sorted({name for name in _IDENT.findall(markexpr) if name not in _KEYWORDS} - {mark})
    if len(others) > _MAX_OTHERS:
        return False
    for values in itertools.product((False, True), repeat=len(others)):
        present = {mark} | {name for name, on in zip(others, values, strict=True) if on}
        if expression.evaluate(present.__contains__):
            return False
    return True
