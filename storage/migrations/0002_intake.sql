-- Resident intake: links between reports, and the resident's verdict and rating after resolution.
-- (The calm per-user flood limit keeps its counters in memory: they need no durability.)

-- "Probably the same incident" (a report near an open P1) and "added to" (a second report of the
-- same resident while a ticket is open). Never a silent merge: both tickets stay, the link is shown.
CREATE TABLE ticket_links (
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    related_id INTEGER NOT NULL REFERENCES tickets(id),
    kind       TEXT NOT NULL CHECK (kind IN ('probable_same', 'follows')),
    distance_m REAL,
    at         TEXT NOT NULL,
    PRIMARY KEY (ticket_id, related_id, kind)
);
CREATE INDEX ticket_links_related ON ticket_links (related_id);

-- After resolution: is it fixed (1/0/NULL not answered), a 1-5 rating, an optional comment.
CREATE TABLE feedback (
    ticket_id   INTEGER PRIMARY KEY REFERENCES tickets(id),
    asked_at    TEXT NOT NULL,
    fixed       INTEGER CHECK (fixed IN (0, 1)),
    stars       INTEGER CHECK (stars BETWEEN 1 AND 5),
    comment     TEXT,
    answered_at TEXT
);
