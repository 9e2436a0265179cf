"""Danger recognition: what a resident's message reports, and whether it is happening now.

``detect(text)`` is pure and fast (bounded regexes over one normalised text, no I/O) and returns a
``Danger``: the signals found (gas, CO, fire, someone gravely ill, a milder symptom) and one of four
outcomes, designed for the asymmetry between a missed emergency and one extra tap:
- ``NOW``: danger happening now -> the composed safety card, then the report;
- ``MEDICAL``: someone collapsed, unresponsive, not breathing, convulsing, or several people ill, with no
  gas, CO, heater or fire word -> "call 120" first, then one question about a possible CO source;
- ``MAYBE``: danger words asked as a question, hypothetical, past, from afar, or unclear; or one person's
  symptom with no context -> the answer *and* a short card with one tap to the full card;
- ``NONE``: nothing of the sort.

A symptom next to a gas, CO or heat source (a water heater, charcoal, a closed room, a bathroom) is CO
poisoning until shown otherwise. Only rule names are logged, never the text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.danger import ngrams
from bot.danger.mood import M, Mood, clause_before, conditional, mood_of, negated
from bot.danger.normalize import Views, views
from bot.danger.rules import RULES
from bot.danger.vocab import (
    ALARM_BATTERY,
    ALARM_CO,
    ALARM_FIRE,
    ALARM_KNOWN_CAUSE,
    ALARM_OTHER,
    ALARM_TESTED,
    EN_ALARM,
    EN_CO_TERM,
    FIGURE,
    FIGURE_MED,
    FRAGMENT,
    FRAGMENT_FILLER,
    GAS_DENIED,
    HAS_GAS,
    HEAT_CTX,
    HISS_CAUSE,
    MONEY,
    PPM,
    SMELL_CAUSE,
    SYMPTOM_CAUSE,
    ZH_ALARM,
    ZH_CO_TERM,
    Rule,
)

logger = logging.getLogger(__name__)

# Rules whose evidence an everyday source explains, and that source: with it named as the cause (not as a
# likeness: "像轮胎漏气", "like a struck match") and gas not named, asked about. A meter asked about with the bill
# is the bill's question, unless the message says nothing is on.
EXPLAINED: tuple[tuple[frozenset[str], re.Pattern[str]], ...] = (
    (frozenset({"zh_leak", "zh_hiss", "zh_hiss_like", "en_leak", "en_whistle"}), HISS_CAUSE),
    (frozenset({"zh_smell", "zh_odour", "en_smell", "en_odour"}), SMELL_CAUSE),
    (frozenset({"zh_flow", "zh_flow_more", "zh_flow_open", "en_flow"}), MONEY),
)
_LIKENESS = re.compile(r"(?:像|好像|就像|似|跟|如同|仿佛)[^，。,.]{0,8}$|\blike (?:\S+ ){0,4}$|\bas if (?:\S+ ){0,4}$")
_NOTHING_ON = re.compile(
    r"没(?:有)?开|都关|全关|没人|不在家|nothing(?:'s| is)? (?:on|running)"
    r"|(?:everything|all)(?:'s| is)? (?:off|switched off)"
)


def _explained(source: re.Pattern[str], v: Views) -> bool:
    """The source is named as the cause, not as a likeness."""
    return any(not _LIKENESS.search(v.ctx[max(0, m.start() - 24) : m.start()]) for m in source.finditer(v.ctx))


class Outcome(StrEnum):
    NOW = "now"
    MEDICAL = "medical"
    MAYBE = "maybe"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Danger:
    """What a message reports. ``rules`` names the rules that fired (for logs and tests; no user text)."""

    gas: bool = False  # smell, leak, hiss, gas flowing, a damaged pipe, a gas alarm sounding
    co: bool = False  # CO named, a CO alarm or reading, a flue backdraft, CO poisoning
    co_symptoms: bool = False  # someone ill next to a gas, CO or heat source
    fire: bool = False  # fire, explosion, smoke
    medical: bool = False  # collapsed, unresponsive, not breathing, convulsing, several people ill
    unwell: bool = False  # anyone ill at all
    outcome: Outcome = Outcome.NONE
    rules: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        """A card is owed before anything else: the full card or the medical one."""
        return self.outcome in (Outcome.NOW, Outcome.MEDICAL)


class MessageMood:
    """The message-wide mood, read once, and only when something has found its words (most messages need none)."""

    __slots__ = ("_mood", "_views")

    def __init__(self, v: Views) -> None:
        self._views = v
        self._mood: Mood | None = None

    def __call__(self) -> Mood:
        if self._mood is None:
            self._mood = Mood.of(self._views)
        return self._mood


def _rule_mood(rule: Rule, v: Views, message_mood: MessageMood) -> M | None:
    """The strongest mood among the rule's matches (None: no match; NEG: only denied ones)."""
    if not (v.chinese or rule.latin_too if rule.view == "zh" else v.latin):
        return None
    text = v.zh if rule.view == "zh" else v.en
    first = rule.pattern.search(text)  # most rules find nothing: look before reading the context
    if first is None:
        return None
    if rule.needs is not None and not rule.needs.search(v.ctx):
        return None
    if rule.unless is not None and rule.unless.search(v.ctx) and not (rule.named and HAS_GAS.search(v.ctx)):
        return None
    mood = message_mood()
    message = mood.message(rule.view)
    best: M | None = None
    for m in rule.pattern.finditer(text, first.start()):
        found = mood_of(
            rule.view, text, m.span(), neg=rule.neg, smell=rule.smell, message=message, settled=mood.settled
        )
        best = found if best is None else max(best, found)
        if best is M.NOW:
            break
    return best


