-- Tests for functions/audit/retention: old partitions dropped past the horizon, none by default, none too early.
BEGIN;
SELECT plan(6);

-- Partitions for 13 and 14 months ago, each with one event.
SELECT audit.ensure_partitions(date_trunc('month', now()) - interval '14 months', 1);
INSERT INTO audit.event (actor_subject, db_role, module, entity_type, entity_id, action, occurred_at)
SELECT 'test', 'test', 'test', 'thing', n::text, 'OLD', date_trunc('month', now()) - make_interval(months => n) + interval '1 day'
  FROM unnest(ARRAY[13, 14]) n;
CREATE TEMP TABLE t_parts AS
SELECT to_char((date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => n)), '"event_y"YYYY"m"MM') AS name, n
  FROM unnest(ARRAY[13, 14]) n;

SELECT is(audit.drop_old_partitions(), 0, 'AUDIT_RETENTION_MONTHS is 0 by default: nothing is dropped');
SELECT is(audit.drop_old_partitions(24), 0, 'nothing is older than 24 months');
SELECT is(audit.drop_old_partitions(13), 1, 'with 13 months kept, the partition of 14 months ago goes');
SELECT ok(to_regclass('audit.' || (SELECT name FROM t_parts WHERE n = 14)) IS NULL
          AND to_regclass('audit.' || (SELECT name FROM t_parts WHERE n = 13)) IS NOT NULL,
          'only that one: the month 13 months ago stays');
SELECT throws_like($$SELECT audit.drop_old_partitions(-1)$$, 'CORE_INVALID_ARGUMENT:%', 'a negative horizon is refused');
SELECT is((SELECT count(*)::int FROM jobs.job WHERE name = 'audit.retention' AND enabled), 1, 'the retention job is registered');

SELECT * FROM finish();
ROLLBACK;
