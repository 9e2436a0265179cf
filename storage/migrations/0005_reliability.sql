-- Reliability and privacy: when a closed ticket was anonymised by `hotline purge` (NULL: not yet).
ALTER TABLE tickets ADD COLUMN purged_at TEXT;
CREATE INDEX tickets_purge ON tickets (status, purged_at);
