-- Tests for schemas/payments/rails: the seeded rails and their clearing accounts, secrets no API role reads, the
-- state CHECKs, the dedupe key.
BEGIN;
SELECT plan(9);

SELECT is((SELECT array_agg(code || ':' || kind ORDER BY code) FROM payments.rail WHERE code IN ('MPESA', 'KCB', 'DTB')),
          ARRAY['DTB:SIGNED', 'KCB:SIGNED', 'MPESA:UNSIGNED'], 'three rails: the banks signed, M-Pesa unsigned');
SELECT is((SELECT count(*)::int FROM payments.rail r JOIN ledger.account a ON a.id = r.clearing_account_id
            WHERE a.purpose = 'CLEARING' AND a.allow_negative AND a.currency = r.currency), 3,
          'each has its own CLEARING ledger account');
SELECT ok(NOT has_table_privilege(r, 'payments.rail_secret', 'SELECT'), format('%s cannot read the rail secrets', r))
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;
SELECT is((SELECT array_agg(column_name::text ORDER BY column_name) FROM core.secret WHERE table_name = 'rail_secret'),
          ARRAY['secret', 'token_hash'], 'the secret columns are declared in core.secret');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'payments.rail_secret'::regclass), 'row-level security on the secrets');
SELECT throws_ok($$INSERT INTO payments.rail_secret (rail_code, kind, secret) VALUES ('KCB', 'HMAC', 'short')$$, '23514', NULL,
                 'an HMAC key has at least 32 bytes');
SELECT throws_ok($$INSERT INTO payments.rail_secret (rail_code, kind, secret) VALUES ('MPESA', 'PATH_TOKEN', repeat('x', 40)::bytea)$$,
                 '23514', NULL, 'a path token is stored as its hash only');

SELECT * FROM finish();
ROLLBACK;
