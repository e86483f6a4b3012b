-- Verify mercato:schemas/audit/rls on pg

BEGIN;

SELECT 1 / relrowsecurity::int FROM pg_class WHERE oid = 'audit.event'::regclass;

ROLLBACK;
