"""Formatted text like Telegram parses it: ``parse_mode`` HTML / MarkdownV2 / Markdown into plain text
plus entities (offsets in UTF-16 code units), and the entities Telegram adds to users' text.

Malformed markup fails like Telegram does (``Bad Request: can't parse entities: ...``), so a bot that
echoes a user's ``<3`` in HTML mode fails here as it would in production.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ApiError, bad_request

Entity = dict[str, Any]

_HTML_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_NAME = re.compile(r"/?\s*([a-zA-Z][a-zA-Z0-9-]*)")
_ATTR = re.compile(r"""([a-zA-Z][\w-]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_HTML_ESCAPE = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_MD2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


@dataclass
class _Builder:
    parts: list[str] = field(default_factory=list)
    pos16: int = 0
    entities: list[Entity] = field(default_factory=list)

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos16 += utf16_len(chunk)

    def entity(self, kind: str, start16: int, **extra: Any) -> None:
        length = self.pos16 - start16
        if length > 0:
            self.entities.append({"type": kind, "offset": start16, "length": length, **extra})

    def result(self) -> tuple[str, list[Entity]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


def parse_html(source: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "&":
            match = _HTML_ESCAPE.match(source, i)
            if match:
                out.add(html.unescape(match.group(0)))
                i = match.end()
                continue
            out.add(char)
            i += 1
            continue
        if char != "<":
            nxt = min((p for p in (source.find("<", i), source.find("&", i)) if p >= 0), default=n)
            out.add(source[i:nxt])
            i = nxt
            continue
        close = source.find(">", i)
        if close < 0:
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(source, i)}")
        body = source[i + 1 : close]
        name_match = _TAG_NAME.match(body)
        name = name_match.group(1).lower() if name_match else body[:10]
        if body.startswith("/"):
            if not stack or stack[-1][0] != name:
                expected = f'expected "</{stack[-1][0]}>", ' if stack else ""
                raise _parse_error(
                    f'Unmatched end tag at byte offset {_byte_offset(source, i)}, {expected}found "</{name}>"'
                )
            tag, start16, attrs = stack.pop()
            language = attrs.get("class", "").removeprefix("language-")
            if tag == "code" and stack and stack[-1][0] == "pre" and attrs.get("class", "").startswith("language-"):
                stack[-1][2]["language"] = language
            else:
                _close_html_entity(out, tag, start16, attrs)
        else:
            attrs = {
                m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
                for m in _ATTR.finditer(body, name_match.end() if name_match else 0)
            }
            if name_match is None or name not in _HTML_TYPES or (name == "span" and attrs.get("class") != "tg-spoiler"):
                raise _parse_error(f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, i)}')
            stack.append((name, out.pos16, attrs))
        i = close + 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html_entity(out: _Builder, tag: str, start16: int, attrs: dict[str, str]) -> None:
    kind = _HTML_TYPES[tag]
    if kind == "text_link":
        href = html.unescape(attrs.get("href", ""))
        if href.startswith("tg://user?id="):
            out.entity(
                "text_mention",
                start16,
                user={"id": int(href.split("=", 1)[1] or 0), "is_bot": False, "first_name": ""},
            )
        elif href:
            out.entity("text_link", start16, url=href)
    elif kind == "custom_emoji":
        out.entity(kind, start16, custom_emoji_id=attrs.get("emoji-id", ""))
    elif kind == "blockquote" and "expandable" in attrs:
        out.entity("expandable_blockquote", start16)
    elif kind == "pre" and attrs.get("language"):
        out.entity(kind, start16, language=attrs["language"])
    else:
        out.entity(kind, start16)


_MD2_TOGGLES = (
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
)
_MD1_TOGGLES = (("*", "bold"), ("_", "italic"))


def parse_markdown(source: str, *, v2: bool) -> tuple[str, list[Entity]]:
    """MarkdownV2 (strict escaping) or legacy Markdown into text and entities."""
    out = _Builder()
    toggles = _MD2_TOGGLES if v2 else _MD1_TOGGLES
    open_at: dict[str, tuple[int, int]] = {}
    link: tuple[int, int] | None = None
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "\\" and v2 and i + 1 < n:
            out.add(source[i + 1])
            i += 2
            continue
        if char == "`":
            fence = "```" if source.startswith("```", i) else "`"
            end = source.find(fence, i + len(fence))
            if end < 0:
                raise _parse_error(f"Can't find end of the entity starting at byte offset {_byte_offset(source, i)}")
            body = source[i + len(fence) : end]
            language = ""
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                if first and " " not in first:
                    language, body = first, rest
            start16 = out.pos16
            out.add(re.sub(r"\\([`\\])", r"\1", body) if v2 else body)
            kind = "pre" if fence == "```" else "code"
            out.entity(kind, start16, **({"language": language} if language else {}))
            i = end + len(fence)
            continue
        toggle = next(((mark, kind) for mark, kind in toggles if source.startswith(mark, i)), None)
        if toggle:
            mark, kind = toggle
            if kind in open_at:
                out.entity(kind, open_at.pop(kind)[0])
            else:
                open_at[kind] = (out.pos16, i)
            i += len(mark)
            continue
        if char == "[" and link is None:
            link = (out.pos16, i)
            i += 1
            continue
        if char == "]" and link is not None:
            match = re.compile(r"\]\(((?:\\.|[^)\\])*)\)").match(source, i)
            if match is None:
                raise _parse_error(f"Can't find end of a url at byte offset {_byte_offset(source, i)}")
            out.entity("text_link", link[0], url=re.sub(r"\\(.)", r"\1", match.group(1)))
            link = None
            i = match.end()
            continue
        if v2 and char in _MD2_RESERVED and not (char == ">" and (i == 0 or source[i - 1] == "\n")):
            raise _parse_error(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
        out.add(char)
        i += 1
    pending = [at for _, at in open_at.values()] + ([link[1]] if link else [])
    if pending:
        raise _parse_error(f"Can't find end of the entity starting at byte offset {_byte_offset(source, min(pending))}")
    return out.result()


def format_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Apply ``parse_mode`` (case-insensitive; empty means plain text)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode in ("markdownv2", "markdown"):
        return parse_markdown(text, v2=mode == "markdownv2")
    if mode:
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    return text, []


def user_entities(text: str) -> list[Entity]:
    """Entities Telegram adds to a user's plain text: ``bot_command`` for ``/start``, ``/help@bot``."""
    entities: list[Entity] = []
    for match in _COMMAND.finditer(text):
        offset = utf16_len(text[: match.start()])
        entities.append({"type": "bot_command", "offset": offset, "length": utf16_len(match.group(0))})
    return entities
