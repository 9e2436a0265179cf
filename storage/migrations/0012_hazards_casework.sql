-- Hazards found by a crew, to be rectified by a deadline (限期整改). A hazard closes only when a crew
-- member or an inspector confirms the fix; the resident's "done" (with a photo) only asks for that check.
CREATE TABLE hazards (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    kind          TEXT NOT NULL,
    party         TEXT NOT NULL CHECK (party IN ('resident', 'property', 'business')),
    rule          TEXT NOT NULL,
    recorded_by   INTEGER REFERENCES people(id),
    found_at      TEXT NOT NULL,
    due_at_utc    TEXT NOT NULL,
    remind_at_utc TEXT NOT NULL,
    reminded_at   TEXT,
    overdue_at    TEXT,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'reported', 'fixed')),
    reported_at   TEXT,
    photo         TEXT,
    fixed_at      TEXT,
    fixed_by      INTEGER REFERENCES people(id),
    UNIQUE (ticket_id, kind)
);
-- the deadline sweep's reads: partial indexes, so they stay small as the archive grows
CREATE INDEX hazards_status ON hazards (status, due_at_utc);
CREATE INDEX hazards_unreminded ON hazards (remind_at_utc) WHERE status = 'open' AND reminded_at IS NULL;

-- Reports that belong to another department (occupation, illegal connection, theft: the inspection
-- queue) and complaints: a one-working-day deadline, who acknowledged, the outcome told to the reporter,
-- the escalation when the deadline was missed, and a complainant's rating.
CREATE TABLE cases (
    ticket_id       INTEGER PRIMARY KEY REFERENCES tickets(id),
    kind            TEXT NOT NULL CHECK (kind IN ('inspection', 'complaint')),
    opened_at       TEXT NOT NULL,
    due_at_utc      TEXT NOT NULL,
    acked_at        TEXT,
    acked_by        INTEGER REFERENCES people(id),
    outcome         TEXT,
    outcome_at      TEXT,
    escalated_at    TEXT,
    stars           INTEGER CHECK (stars BETWEEN 1 AND 5)
);
CREATE INDEX cases_unanswered ON cases (due_at_utc) WHERE escalated_at IS NULL AND outcome IS NULL;

-- Household safety inspections booked into configured slots ([[booking.plans]]). A slot is a district and
-- a start time; a booking is taken only while the slot has room (one conditional INSERT: two residents
-- pressing for the last place at once cannot both get it). Moving a booking cancels it and books anew.
CREATE TABLE bookings (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    resident_id   INTEGER NOT NULL REFERENCES people(id),
    district      TEXT NOT NULL,
    slot_at_utc   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'done')),
    booked_at     TEXT NOT NULL,
    remind_at_utc TEXT NOT NULL,
    reminded_at   TEXT,
    done_at       TEXT,
    done_by       INTEGER REFERENCES people(id)
);
CREATE INDEX bookings_slot ON bookings (district, slot_at_utc, status);
CREATE INDEX bookings_ticket ON bookings (ticket_id, status);
CREATE INDEX bookings_day ON bookings (slot_at_utc) WHERE status != 'cancelled';
CREATE INDEX bookings_unreminded ON bookings (remind_at_utc) WHERE status = 'booked' AND reminded_at IS NULL;
