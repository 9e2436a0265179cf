-- Reminders and broadcasts: seasonal campaign runs, broadcasts with per-recipient delivery rows,
-- subscription changes, and a resident's explicitly chosen district. Times are UTC ISO-8601 text.

-- One row per broadcast: a seasonal tip, an admin's broadcast or a dispatcher's area notice.
-- status: draft (previewed, not confirmed) -> queued (confirmed; recipients being listed)
--         -> sending -> done; or cancelled. `prepared_upto` is the person id listed so far.
CREATE TABLE broadcasts (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('tip', 'broadcast', 'notice')),
    campaign_id   TEXT,
    audience      TEXT NOT NULL,
    texts         TEXT NOT NULL,
    photo         TEXT,
    priority      INTEGER NOT NULL,
    urgent        INTEGER NOT NULL DEFAULT 0,
    channel       TEXT NOT NULL DEFAULT 'telegram',
    status        TEXT NOT NULL CHECK (status IN ('draft', 'queued', 'sending', 'done', 'cancelled')),
    created_by    INTEGER REFERENCES people(id),
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT,
    started_at    TEXT,
    finished_at   TEXT,
    prepared_upto INTEGER NOT NULL DEFAULT 0,
    audience_size INTEGER NOT NULL DEFAULT 0,
    sent          INTEGER NOT NULL DEFAULT 0,
    blocked       INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    uncertain     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX broadcasts_status ON broadcasts (status, priority, id);

-- One row per recipient of a broadcast. `sending` = handed to the channel by a running process; a
-- row still `sending` when the broadcaster starts was cut off by a crash: it becomes `uncertain` and is
-- never sent again (a tip is never sent twice).
CREATE TABLE broadcast_deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    chat         TEXT NOT NULL,
    lang         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'uncertain')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT,
    error        TEXT,
    message_id   TEXT,
    done_at      TEXT,
    PRIMARY KEY (broadcast_id, person_id)
) WITHOUT ROWID;
CREATE INDEX broadcast_deliveries_status ON broadcast_deliveries (broadcast_id, status, person_id);

-- Timers are rows: each planned firing of a seasonal campaign, fired at most once.
CREATE TABLE campaign_runs (
    campaign_id      TEXT NOT NULL,
    scheduled_at_utc TEXT NOT NULL,
    fire_at_utc      TEXT NOT NULL,
    local_date       TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'missed', 'cancelled')),
    broadcast_id     INTEGER REFERENCES broadcasts(id),
    fired_at         TEXT,
    PRIMARY KEY (campaign_id, scheduled_at_utc)
);
CREATE INDEX campaign_runs_due ON campaign_runs (status, fire_at_utc);

-- Subscription history: first-start notice, /tips on|off, the stop button, blocked by the person.
CREATE TABLE subscription_events (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    at        TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('notified', 'on', 'off', 'blocked')),
    source    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX subscription_events_person ON subscription_events (person_id, action);

-- A district the resident chose explicitly (otherwise it comes from the location of their latest report).
CREATE TABLE person_districts (
    person_id  INTEGER PRIMARY KEY REFERENCES people(id),
    district   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
