"""parse_mode handling and users' command entities, including a property test for HTML escaping."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox import ApiError
from sandbox.markup import format_text, parse_html, parse_markdown, user_entities, utf16_len


def test_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html("🔥 <b>泄漏</b> &lt;1m&gt; <a href='https://x.cn/a?b=1&amp;c=2'>map</a>")
    assert text == "🔥 泄漏 <1m> map"
    assert entities[0] == {"type": "bold", "offset": 3, "length": 2}
    assert entities[1] == {"type": "text_link", "offset": 11, "length": 3, "url": "https://x.cn/a?b=1&c=2"}


def test_html_pre_with_language_and_errors() -> None:
    assert parse_html('<pre><code class="language-py">x</code></pre>')[1] == [
        {"type": "pre", "offset": 0, "length": 1, "language": "py"}
    ]
    for bad, detail in [
        ("<b>x", "end tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("<div>x</div>", "Unsupported"),
    ]:
        with pytest.raises(ApiError, match=detail):
            parse_html(bad)


def test_markdown_v2_requires_escapes() -> None:
    text, entities = parse_markdown(r"*Leak* at 3\.5 km \- [map](https://x.cn)", v2=True)
    assert text == "Leak at 3.5 km - map"
    assert [e["type"] for e in entities] == ["bold", "text_link"]
    with pytest.raises(ApiError, match="reserved"):
        parse_markdown("Call 96777.", v2=True)
    assert format_text("Call 96777.", "Markdown") == ("Call 96777.", [])
    assert format_text("<b>raw</b>", None) == ("<b>raw</b>", [])


@given(st.text(max_size=200))
def test_escaped_html_is_plain_text(source: str) -> None:
    assert parse_html(html.escape(source, quote=False)) == (source, [])


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80))
def test_user_entities_stay_inside_the_text(text: str) -> None:
    for entity in user_entities(text):
        assert entity["offset"] >= 0 and entity["offset"] + entity["length"] <= utf16_len(text)


def test_commands_are_found_like_telegram() -> None:
    assert user_entities("/start CODE") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert [e["offset"] for e in user_entities("并 /help@gas_bot now, not a/b or /")] == [2]
