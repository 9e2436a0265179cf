-- Taking staff access back. An invite cancelled before use, or the link it made revoked, gets revoked_at
-- (and who did it); a revoked invite gives no role, neither at /start nor at the start-up sync.
ALTER TABLE invites ADD COLUMN revoked_at TEXT;
ALTER TABLE invites ADD COLUMN revoked_by TEXT;

-- Accounts whose configured staff role was revoked while the configuration still lists them: the start-up
-- sync does not give the role back. The row goes when the configuration stops listing the account, or a
-- new invite links it again.
CREATE TABLE staff_revocations (
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    revoked_at  TEXT NOT NULL,
    revoked_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (channel, external_id)
);

-- Who took whose staff access, and when: every revocation and cancelled invite (refusals stay in audit).
CREATE TABLE staff_audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    person_id   INTEGER REFERENCES people(id),
    detail      TEXT NOT NULL DEFAULT ''
);
