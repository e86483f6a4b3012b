-- Verify mercato:schemas/api/views on pg

BEGIN;

-- every api view runs with the caller's privileges, so row-level security applies
SELECT 1 / (count(*) = 22 AND bool_and(coalesce('security_invoker=true' = ANY (c.reloptions), false)))::int
  FROM pg_class c WHERE c.relnamespace = 'api'::regnamespace AND c.relkind = 'v';

ROLLBACK;