def _alarms(v: Views, message_mood: MessageMood) -> list[tuple[str, str, M]]:
    """A sounding alarm: CO, smoke (fire) or, unqualified, gas; and a CO reading in ppm."""
    found: list[tuple[str, str, M]] = []
    for view, pattern in (("zh", ZH_ALARM), ("en", EN_ALARM)):
        if not (v.chinese if view == "zh" else v.latin):
            continue
        text = v.zh if view == "zh" else v.en
        matches = list(pattern.finditer(text))
        if not matches:
            continue
        if ALARM_BATTERY.search(v.ctx):
            break
        mood = message_mood()
        for m in matches:
            start, end = m.span()
            if negated(view, text, start, end, True):
                continue
            found_mood = M.MAYBE if conditional(view, text, start, end) else mood.message(view)
            if found_mood is M.NEG:
                continue
            near = text[max(0, start - 6) : end] if view == "zh" else " ".join(clause_before(text, start, 3))
            near = f"{near} {m.group(0)}"
            if ALARM_CO.search(near):
                tested = ALARM_TESTED.search(v.ctx)
                found.append(("co", f"{view}_co_alarm", min(found_mood, M.MAYBE) if tested else found_mood))
            elif ALARM_FIRE.search(near):
                known = ALARM_KNOWN_CAUSE.search(v.ctx) and not HAS_GAS.search(v.ctx)
                found.append(("fire", f"{view}_smoke_alarm", min(found_mood, M.MAYBE) if known else found_mood))
            elif not ALARM_OTHER.search(near):
                known = ALARM_TESTED.search(v.ctx) and not HAS_GAS.search(v.ctx)
                found.append(("gas", f"{view}_gas_alarm", min(found_mood, M.MAYBE) if known else found_mood))
    for m in PPM.finditer(v.zh):
        level = M.NOW if int(m.group(1)) >= 10 else M.MAYBE
        found.append(("co", "ppm_reading", min(level, message_mood().message("zh"))))
    return found


def _co_terms(v: Views, message_mood: MessageMood) -> list[tuple[str, str, M]]:
    """Carbon monoxide named (not only as the name of a device), and not denied."""
    for view, pattern in (("zh", ZH_CO_TERM), ("en", EN_CO_TERM)):
        text = v.zh if view == "zh" else v.en
        for m in pattern.finditer(text):
            mood = message_mood()
            found = mood_of(
                view, text, m.span(), neg="before", smell=False, message=mood.message(view), settled=mood.settled
            )
            if found is not M.NEG:
                return [("co", f"{view}_co_term", found)]
    return []


