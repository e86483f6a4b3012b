-- Tests for functions/audit: audit.record, audit.track, audit.ensure_partitions.
BEGIN;
SELECT plan(15);

SELECT is_definer('audit', 'record', ARRAY['text', 'text', 'text', 'text', 'jsonb', 'jsonb'], 'audit.record is SECURITY DEFINER');
SELECT volatility_is('audit', 'track', ARRAY[]::text[], 'volatile', 'audit.track is VOLATILE');

CREATE TEMP TABLE t_user AS SELECT identity.register_user('audit-test-sub', 'STAFF', 'Audit Tester') AS id;

-- a domain event recorded by an application role, caller known from request.jwt.claims
SELECT set_config('request.jwt.claims', '{"sub": "audit-test-sub", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT throws_ok($$SELECT audit.record('test', 'test.forged', '1', 'FORGED')$$, '42501', NULL,
                 'an API session cannot write audit events itself (issue 14, item 7)');
RESET ROLE;
-- audit.record is internal (SECURITY DEFINER functions and audit.track call it as the owner); granted in this
-- rolled-back transaction only, to unit-test it as the application role whose claims it records.
GRANT EXECUTE ON FUNCTION audit.record(text, text, text, text, jsonb, jsonb) TO mercato_user;
SET LOCAL ROLE mercato_user;
SELECT lives_ok($$SELECT audit.record('test', 'test.thing', '42', 'THING_HAPPENED', NULL, '{"x": 1}')$$,
                'an application role records an event through audit.record');
RESET ROLE;
SELECT is((SELECT actor_user_id FROM audit.event WHERE entity_type = 'test.thing' AND entity_id = '42'),
          (SELECT id FROM t_user), 'the actor comes from the JWT claims');
SELECT is((SELECT actor_subject FROM audit.event WHERE entity_type = 'test.thing' AND entity_id = '42'),
          'audit-test-sub', 'the subject is stored');
SELECT is((SELECT new_values FROM audit.event WHERE entity_type = 'test.thing' AND entity_id = '42'),
          '{"x": 1}'::jsonb, 'new values are stored as jsonb');

-- row changes through the trigger
SELECT set_config('request.jwt.claims', '', true);
SELECT identity.create_tenant('audit-tenant', 'Audit Tenant');
UPDATE identity.tenant SET name = 'Renamed' WHERE code = 'audit-tenant';
SELECT is((SELECT count(*) FROM audit.event WHERE entity_type = 'identity.tenant'
             AND entity_id = (SELECT id::text FROM identity.tenant WHERE code = 'audit-tenant')), 2::bigint,
          'insert and update of a tracked table are logged');
SELECT is((SELECT old_values ->> 'name' FROM audit.event WHERE entity_type = 'identity.tenant' AND action = 'UPDATE'
             AND entity_id = (SELECT id::text FROM identity.tenant WHERE code = 'audit-tenant')),
          'Audit Tenant', 'old values are kept');
UPDATE identity.tenant SET name = name WHERE code = 'audit-tenant';
SELECT is((SELECT count(*) FROM audit.event WHERE entity_type = 'identity.tenant'
             AND entity_id = (SELECT id::text FROM identity.tenant WHERE code = 'audit-tenant')), 2::bigint,
          'an update that changes nothing is not logged');

-- partitions
SELECT is(audit.ensure_partitions('2031-05-17', 1), 2, 'ensure_partitions creates the missing months');
SELECT is(audit.ensure_partitions('2031-05-17', 1), 0, 'and is idempotent');
SELECT throws_ok($$SELECT audit.ensure_partitions(now(), -1)$$, 'PT400', NULL, 'bad arguments are refused');

-- partitions are kept months ahead by the job, never by a write (functions/audit/record): drop next month's, record an
-- event, and only the job brings it back
CREATE TEMP TABLE t_far AS
SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month', '"event_y"YYYY"m"MM') AS name;
SELECT lives_ok(format('DROP TABLE audit.%I', (SELECT name FROM t_far)), 'next month''s partition can be dropped (empty)');
SELECT audit.record('test', 'test.thing', '43', 'THING_HAPPENED');
SELECT jobs.run('audit.partitions_ahead');
SELECT ok(to_regclass('audit.' || (SELECT name FROM t_far)) IS NOT NULL,
          'the audit.partitions_ahead job recreated the partitions ahead of time');

SELECT * FROM finish();
ROLLBACK;
