-- Tests for functions/delivery/codes: 6 random digits, stored only as an HMAC under a key no role reads, swept when
-- expired.
BEGIN;
SELECT plan(7);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
CREATE TEMP TABLE codes (k text PRIMARY KEY, code text, session_id bigint);
GRANT ALL ON ids, codes TO mercato_user, mercato_service;
-- an awarded RFQ, a contract in escrow, one vehicle assigned (tests.assigned_world, all through the api)
INSERT INTO ids SELECT * FROM tests.assigned_world('dl');
INSERT INTO codes SELECT 'c1', code, session_id FROM tests.delivery_session('kc|dl-p1', (SELECT v FROM ids WHERE k = 'asg'));

SELECT tests.as_user('kc|dl-p1');
SELECT throws_ok($$SELECT * FROM delivery.otp$$, '42501', NULL, 'codes are unreadable by application roles');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT throws_ok($$SELECT * FROM delivery.otp_key$$, '42501', NULL, 'nor the keys, not even by the back office');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM delivery.otp o, codes c WHERE o.session_id = c.session_id
            AND (o.code_hmac = sha256(convert_to(c.code, 'UTF8')) OR encode(o.code_hmac, 'escape') LIKE '%' || c.code || '%')),
          0, 'the stored value is neither the code nor its bare hash');
SELECT is((SELECT length(code_hmac) FROM delivery.otp o JOIN codes c ON c.session_id = o.session_id), 32, 'an HMAC-SHA256');

-- the sweep
SET LOCAL ROLE mercato_service;
SELECT is(api.expire_codes(), 0, 'nothing left to expire');
RESET ROLE;
UPDATE delivery.otp SET created_at = created_at - interval '10 minutes', expires_at = clock_timestamp() - interval '1 second'
 WHERE session_id = (SELECT session_id FROM codes WHERE k = 'c1') AND status = 'ACTIVE';
SET LOCAL ROLE mercato_service;
SELECT is(api.expire_codes(), 1, 'a code past its expiry is swept to EXPIRED');
RESET ROLE;

SELECT ok((SELECT count(DISTINCT delivery.new_code()) > 95 FROM generate_series(1, 100)), 'codes are random');

SELECT * FROM finish();
ROLLBACK;
