-- Indexes for the hot queries that had none (see tests/storage/test_query_plans.py).
-- Dispatch reads the members of the crew on duty for every ticket: without this, a scan of all people
-- (100,000 subscribers) per dispatched ticket.
CREATE INDEX IF NOT EXISTS people_crew ON people (crew_id, role);
-- The dispatchers' desk (P3/P4 tickets, no crew reachable) reads people by role.
CREATE INDEX IF NOT EXISTS people_role ON people (role);
