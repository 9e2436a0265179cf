-- Drills (演练): a drill ticket flows like a real one for the crew but is never counted in real figures
-- and never reaches a resident. Every figure and SLA listing reads only tickets with drill = 0.
ALTER TABLE tickets ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_drill ON tickets (drill, created_at);

-- Key sites (重点部位) imported from a spreadsheet (`hotline sites import`); an import replaces them all.
-- The configuration's [[key_sites]] are in force beside them.
CREATE TABLE key_sites (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    latitude    REAL,
    longitude   REAL,
    phone       TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL
);
