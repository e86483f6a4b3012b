-- Tests for functions/audit/request_ip: an audited action records the request's client address (X-Forwarded-For's
-- first address, as PostgREST passes request.headers), and none outside an HTTP request.
BEGIN;
SELECT plan(3);

CREATE TEMP TABLE w AS SELECT tests.payments_world('aip') AS j;
GRANT SELECT ON w TO PUBLIC;
SELECT set_config('request.headers', '{"x-forwarded-for": "203.0.113.9, 10.0.0.1", "user-agent": "curl/8"}', true);
SELECT tests.as_user('aip-admin');
SELECT api.set_kyc_level('USER', (SELECT (j ->> 'payer')::bigint FROM w), 1, 'passport');
SELECT tests.as_owner();
SELECT is((SELECT (actor_subject, ip_address)::text FROM audit.event WHERE entity_type = 'payments.kyc'
            ORDER BY id DESC LIMIT 1), '(aip-admin,203.0.113.9)', 'the actor and the client address of the request');
SELECT set_config('request.headers', '', true);
SELECT audit.record('test', 'thing', '1', 'CREATED');
SELECT is((SELECT ip_address FROM audit.event WHERE module = 'test' ORDER BY id DESC LIMIT 1), NULL,
          'no address outside an HTTP request');
SELECT col_is_null('audit', 'event', 'ip_address', 'the column is nullable');

SELECT * FROM finish();
ROLLBACK;
