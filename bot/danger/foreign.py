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

_PHRASES: tuple[tuple[str, str], ...] = (
    # Russian
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
    # Spanish, French, German (their accents folded by casefold, kept as letters)
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
    # Korean
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
    # Japanese: into Chinese, which its kanji already are
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
_PATTERN = re.compile("|".join(f"({p})" for p, _ in _PHRASES))


def translate(folded: str) -> str:
    """The text with the danger words of other languages replaced by the rules' words (casefolded input)."""
    return _PATTERN.sub(lambda m: _PHRASES[(m.lastindex or 1) - 1][1], folded)
