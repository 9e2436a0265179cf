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

-- Each copy of a template card (one per member: its task_id is the message id the outbox keeps) and its
-- buttons as shown (payloads) and a digest of the text the member last saw of it (told): an edit that keeps them is sent as a note, so the single-use code waits for the
-- edit that changes them ("taken by", a status). A copy that could not be updated any more is followed by a
-- new one (replaced_by).
CREATE TABLE wecom_cards (
    task_id TEXT PRIMARY KEY,
    userid TEXT NOT NULL,
    payloads TEXT NOT NULL DEFAULT '',
    told TEXT NOT NULL DEFAULT '',
    replaced_by TEXT
);

-- The response_codes that may update a copy, each once within 72 h: from message/send, then one per click.
CREATE TABLE wecom_card_codes (
    code TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE INDEX wecom_card_codes_task ON wecom_card_codes (task_id, issued_at);
