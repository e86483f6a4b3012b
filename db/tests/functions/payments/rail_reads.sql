-- Tests for functions/payments/rail_reads: funding sessions and withdrawals are read through one access check
-- (payments.may_read_wallet): the wallet's user, its organization's members, the back office; anyone else, like a
-- missing id, gets the 404 of the thing read.
BEGIN;
SELECT plan(12);

CREATE TEMP TABLE w AS SELECT tests.rails_world('rr') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;

SELECT tests.as_user('rr-payer');
SELECT tests.put('f', (api.create_funding_session(pg_temp.u('wallet'), 'KCB', 10, 'ACC-1234') ->> 'id')::bigint);
SELECT tests.put('wd', (api.request_withdrawal(pg_temp.u('wallet'), 'KCB', 10, 'ACC-1234') ->> 'id')::bigint);
SELECT is((api.funding_session(tests.id('f')) ->> 'id')::bigint, tests.id('f'), 'the wallet''s user reads its top-up');
SELECT is((api.withdrawal(tests.id('wd')) ->> 'id')::bigint, tests.id('wd'), 'and its withdrawal');
SELECT tests.as_user('rr-merchant');
SELECT tests.put('mf', (api.create_funding_session(pg_temp.u('merchant_wallet'), 'KCB', 10, 'ACC-1234') ->> 'id')::bigint);
SELECT throws_like(format('SELECT api.funding_session(%s)', tests.id('f')), 'PAYMENTS_UNKNOWN_FUNDING_SESSION:%',
                   'another user''s top-up is unknown');
SELECT throws_like(format('SELECT api.withdrawal(%s)', tests.id('wd')), 'PAYMENTS_UNKNOWN_WITHDRAWAL:%',
                   'another user''s withdrawal is unknown');
SELECT throws_like('SELECT api.funding_session(-1)', 'PAYMENTS_UNKNOWN_FUNDING_SESSION:%', 'a missing top-up is answered alike');
SELECT throws_like('SELECT api.withdrawal(-1)', 'PAYMENTS_UNKNOWN_WITHDRAWAL:%', 'a missing withdrawal is answered alike');
SELECT tests.as_user('rr-clerk');
SELECT is((api.funding_session(tests.id('mf')) ->> 'id')::bigint, tests.id('mf'), 'a STAFF member reads its merchant''s top-up');
SELECT tests.as_user('rr-payer');
SELECT throws_like(format('SELECT api.funding_session(%s)', tests.id('mf')), 'PAYMENTS_UNKNOWN_FUNDING_SESSION:%',
                   'a non-member does not');
SELECT tests.as_service();
SELECT is((api.funding_session(tests.id('f')) ->> 'id')::bigint, tests.id('f'), 'the back office reads any top-up');
SELECT is((api.withdrawal(tests.id('wd')) ->> 'id')::bigint, tests.id('wd'), 'and any withdrawal');
SELECT tests.as_owner();
SELECT ok(NOT payments.may_read_wallet(NULL), 'no wallet (no such row): not readable');
SELECT tests.as_anon();
SELECT throws_ok('SELECT api.funding_session(1)', '42501', NULL, 'an anonymous caller is refused by the grant');

SELECT * FROM finish();
ROLLBACK;
