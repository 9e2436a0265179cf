"""WeChat's protocol pieces: the signature, safe mode with the current and the previous key, safe XML."""

from __future__ import annotations

import pytest

from channels.wechat.protocol import Keys, Refused, parse, read_xml, sign, signed, text_reply

OLD = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
NEW = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"


def test_the_signature_is_sha1_of_the_sorted_parts() -> None:
    # WeChat's documented example: token "token", timestamp, nonce -> sha1 of their sorted concatenation
    assert sign("token", "1409735669", "1320562132") == sign("1320562132", "token", "1409735669")
    good = sign("token", "1409735669", "1320562132")
    assert signed("token", good, "1409735669", "1320562132")
    assert not signed("token", good, "1409735670", "1320562132")
    assert not signed("other", good, "1409735669", "1320562132")
    assert not signed("token", "", "1409735669", "1320562132")


def test_safe_mode_opens_with_either_key_and_answers_with_the_one_that_opened() -> None:
    xml = text_reply("oUser", "gh_account", "你好 ]]> <b>", at=1700000000)
    sender_old, sender_new = Keys("tok", "wxapp", (OLD,)), Keys("tok", "wxapp", (NEW,))
    bot = Keys("tok", "wxapp", (NEW, OLD))
    for sender, key in ((sender_old, OLD), (sender_new, NEW)):
        sealed = sender.seal(xml, key, "nonce1", "1700000000")
        fields = read_xml(sealed)
        opened, used = bot.open(sealed.encode(), fields["MsgSignature"], "1700000000", "nonce1")
        assert opened == xml and used == key
    sealed = sender_old.seal(xml, OLD, "nonce1", "1700000000")
    with pytest.raises(Refused):  # signed, but for another timestamp
        bot.open(sealed.encode(), read_xml(sealed)["MsgSignature"], "1700000001", "nonce1")
    with pytest.raises(Refused):  # another account's message (its AppID inside)
        Keys("tok", "wxother", (OLD,)).open(sealed.encode(), read_xml(sealed)["MsgSignature"], "1700000000", "nonce1")
    with pytest.raises(Refused):  # neither key
        Keys("tok", "wxapp", (NEW,)).open(sealed.encode(), read_xml(sealed)["MsgSignature"], "1700000000", "nonce1")


def test_a_reply_stays_xml_whatever_its_text() -> None:
    for text in ("a ]]> b <c> & d", "]]>", "<![CDATA[x]]>", "燃气 ]]]]> 泄漏"):
        assert read_xml(text_reply("oUser", "gh_account", text, at=1))["Content"] == text


def test_only_plain_xml_is_read() -> None:
    assert read_xml("<xml><A>1</A><B><![CDATA[二]]></B></xml>") == {"A": "1", "B": "二"}
    for bad in ('<!DOCTYPE x [<!ENTITY e "x">]><xml><A>&e;</A></xml>', "<xml>", "<root/>", "x" * 70_000):
        with pytest.raises(Refused):
            read_xml(bad)
    with pytest.raises(Refused):
        parse("<xml><FromUserName>o</FromUserName></xml>")  # no MsgType: not a message
