-- Tests for schemas/delivery: sessions, codes stored as keyed hashes only, keys unreadable.
BEGIN;
SELECT plan(15);

SELECT tables_are('delivery', ARRAY['session', 'otp', 'otp_attempt', 'handover', 'otp_key']);
SELECT hasnt_column('delivery', 'otp', 'code', 'no column holds a code in clear');
SELECT col_type_is('delivery', 'otp', 'code_hmac', 'bytea', 'codes are stored as HMAC digests');
SELECT table_privs_are('delivery', 'otp', 'mercato_user', ARRAY[]::text[], 'users cannot read codes');
SELECT table_privs_are('delivery', 'otp_key', 'mercato_service', ARRAY[]::text[], 'nobody but the owner reads the keys');
SELECT is((SELECT count(*)::int FROM delivery.otp_key WHERE retired_at IS NULL AND length(secret) >= 32), 1,
          'one current key of 256 bits or more');
SELECT throws_ok($$INSERT INTO delivery.otp_key (secret) VALUES (gen_random_bytes(32))$$, '23505', NULL,
                 'only one key signs new codes at a time');

-- The live flag: the partial-index predicates read it, so hot state changes are HOT updates.
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
