-- Incidents: reports near an open P1/P2 join its incident instead of producing a crew card each. An incident
-- is named by its lead ticket (the one whose card the crews have); each joined report stays a ticket of its
-- own for its resident. The card's edits are throttled: when the last one was queued and whether something
-- changed since (a timer row brings the next one).
CREATE TABLE incidents (
    lead_ticket_id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    card_edited_at TEXT,
    card_stale INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE incident_reports (
    ticket_id INTEGER PRIMARY KEY,
    lead_ticket_id INTEGER NOT NULL,
    distance_m REAL,
    joined_at TEXT NOT NULL
);
CREATE INDEX incident_reports_lead ON incident_reports (lead_ticket_id, distance_m);
-- Safety cards sent as paid broadcasts ([outbound] paid_safety_cards): how many per UTC day, for /sla.
CREATE TABLE paid_sends (
    day TEXT PRIMARY KEY,
    messages INTEGER NOT NULL DEFAULT 0
);
