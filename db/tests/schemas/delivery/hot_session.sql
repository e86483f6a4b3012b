-- Tests for schemas/delivery/hot_session: one live session per assignment and type, read from the generated live
-- flag; verifying a session is a HOT update (no index entry written).
BEGIN;
SELECT plan(8);
-- Bare rows as the owner: foreign keys and triggers are not what is tested here (constraints still apply).
SET LOCAL session_replication_role = replica;

SELECT col_type_is('delivery', 'session', 'live', 'boolean', 'sessions carry a live flag');
SELECT is((SELECT attgenerated::text FROM pg_attribute WHERE attrelid = 'delivery.session'::regclass AND attname = 'live'),
          's', 'generated from status, stored');

CREATE TEMP TABLE t (k text PRIMARY KEY, v bigint);
WITH x AS (INSERT INTO delivery.session (assignment_id, session_type, business_id, provider_id, vehicle_id, failure_budget)
           VALUES (-5, 'DELIVERY', -1, -1, -1, 5) RETURNING id)
INSERT INTO t SELECT 's', id FROM x;
SELECT throws_ok($$INSERT INTO delivery.session (assignment_id, session_type, business_id, provider_id, vehicle_id, failure_budget)
                   VALUES (-5, 'DELIVERY', -1, -1, -1, 5)$$, '23505', NULL, 'a second pending session of the same handover is refused');
SELECT lives_ok($$INSERT INTO delivery.session (assignment_id, session_type, business_id, provider_id, vehicle_id, failure_budget)
                  VALUES (-5, 'RETURN', -1, -1, -1, 5)$$, 'the return is another handover');

INSERT INTO t SELECT 'hot0', pg_stat_get_xact_tuples_hot_updated('delivery.session'::regclass);
UPDATE delivery.session SET status = 'VERIFIED', verified_at = clock_timestamp() WHERE id = (SELECT v FROM t WHERE k = 's');
SELECT is(pg_stat_get_xact_tuples_hot_updated('delivery.session'::regclass) - (SELECT v FROM t WHERE k = 'hot0'), 1::bigint,
          'verifying a session is a heap-only update: no index entry is written');
SELECT throws_ok($$INSERT INTO delivery.session (assignment_id, session_type, business_id, provider_id, vehicle_id, failure_budget)
                   VALUES (-5, 'DELIVERY', -1, -1, -1, 5)$$, '23505', NULL, 'a VERIFIED session still counts as the live one');

UPDATE delivery.session SET status = 'CANCELLED', verified_at = NULL WHERE id = (SELECT v FROM t WHERE k = 's');
SELECT lives_ok($$INSERT INTO delivery.session (assignment_id, session_type, business_id, provider_id, vehicle_id, failure_budget)
                  VALUES (-5, 'DELIVERY', -1, -1, -1, 5)$$, 'after a cancelled session a new one may start');
SELECT throws_ok($$UPDATE delivery.session SET live = true WHERE assignment_id = -5$$, '428C9', NULL,
                 'the flag cannot be written, only derived');

SELECT * FROM finish();
ROLLBACK;
