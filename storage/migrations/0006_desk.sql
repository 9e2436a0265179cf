-- The dispatcher's desk and escalation: which crews a ticket was offered to (only they may accept it),
-- and timers looked up by ticket. Notes, relayed messages, SLA breaches are ticket_events.
CREATE TABLE ticket_offers (
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    crew_id    INTEGER NOT NULL REFERENCES crews(id),
    offered_at TEXT NOT NULL,
    PRIMARY KEY (ticket_id, crew_id)
);
CREATE INDEX timers_ticket ON timers (ticket_id, kind, status);
