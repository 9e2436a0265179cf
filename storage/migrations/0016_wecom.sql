-- WeCom (企业微信): what its callback delivered, written before WeCom is answered, so a retry of the same
-- message or event (same key: MsgId, or the event's user, time, kind and key) is never acted on twice and a
-- crash between the answer and the handling loses nothing (pending rows are handled at the next start).
CREATE TABLE wecom_inbox (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    handled_at TEXT
);
CREATE INDEX wecom_inbox_pending ON wecom_inbox (handled_at, id);

-- Each copy of a template card (one per member: its task_id is the message id the outbox keeps) with the
-- response_code that may update it once, within 72 h: from message/send, then from each click's callback.
-- payloads: its buttons as shown (an edit that keeps them is sent as a note and keeps the code for the edit
-- that changes them, e.g. "taken by"). A copy that could not be updated any more (its code used or expired)
-- is followed by a new one: replaced_by.
CREATE TABLE wecom_cards (
    task_id TEXT PRIMARY KEY,
    userid TEXT NOT NULL,
    response_code TEXT,
    code_at TEXT,
    payloads TEXT NOT NULL DEFAULT '',
    replaced_by TEXT
);
