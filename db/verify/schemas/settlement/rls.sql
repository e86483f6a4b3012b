-- Verify mercato:schemas/settlement/rls on pg
-- Existence and privileges only. Fails when a table has row-level security off, a policy is missing, or a reader
-- lacks SELECT (division by zero).

BEGIN;

SELECT 1 / (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = t)::int
  FROM unnest(ARRAY['settlement.cycle'::regclass, 'settlement.cycle_line'::regclass]) t;

SELECT 1 / (SELECT count(*) FROM pg_policy p WHERE p.polname = x.name AND p.polrelid = x.rel)::int
  FROM (VALUES ('cycle_service', 'settlement.cycle'::regclass), ('cycle_own', 'settlement.cycle'::regclass),
               ('cycle_line_service', 'settlement.cycle_line'::regclass),
               ('cycle_line_own', 'settlement.cycle_line'::regclass)) AS x(name, rel);

SELECT 1 / (has_table_privilege(r, t, 'SELECT'))::int
  FROM unnest(ARRAY['settlement.cycle'::regclass, 'settlement.cycle_line'::regclass]) t,
       unnest(ARRAY['mercato_user', 'mercato_service']) r;

ROLLBACK;
