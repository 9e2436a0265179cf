"""The safety officer's content override: the file ``hotline content import`` writes and the bot reads.

TOML, one table per changed item, written whole by the import (never edited in place)::

    [knowledge.smell_gas]
    zh_q = "闻到燃气味怎么办？"     zh = "..."   en_q = "..."   en = "..."
    source = "..."   reviewed = 2026-12-06   enabled = true

    [campaign.spring_festival]
    zh = "..."   en = "..."   source = "..."   reviewed = 2026-12-06   enabled = true

``bot.questions.knowledge`` applies the knowledge tables (a disabled entry is not answered),
``bot.broadcast.calendar`` the campaign tables (a disabled campaign does not fire). Schedules stay in code
review: only texts, sources, review dates and switches are the officer's.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.errors import HotlineError


class ContentError(HotlineError):
    """The override file is unreadable or malformed."""


@dataclass(frozen=True)
class Content:
    knowledge: dict[str, dict[str, Any]] = field(default_factory=dict)
    campaign: dict[str, dict[str, Any]] = field(default_factory=dict)

    def campaign_changes(self) -> dict[str, dict[str, Any]]:
        """Per campaign id, the fields to set on the campaign (``bot.broadcast.calendar.load_calendar``)."""
        out: dict[str, dict[str, Any]] = {}
        for cid, row in self.campaign.items():
            change: dict[str, Any] = {k: row[k] for k in ("source", "reviewed", "enabled") if k in row}
            if "zh" in row and "en" in row:
                change["texts"] = {"zh": row["zh"], "en": row["en"]}
            out[cid] = change
        return out


def read(path: Path | None) -> Content:
    """The override at ``path``; an empty one if ``path`` is None or the file does not exist yet."""
    if path is None or not path.exists():
        return Content()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ContentError(f"{path}: content override unreadable: {exc}") from exc
    if unknown := sorted(set(data) - {"knowledge", "campaign"}):
        raise ContentError(f"{path}: unknown tables {unknown}")
    return Content(dict(data.get("knowledge", {})), dict(data.get("campaign", {})))


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write(path: Path, content: Content) -> None:
    """Write the override atomically (a temporary file renamed over the old one)."""
    lines = ["# Written by `hotline content import`; edit the spreadsheet and import it again.", ""]
    for kind, rows in (("knowledge", content.knowledge), ("campaign", content.campaign)):
        for item_id, row in rows.items():
            lines.append(f"[{kind}.{item_id}]")
            lines += [f"{key} = {_value(value)}" for key, value in row.items()]
            lines.append("")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(path)
