-- Verify mercato:schemas/audit/rls on pg

BEGIN;

SELECT 1 / relrowsecurity::int FROM pg_class WHERE oid = 'audit.event'::regclass;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its policies
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = x.tab::regclass AND p.polname = x.name)::int
  FROM (VALUES ('audit.event', 'event_service')) AS x(tab, name);

ROLLBACK;
