-- Verify mercato:schemas/settlement/rls on pg

BEGIN;

SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 2)::int
  FROM pg_class c WHERE c.oid IN ('settlement.cycle'::regclass, 'settlement.cycle_line'::regclass);

ROLLBACK;
