-- Tests for functions/audit/record: no DDL in application transactions; a month without a partition is refused loudly.
BEGIN;
SELECT plan(4);

SELECT unalike((SELECT prosrc FROM pg_proc WHERE oid = 'audit.record(text, text, text, text, jsonb, jsonb)'::regprocedure),
              '%ensure_partitions%', 'audit.record creates no partition');
SELECT lives_ok($$SELECT audit.record('test', 'thing', '1', 'CREATED')$$, 'with this month''s partition, it records');
-- Drop this month's partition (rolled back at the end), as if the job had never run: the write must fail with the
-- catalogued error, not create it.
DO $$ BEGIN EXECUTE format('DROP TABLE audit.%I',
                           to_char(now() AT TIME ZONE 'UTC', '"event_y"YYYY"m"MM')); END $$;
SELECT throws_like($$SELECT audit.record('test', 'thing', '2', 'CREATED')$$, 'AUDIT_NO_PARTITION:%',
                   'without this month''s partition a write is refused with AUDIT_NO_PARTITION');
SELECT is((SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'audit.event'::regclass
            AND inhrelid::regclass::text = to_char(now() AT TIME ZONE 'UTC', '"audit.event_y"YYYY"m"MM')), 0,
          'and no partition was created by the refused write');

SELECT * FROM finish();
ROLLBACK;
