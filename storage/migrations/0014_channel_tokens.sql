-- A channel's access token (WeChat's stable_token, WeCom's gettoken) with its expiry: one row per channel,
-- shared by every process on this database, so a restart or a second instance does not fetch a new one.
CREATE TABLE channel_tokens (
    channel TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    refreshed_at TEXT NOT NULL
);
