-- 0008_timer_owner.sql for PostgreSQL: SQLite's json_extract(text, '$.key') for the top-level keys the
-- repositories read, as an immutable function (so the repositories' SQL is one form for both engines and the
-- index below can use it), then the same partial index.
CREATE OR REPLACE FUNCTION json_extract(data TEXT, path TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT (data::jsonb) #>> string_to_array(substr(path, 3), '.') $$;
CREATE INDEX IF NOT EXISTS timers_pending_owner
    ON timers (kind, json_extract(data, '$.channel'), json_extract(data, '$.user'))
    WHERE status = 'pending';
