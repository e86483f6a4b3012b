-- Tests for functions/marketplace/listings: who sees which RFQ (its business, providers of its tenant while published),
-- and the number of bids only for the business, only after the deadline.
BEGIN;
SELECT plan(7);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
SELECT identity.create_tenant('mk-other', 'Other marketplace');
INSERT INTO ids SELECT 'biz', tests.new_business('kc|mk-biz', 'Selam');
INSERT INTO ids SELECT 'biz2', tests.new_business('kc|mk-biz2', 'Other');
INSERT INTO ids SELECT 'p' || n, tests.new_provider('kc|mk-p' || n, 'P' || n) FROM generate_series(1, 3) n;
INSERT INTO ids SELECT 'tp', tests.new_provider('kc|mk-tp', 'Elsewhere', p_tenant_code => 'mk-other');
INSERT INTO ids SELECT 'rfq', tests.new_rfq('kc|mk-biz', '[{"vehicle_type": "SEDAN", "quantity": 3}]', 'Staff cars', 30);
SELECT tests.bid('kc|mk-p' || n, (SELECT v FROM ids WHERE k = 'rfq'), 1000 + n) FROM generate_series(1, 3) n;

SELECT tests.as_user('kc|mk-biz2');
SELECT throws_like($$SELECT api.rfq((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_UNKNOWN_RFQ:%',
                   'another business does not see the RFQ');
RESET ROLE;

-- tenants: a marketplace never crosses them
SELECT is((SELECT tenant_id FROM parties.provider WHERE id = (SELECT v FROM ids WHERE k = 'tp')),
          (SELECT id FROM identity.tenant WHERE code = 'mk-other'), 'the provider belongs to its user''s tenant');
SELECT tests.as_user('kc|mk-tp');
SELECT is((SELECT count(*)::int FROM api.open_rfqs()), 0, 'a provider of another tenant sees no open RFQ of this one');
SELECT throws_like(format('SELECT api.rfq(%s)', (SELECT v FROM ids WHERE k = 'rfq')), 'MARKETPLACE_UNKNOWN_RFQ:%',
                   'nor reads one');
RESET ROLE;

-- the number of bids: for the business, after the deadline
SELECT tests.as_user('kc|mk-biz');
SELECT is(api.rfq((SELECT v FROM ids WHERE k = 'rfq')) -> 'bids', 'null'::jsonb, 'no bid count before the deadline');
RESET ROLE;
SELECT tests.close_bidding(v) FROM ids WHERE k = 'rfq';
SELECT tests.as_user('kc|mk-biz');
SELECT is((api.rfq((SELECT v FROM ids WHERE k = 'rfq')) ->> 'bids')::int, 3, 'after the deadline the business sees how many bids');
RESET ROLE;
-- An unregistered subject (user_id NULL) must not slip through an ownership comparison with NULL.
SELECT tests.as_user('kc|nobody-at-all');
SELECT throws_like($$SELECT api.rfq((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_UNKNOWN_RFQ:%',
                   'an unknown subject does not see the RFQ');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
