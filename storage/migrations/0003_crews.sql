-- The duty rota, stored: rotations (lanes of crews taking turns) and overrides (explicit shifts, swaps,
-- leave, extra cover). Each row holds the pydantic model of bot.rota as JSON; times are UTC text.
CREATE TABLE rota_rotations (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL
);

CREATE TABLE rota_overrides (
    id        INTEGER PRIMARY KEY,
    start_utc TEXT NOT NULL,
    end_utc   TEXT NOT NULL,
    data      TEXT NOT NULL
);
CREATE INDEX rota_overrides_span ON rota_overrides (end_utc, start_utc);

-- Every import that replaced a part of the rota. Once rotations were imported, the stored rotations are
-- the rota (even none); before that the configuration's [rota] is.
CREATE TABLE rota_imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('rotations', 'shifts')),
    format      TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    rows        INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

-- One-time invitation codes that link a chat account to a staff role. Only a hash of the code is kept.
CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    code_hash  TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('crew', 'lead', 'dispatcher', 'supervisor', 'admin')),
    crew       TEXT,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    INTEGER REFERENCES people(id)
);
CREATE INDEX invites_used_by ON invites (used_by);

-- The daily check for uncovered duty periods: timers are rows (one per check), rebuilt into a job at start-up.
CREATE TABLE rota_checks (
    id         INTEGER PRIMARY KEY,
    due_at_utc TEXT NOT NULL UNIQUE,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    gaps       INTEGER,
    done_at    TEXT
);
