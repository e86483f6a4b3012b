-- Tests for functions/marketplace/bidding: sealed bids of verified providers of the RFQ's tenant, checked lines and
-- prices, revisions in place, withdrawal, one's own bid only, nothing after the deadline.
BEGIN;
SELECT plan(13);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
SELECT identity.create_tenant('mk-other', 'Other marketplace');
INSERT INTO ids SELECT 'biz', tests.new_business('kc|mk-biz', 'Selam');
INSERT INTO ids SELECT 'p1', tests.new_provider('kc|mk-p1', 'P1');
INSERT INTO ids SELECT 'p2', tests.new_provider('kc|mk-p2', 'P2');
INSERT INTO ids SELECT 'p4', tests.new_provider('kc|mk-p4', 'P4', p_verified => false);
INSERT INTO ids SELECT 'tp', tests.new_provider('kc|mk-tp', 'Elsewhere', p_tenant_code => 'mk-other');
INSERT INTO ids SELECT 'rfq', tests.new_rfq('kc|mk-biz', '[{"vehicle_type": "SEDAN", "engine_type": "HYBRID", "quantity": 3},
                                                           {"vehicle_type": "MINIBUS_12", "quantity": 1, "with_driver": true}]', 'Staff cars', 30);
INSERT INTO ids SELECT 'empty', tests.new_rfq('kc|mk-biz', '[{"vehicle_type": "SUV", "quantity": 1}]', 'Nobody bids', 5);
INSERT INTO ids SELECT 'line1', id FROM marketplace.rfq_line WHERE rfq_id = (SELECT v FROM ids WHERE k = 'rfq') AND line_no = 1;
INSERT INTO ids SELECT 'line2', id FROM marketplace.rfq_line WHERE rfq_id = (SELECT v FROM ids WHERE k = 'rfq') AND line_no = 2;
INSERT INTO ids SELECT 'eline', id FROM marketplace.rfq_line WHERE rfq_id = (SELECT v FROM ids WHERE k = 'empty');

-- tenants: a marketplace never crosses them
SELECT tests.as_user('kc|mk-tp');
SELECT throws_like(format($$SELECT api.submit_bid(%s, '[{"rfq_line_id": %s, "unit_price": "100", "quantity": 1}]')$$,
                          (SELECT v FROM ids WHERE k = 'empty'), (SELECT v FROM ids WHERE k = 'eline')),
                   'MARKETPLACE_UNKNOWN_RFQ:%', 'a provider of another tenant does not bid on an RFQ of this one');
RESET ROLE;

-- sealed bidding
SELECT tests.as_user('kc|mk-p4');
SELECT throws_like(format($$SELECT api.submit_bid(%s, '[{"rfq_line_id": %s, "unit_price": "100", "quantity": 1}]')$$,
                          (SELECT v FROM ids WHERE k = 'rfq'), (SELECT v FROM ids WHERE k = 'line1')),
                   'MARKETPLACE_PROVIDER_NOT_VERIFIED:%', 'unverified providers do not bid');
RESET ROLE;
SELECT tests.as_user('kc|mk-p1');
SELECT throws_like(format($$SELECT api.submit_bid(%s, '[{"rfq_line_id": %s, "unit_price": "100.005", "quantity": 1}]')$$,
                          (SELECT v FROM ids WHERE k = 'rfq'), (SELECT v FROM ids WHERE k = 'line1')),
                   'MARKETPLACE_INVALID_BID:%', 'prices respect the currency''s minor units');
SELECT throws_like(format($$SELECT api.submit_bid(%s, '[{"rfq_line_id": %s, "unit_price": "100", "quantity": 4}]')$$,
                          (SELECT v FROM ids WHERE k = 'rfq'), (SELECT v FROM ids WHERE k = 'line1')),
                   'MARKETPLACE_INVALID_BID:%', 'no more vehicles offered than asked for');
SELECT throws_like(format($$SELECT api.submit_bid(%s, '[{"rfq_line_id": %s, "unit_price": "100", "quantity": 1}]')$$,
                          (SELECT v FROM ids WHERE k = 'empty'), (SELECT v FROM ids WHERE k = 'line1')),
                   'MARKETPLACE_INVALID_BID:%', 'a bid names lines of its own RFQ');
INSERT INTO ids SELECT 'bid1', api.submit_bid((SELECT v FROM ids WHERE k = 'rfq'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'unit_price', '1500.00', 'quantity', 2),
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line2'), 'unit_price', '4000', 'quantity', 1)));
SELECT is(api.submit_bid((SELECT v FROM ids WHERE k = 'rfq'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line2'), 'unit_price', '4000.00', 'quantity', 1),
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'unit_price', '1500', 'quantity', 2))),
    (SELECT v FROM ids WHERE k = 'bid1'), 're-sending the same bid returns it');
SELECT is((SELECT max(revision) FROM api.my_bid((SELECT v FROM ids WHERE k = 'rfq'))), 1, 'and changes nothing');
SELECT api.submit_bid((SELECT v FROM ids WHERE k = 'rfq'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'unit_price', '1400', 'quantity', 2)));
SELECT results_eq($$SELECT revision, rfq_line_id, unit_price FROM api.my_bid((SELECT v FROM ids WHERE k = 'rfq'))$$,
                  $$SELECT 2, v, 1400::numeric FROM ids WHERE k = 'line1'$$, 'a revision replaces the prices');
SELECT api.submit_bid((SELECT v FROM ids WHERE k = 'empty'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'eline'),
                       'unit_price', '900', 'quantity', 1)));
SELECT api.withdraw_bid((SELECT v FROM ids WHERE k = 'empty'));
SELECT throws_like($$SELECT api.withdraw_bid((SELECT v FROM ids WHERE k = 'empty'))$$, 'MARKETPLACE_NO_BID:%', 'withdrawn once');
SELECT throws_ok($$SELECT 1 FROM marketplace.bid$$, '42501', NULL,
          'a provider reads no bid row directly (sealed: api.bids / marketplace.visible_bid_lines() serve its own)');
RESET ROLE;
SELECT tests.as_user('kc|mk-p2');
SELECT api.submit_bid((SELECT v FROM ids WHERE k = 'rfq'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'unit_price', '1400', 'quantity', 3)));
SELECT throws_like($$SELECT * FROM api.my_bid((SELECT v FROM ids WHERE k = 'empty'))$$, 'MARKETPLACE_NO_BID:%',
                   'a provider sees only its own bid');
SELECT is((SELECT count(*)::int FROM api.my_bid((SELECT v FROM ids WHERE k = 'rfq'))), 1, 'its own, one line');
RESET ROLE;

-- the deadline passes
SELECT tests.close_bidding(v) FROM ids WHERE k = 'rfq';
SELECT tests.as_user('kc|mk-p1');
SELECT throws_like(format($$SELECT api.submit_bid(%s, '[{"rfq_line_id": %s, "unit_price": "1", "quantity": 1}]')$$,
                          (SELECT v FROM ids WHERE k = 'rfq'), (SELECT v FROM ids WHERE k = 'line1')),
                   'MARKETPLACE_BIDDING_CLOSED:%', 'no bid after the deadline');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
