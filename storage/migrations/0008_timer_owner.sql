-- A report's abandoned-report timer is cancelled by its owner (channel, user in the timer's data) when the
-- report is sent or cancelled. timers_due narrows that to the pending timers only, and in a surge every
-- report in progress has one: each send or cancel read them all (1,000 in the benchmark's surge).
-- json_extract: SQLite's own; PostgreSQL's is defined by 0008_timer_owner.postgres.sql.
CREATE INDEX IF NOT EXISTS timers_pending_owner
    ON timers (kind, json_extract(data, '$.channel'), json_extract(data, '$.user'))
    WHERE status = 'pending';
