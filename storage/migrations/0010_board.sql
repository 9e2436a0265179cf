-- One-time sign-in links to the dispatch board (`hotline board`): the bot records each link it sends (/board);
-- the board marks it used when it signs the staff member in, so a link works once, for five minutes, for the
-- person it was sent to. Logins and refused links are rows of `audit`.
CREATE TABLE board_links (
    id          TEXT PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    issued_at   TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
