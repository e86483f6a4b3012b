-- Tests for schemas/delivery: sessions, codes stored as keyed hashes only, keys unreadable.
BEGIN;
SELECT plan(7);

SELECT tables_are('delivery', ARRAY['session', 'otp', 'otp_attempt', 'handover', 'otp_key']);
SELECT hasnt_column('delivery', 'otp', 'code', 'no column holds a code in clear');
SELECT col_type_is('delivery', 'otp', 'code_hmac', 'bytea', 'codes are stored as HMAC digests');
SELECT table_privs_are('delivery', 'otp', 'mercato_user', ARRAY[]::text[], 'users cannot read codes');
SELECT table_privs_are('delivery', 'otp_key', 'mercato_service', ARRAY[]::text[], 'nobody but the owner reads the keys');
SELECT is((SELECT count(*)::int FROM delivery.otp_key WHERE retired_at IS NULL AND length(secret) >= 32), 1,
          'one current key of 256 bits or more');
SELECT throws_ok($$INSERT INTO delivery.otp_key (secret) VALUES (gen_random_bytes(32))$$, '23505', NULL,
                 'only one key signs new codes at a time');

SELECT * FROM finish();
ROLLBACK;
