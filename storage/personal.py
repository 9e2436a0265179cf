"""What is personal in the database: the one list ``hotline purge`` works from (bot/cli/purge.py).

A person's data is what could identify a resident or what they told us in their own words: their number,
address, name, Telegram id (a ticket's ``chat``, a person's ``external_id``), free-text answers and photos,
notes and relayed messages about them, a dispatcher's reason for closing their ticket, the exact map pin.
Kept for the monthly and yearly figures: category, severity, status, cause, crew, every time stamp, choice
answers (inside/outside, strength, valve, ...), who of the staff did what and when, the pin rounded to ~1 km.

Staff accounts are not purged (they are the utility's own people, kept while they work there: see
``hotline staff``). A resident's ``people`` row stays while they use the bot (it is their chat and their
tips subscription); a purged ticket no longer points at it.
"""

from __future__ import annotations

# -- tickets closed before the cutoff (each once: ``purged_at``) --------------------------------------------

# column -> the value it gets
TICKET_CLEARED: dict[str, object] = {"phone": None, "address": None, "chat": ""}
# rounded to this many decimals (2: about 1 km, enough for a district map)
TICKET_ROUNDED = ("latitude", "longitude")
PIN_DECIMALS = 2
# ``tickets.details``: only the answers chosen from buttons stay (bot.intake.forms ``Ask.CHOICE``); free text,
# numbers and photos go
# ``tickets.resident_id`` and the resident's own ``ticket_events.actor_id``: the anonymous person instead
ANONYMOUS = ("purged", "anonymous")  # (channel, external_id) of the one person every purged ticket points at

# ``ticket_events.data``: only these keys stay (codes, counts, ids; never anyone's words) ...
EVENT_KEYS_KEPT = frozenset(
    {"severity", "category", "cause", "recipients", "on_duty", "step", "crew", "status", "level", "measure"}
    | {"stars", "related", "photo"}
)
# ... and these only for these kinds of event, where they are a code (a /close reason is free text: it goes)
EVENT_CODES_KEPT: dict[str, frozenset[str]] = {"declined": frozenset({"reason"})}

# ``outbox.payload`` of the ticket's notifications: these fields of the message become PURGED_TEXT, its pin
# is rounded, its buttons go; a notification still waiting is dropped. ``outbox.chat``: cleared on the rows
# that went to the resident.
MESSAGE_TEXT_KEYS = ("text", "caption", "address", "title", "photo")
PURGED_TEXT = "[purged]"

# ``feedback`` of the ticket: column -> the value it gets
FEEDBACK_CLEARED: dict[str, object] = {"comment": None}

# -- residents whose purged tickets were their last open ones -------------------------------------------------
PERSON_CLEARED: dict[str, object] = {"phone": None, "name": ""}

# -- rows about no ticket, last touched before the cutoff ------------------------------------------------------
# unfinished reports (an address typed, then nothing): deleted
CONVERSATIONS_DELETED = True
# ``outbox`` rows sent (or failed) about no ticket (an abandoned report's alert to the desk carries its
# address): payload scrubbed as above, chat cleared
# ``timers.data`` of finished timers (an abandoned-report timer holds the resident's id): emptied; a timer
# still pending that chases an unfinished report (deleted above) is cancelled as well
TIMER_DATA_CLEARED = "{}"
TIMERS_OF_UNFINISHED_REPORTS = ("abandoned",)
# ``audit`` (refused actions): the stranger's id and what they sent
AUDIT_CLEARED: dict[str, object] = {"actor": "", "detail": ""}
