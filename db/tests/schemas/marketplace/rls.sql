-- Tests for schemas/marketplace/rls: sealed bids at the row level, RFQ visibility by party and tenant, the alias secret.
BEGIN;
SELECT plan(14);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
SELECT identity.create_tenant('mr-other', 'Another marketplace');
INSERT INTO ids SELECT 'a', tests.new_business('kc|mr-a', 'A');
INSERT INTO ids SELECT 'b', tests.new_business('kc|mr-b', 'B', p_verified => false);
INSERT INTO ids SELECT 'p1', tests.new_provider('kc|mr-p1', 'P1');
INSERT INTO ids SELECT 'p2', tests.new_provider('kc|mr-p2', 'P2');
INSERT INTO ids SELECT 'tp', tests.new_provider('kc|mr-tp', 'TP', p_tenant_code => 'mr-other');
SELECT identity.register_user('kc|mr-admin', 'ADMIN', 'kc|mr-admin');
SELECT identity.assign_role((SELECT id FROM identity.user_account WHERE auth_subject = 'kc|mr-admin'), 'PLATFORM_ADMIN');
INSERT INTO ids SELECT 'rfq', tests.new_rfq('kc|mr-a', '[{"vehicle_type": "SEDAN", "quantity": 2}]', 'Vans', 9);
INSERT INTO ids SELECT 'draft', tests.new_rfq('kc|mr-a', '[{"vehicle_type": "SEDAN", "quantity": 1}]', 'Draft', 9, p_publish => false);
SELECT tests.bid('kc|mr-p1', v, 1000, 2) FROM ids WHERE k = 'rfq';
SELECT tests.as_user('kc|mr-p1');
SELECT is((SELECT count(*)::int FROM marketplace.visible_bid_lines()), 1, 'a provider reads its own bid lines');
SELECT throws_ok($$SELECT 1 FROM marketplace.bid_line$$, '42501', NULL, 'through the sealed read only: no row filter EXPLAIN could count');
RESET ROLE;

SELECT tests.as_user('kc|mr-a');
SELECT is((SELECT count(*)::int FROM marketplace.rfq WHERE id IN (SELECT v FROM ids)), 2, 'a business reads its RFQs, drafts included');
SELECT is((SELECT count(*)::int FROM marketplace.visible_bid_lines()) + (SELECT count(*)::int FROM api.bids), 0,
          'but not one bid row on them, nor how many there are');
SELECT throws_ok($$SELECT alias_key FROM marketplace.rfq$$, '42501', NULL, 'nor the alias secret that would unmask the bidders');
RESET ROLE;
SELECT tests.as_user('kc|mr-b');
SELECT is((SELECT count(*)::int FROM marketplace.rfq) + (SELECT count(*)::int FROM marketplace.rfq_line), 0,
          'another business sees none of its RFQs');
RESET ROLE;
SELECT tests.as_user('kc|mr-p2');
SELECT results_eq($$SELECT id FROM marketplace.rfq WHERE id IN (SELECT v FROM ids)$$, $$SELECT v FROM ids WHERE k = 'rfq'$$,
                  'a provider of the tenant sees the published RFQ, not the draft');
SELECT is((SELECT count(*)::int FROM marketplace.visible_bid_lines()), 0, 'and no other provider''s bid');
RESET ROLE;
SELECT tests.as_user('kc|mr-tp');
SELECT is((SELECT count(*)::int FROM marketplace.rfq WHERE id IN (SELECT v FROM ids)), 0, 'a provider of another tenant sees nothing');
RESET ROLE;
SELECT tests.as_user('kc|mr-admin');
SELECT is((SELECT count(*)::int FROM marketplace.visible_bid_lines()), 0, 'an admin sees no bid either');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT throws_ok($$SELECT 1 FROM marketplace.bid_line$$, '42501', NULL, 'the back office holds no privilege on bids at all');
SELECT is((SELECT count(*)::int FROM marketplace.rfq WHERE id IN (SELECT v FROM ids)), 2, 'but reads every RFQ');
RESET ROLE;
SET LOCAL ROLE mercato_anon;
SELECT throws_ok($$SELECT 1 FROM marketplace.rfq$$, '42501', NULL, 'anonymous callers read no marketplace table');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM pg_tables WHERE schemaname = 'marketplace' AND NOT rowsecurity), 0,
          'every marketplace table has row-level security on');

SELECT * FROM finish();
ROLLBACK;