def _fragment(v: Views) -> bool:
    """A bare word or two about gas, smoke or fire with nothing else: unclear, so it is asked."""
    if len(v.zh) > 16 or not FRAGMENT.search(v.zh):
        return False
    return not FRAGMENT.sub("", FRAGMENT_FILLER.sub("", v.en if v.zh.isascii() else v.zh)).strip()


def detect(text: str) -> Danger:
    """The dangers a message reports and its outcome (pure, no I/O; safe and fast on any input)."""
    v = views(text)
    mood = MessageMood(v)
    fired: list[tuple[str, str, M]] = []
    denied = False  # a rule found its words and a denial of them ("没有燃气味"): the model may not raise it
    for rule in RULES:
        found = _rule_mood(rule, v, mood)
        if found is M.NEG:
            denied = True
        elif found is not None:
            fired.append((rule.signal, rule.name, found))
    fired += _alarms(v, mood) + _co_terms(v, mood)
    # each check below reads the whole message, so it is made only when a rule it could change has fired
    if any(sig == "gas" for sig, _, _ in fired) and GAS_DENIED.search(v.ctx):
        fired = [(sig, name, min(m, M.MAYBE) if sig == "gas" else m) for sig, name, m in fired]
    if fired and not HAS_GAS.search(v.ctx):
        for names, cause in EXPLAINED:
            if not any(name in names for _, name, _ in fired):
                continue
            if _explained(cause, v) and not (cause is MONEY and _NOTHING_ON.search(v.ctx)):
                fired = [(sig, name, min(m, M.MAYBE) if name in names else m) for sig, name, m in fired]
    now = {signal for signal, _, found in fired if found is M.NOW}
    seen = {signal for signal, _, _ in fired}
    if "med" in seen and FIGURE_MED.search(v.ctx):  # "看到账单直接晕倒", "not breathing a word": nobody is out cold
        now.discard("med")
        seen.discard("med")
    if "sym" in seen and "med" not in seen and (MONEY.search(v.ctx) or FIGURE.search(v.ctx)):
        # "燃气费贵得我头疼", "被气得头晕": a figure of speech, not a symptom
        now.discard("sym")
        seen.discard("sym")
    if "sym" in seen and "med" not in seen and SYMPTOM_CAUSE.search(v.ctx) and not HEAT_CTX.search(v.ctx):
        # "熬夜头疼", "hangover headache": its cause is named, and nothing around it makes carbon monoxide
        now.discard("sym")
        seen.discard("sym")
    if now & {"gas", "fire", "co"} and mood().misdirected:
        # "sorry, wrong number: the oxygen cylinder is leaking": asked, not dispatched
        now -= {"gas", "fire", "co"}
    gas, fire = "gas" in now, "fire" in now
    co = bool(now & {"co", "poison"})
    ill = bool(seen & {"med", "sym", "poison"})
    source = bool(seen & {"gas", "co", "poison", "fire"}) or bool(HEAT_CTX.search(v.ctx))
    co_symptoms = "poison" in now or (bool(now & {"med", "sym"}) and source)
    medical = "med" in now
    if gas or fire or co or co_symptoms:
        outcome = Outcome.NOW
    elif medical:
        outcome = Outcome.MEDICAL
    elif seen - {"sym"} or "sym" in now or _fragment(v):
        outcome = Outcome.MAYBE
    elif not denied and ngrams.score(v) > ngrams.THRESHOLD:  # the second opinion: it only raises NONE to MAYBE
        outcome = Outcome.MAYBE
        fired.append(("model", "ngram_model", M.MAYBE))
    else:
        outcome = Outcome.NONE
    rules = tuple(sorted({name for _, name, _ in fired}))
    if rules:
        logger.debug("danger rules fired: %s -> %s", ", ".join(rules), outcome.value)
    return Danger(
        gas=gas,
        co=co or co_symptoms,
        co_symptoms=co_symptoms,
        fire=fire,
        medical=medical,
        unwell=ill,
        outcome=outcome,
        rules=rules,
    )
