-- WeChat Official Account: what the callback took (durable before the passive reply), the customer-service
-- window of each resident, the numbered choices last shown to them, and the template messages' outcomes.
CREATE TABLE wechat_inbox (
    inbox_key TEXT PRIMARY KEY,          -- "m:<MsgId>" for a message, "e:<FromUserName>:<CreateTime>:<Event>" for an event
    openid TEXT NOT NULL,
    body TEXT NOT NULL,                  -- the decrypted XML, kept until handled (replayed after a crash)
    received_at TEXT NOT NULL,
    handled_at TEXT,
    reply TEXT                           -- the passive reply's plain XML ('' when there was none)
);
CREATE INDEX wechat_inbox_open ON wechat_inbox (handled_at, received_at);

CREATE TABLE wechat_windows (
    openid TEXT PRIMARY KEY,
    message_at TEXT,                     -- the resident's last message: 5 sends within 48 h after it
    message_sends INTEGER NOT NULL DEFAULT 0,
    event_at TEXT,                       -- the last menu click, follow or scan: 3 sends within a minute after it
    event_sends INTEGER NOT NULL DEFAULT 0,
    followed INTEGER NOT NULL DEFAULT 1  -- 0 after unsubscribe: nothing can reach them
);

CREATE TABLE wechat_choices (
    openid TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    choices TEXT NOT NULL,               -- JSON list of [kind, value, label]: what "1", "2", ... mean now
    shown_at TEXT NOT NULL
);

CREATE TABLE wechat_templates (
    client_msg_id TEXT PRIMARY KEY,
    openid TEXT NOT NULL,
    msg_id TEXT,
    sent_at TEXT NOT NULL,
    status TEXT                          -- TEMPLATESENDJOBFINISH's Status ("success", "failed:user block", ...)
);
