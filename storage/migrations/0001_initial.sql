-- Crews first: people refer to them (PostgreSQL wants a table to exist before a reference to it).
CREATE TABLE crews (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    group_chat TEXT
);

-- People: residents and staff, one row per account on a channel. Times are UTC ISO-8601 text.
CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL DEFAULT 'telegram',
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    lang        TEXT NOT NULL DEFAULT 'zh',
    phone       TEXT,
    role        TEXT NOT NULL DEFAULT 'resident'
                CHECK (role IN ('resident', 'crew', 'lead', 'dispatcher', 'supervisor', 'admin')),
    crew_id     INTEGER REFERENCES crews(id),
    tips        INTEGER NOT NULL DEFAULT 1,
    unreachable_at TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

-- Tickets: one per report. `details` holds the form's answers as JSON.
CREATE TABLE tickets (
    id           INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES people(id),
    channel      TEXT NOT NULL,
    chat         TEXT NOT NULL,
    lang         TEXT NOT NULL,
    category     TEXT NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('P1', 'P2', 'P3', 'P4')),
    status       TEXT NOT NULL,
    address      TEXT,
    latitude     REAL,
    longitude    REAL,
    phone        TEXT,
    details      TEXT NOT NULL DEFAULT '{}',
    crew_id      INTEGER REFERENCES crews(id),
    assignee_id  INTEGER REFERENCES people(id),
    cause        TEXT,
    created_at   TEXT NOT NULL,
    accepted_at  TEXT,
    arrived_at   TEXT,
    resolved_at  TEXT,
    closed_at    TEXT
);
CREATE INDEX tickets_open ON tickets (status, severity, created_at);
CREATE INDEX tickets_resident ON tickets (resident_id, created_at);

-- The audit trail: every state change of a ticket, with who and when.
CREATE TABLE ticket_events (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    at        TEXT NOT NULL,
    actor_id  INTEGER REFERENCES people(id),
    kind      TEXT NOT NULL,
    data      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- Refused actions (a resident pressing a crew button, forged callback data, ...).
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    channel   TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);

-- Conversation state per person: a restart mid-report resumes at the same step.
CREATE TABLE conversations (
    channel    TEXT NOT NULL,
    user_ref   TEXT NOT NULL,
    flow       TEXT NOT NULL,
    step       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, user_ref)
);

-- The durable outbox: every notification is a row until the channel confirmed it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL,
    chat            TEXT NOT NULL,
    priority        INTEGER NOT NULL,
    payload         TEXT NOT NULL,
    ticket_id       INTEGER REFERENCES tickets(id),
    purpose         TEXT NOT NULL DEFAULT '',
    recipient_id    INTEGER REFERENCES people(id),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    message_id      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at, priority);
CREATE INDEX outbox_ticket ON outbox (ticket_id, purpose);

-- Timers are rows: escalation deadlines and other scheduled steps, rebuilt into jobs at start-up.
CREATE TABLE timers (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    ticket_id  INTEGER REFERENCES tickets(id),
    step       INTEGER NOT NULL DEFAULT 0,
    due_at_utc TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
    data       TEXT NOT NULL DEFAULT '{}',
    UNIQUE (kind, ticket_id, step)
);
CREATE INDEX timers_due ON timers (status, due_at_utc);
