"""The danger words of the languages a city's foreign residents may write in, as the rules' words.

A resident from Moscow, Seoul, Osaka, Madrid, Lyon or Hamburg writes in their own language and often adds
the one Chinese word they know (燃气, 煤气). The rules read Chinese and English; these phrases become the
English (or, in Japanese, which shares the Chinese characters, the Chinese) words that mean the same, in
place, so "Пахнет газом на кухне, что делать?" reads "smells gas на кухне, what do i do?". Only the words
of an emergency: gas, smell, leak, hiss, pipe, stove, flame, fire, won't go out, collapsed, unconscious,
help, what do I do, windows. Longer phrases come first.
"""

from __future__ import annotations

import re

_RUSSIAN: tuple[tuple[str, str], ...] = (
    (r"не выключается|не гаснет|не тухнет", " won't turn off "),
    (r"что делать|что мне делать", " what do i do "),
    (r"без сознания", " unconscious "),
    (r"газов\w*|газ\w*", " gas "),
    (r"пахнет|запах\w*|воняет", " smells "),
    (r"утечк\w*", " leak "),
    (r"шипит|шипение", " hissing "),
    (r"труб\w*|шланг\w*", " pipe "),
    (r"плит\w*", " stove "),
    (r"пожар|горит", " fire "),
    (r"пламя|огонь", " flame "),
    (r"упал\w*|потерял\w* сознание", " collapsed "),
    (r"помогите", " help "),
    (r"у меня|в квартире|дома", " my home "),
    (r"на кухне|кухн\w*", " kitchen "),
    (r"окн\w*", " windows "),
)
# Spanish, French, German (their accents folded by casefold, kept as letters); every phrase starts a word
_WESTERN: tuple[tuple[str, str], ...] = (
    (r"no se apaga|ne s'éteint pas|ne s'eteint pas|geht nicht aus|lässt sich nicht ausschalten", " won't turn off "),
    (r"¿?qué hago\??|que hago|qu'est-ce que je fais|que faire|was soll ich tun|was tun", " what do i do "),
    (
        r"huele a|olor a|ça sent (?:le|la)|ca sent (?:le|la)|sent (?:le|la)|odeur de|riecht nach|geruch nach",
        " smells of ",
    ),
    (r"\b(?:olor|odeur|geruch)\b", " smell "),
    (r"\b(?:fuga|fuite|leck|undicht)\b", " leak "),
    (r"\b(?:tubo|tubería|tuberia|tuyau|rohr|leitung|manguera)\b", " pipe "),
    (r"\b(?:estufa|gazinière|gaziniere|gasherd|cocina de gas)\b", " gas stove "),
    (r"\b(?:sigue|brennt weiter)\b", " still "),
    (r"\b(?:saliendo|strömt aus)\b", " coming out "),
    (r"\b(?:fuego|feu|flamme)\b", " flame "),
    (r"\b(?:ayuda|aidez-moi|au secours|hilfe)\b", " help "),
    (r"\b(?:chez moi|bei mir|zu hause|en casa|mi casa)\b", " my home "),
    (r"je dois sortir|dois-je sortir|soll ich (?:raus|rausgehen|gehen)|debo salir|tengo que salir", " should i leave "),
    (r"¿abro|¿puedo abrir|debo abrir|j'ouvre|dois-je ouvrir|soll ich (?:das |die )?fenster öffnen", " should i open "),
    (r"\b(?:öffnen|abrir|ouvrir)\b", " open "),
    (r"\b(?:cocina|cuisine|küche)\b", " kitchen "),
    (r"\b(?:ventanas?|fenêtres?|fenetres?|fenster)\b", " windows "),
    (r"se rompió|se rompio|cassé|casse|kaputt|gebrochen", " broke "),
    (r"inconsciente|inconscient|bewusstlos", " unconscious "),
)
_KOREAN: tuple[tuple[str, str], ...] = (
    (r"안 ?꺼져요|안 ?꺼져|꺼지지 않", " won't turn off "),
    (r"어떻게 해요|어떡해요|어떻게 하", " what do i do "),
    (r"의식이 없", " unconscious "),
    (r"쓰러졌", " collapsed "),
    (r"찢어졌|터졌|부서졌|깨졌|끊어졌", " broken "),
    (r"가스", " gas "),
    (r"냄새", " smell "),
    (r"새요|새고|누출", " leak "),
    (r"호스|배관|파이프", " pipe "),
    (r"가스레인지|레인지", " stove "),
    (r"불이|불", " flame "),
    (r"소리", " sound "),
    (r"도와주세요|살려주세요", " help "),
    (r"창문", " windows "),
    (r"주방|부엌", " kitchen "),
    (r"집에", " my home "),
    (r"나가야|대피", " should i leave "),
    (r"열어", " open "),
)
# Japanese: into Chinese, which its kanji already are (a Japanese message always has kana)
_JAPANESE: tuple[tuple[str, str], ...] = (
    (r"火が消えません|火が消えない|消えません|消えない", "火关不掉"),
    (r"意識がありません|意識がない|意识がありません|意识がない", "没有意识"),
    (r"倒れ\w*", "倒下了"),
    (r"ガス", "燃气"),
    (r"臭い|におい|匂い|にお", "味"),
    (r"漏れ\w*", "漏"),
    (r"窓を開け", "开窗"),
    (r"湯沸かし器|湯沸し器", "热水器"),
    (r"コンロ", "灶"),
    (r"台所|キッチン", "厨房"),
    (r"の", "的"),
    (r"助けて", "救命"),
)


class _Language:
    """One language's phrases as one pattern, tried only when the text has the language's script (``script``)."""

    def __init__(self, script: str | None, phrases: tuple[tuple[str, str], ...], start: str = "") -> None:
        self.script = re.compile(script) if script else None
        self.words = [word for _, word in phrases]
        self.pattern = re.compile(start + "(?:" + "|".join(f"({p})" for p, _ in phrases) + ")")

    def translate(self, text: str) -> str:
        if self.script is not None and not self.script.search(text):
            return text
        return self.pattern.sub(lambda m: self.words[(m.lastindex or 1) - 1], text)


# Each pattern is a long alternation tried at every position: scanning only where it can match keeps a long
# English message's recognition well under a millisecond
_LANGUAGES = (
    _Language(r"[\u0400-\u04ff]", _RUSSIAN),
    _Language(None, _WESTERN, start=r"(?<![a-z\u00df-\u00ff])(?=[a-z\u00df-\u00ff¿])"),
    _Language(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]", _KOREAN),
    _Language(r"[\u3040-\u30ff]", _JAPANESE),
)


def translate(folded: str) -> str:
    """The text with the danger words of other languages replaced by the rules' words (casefolded input)."""
    for language in _LANGUAGES:
        folded = language.translate(folded)
    return folded
