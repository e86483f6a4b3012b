-- Tests for functions/marketplace/awards: after the deadline only, by alias, within what was requested and offered, once.
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
INSERT INTO ids SELECT 'biz', tests.new_business('kc|mk-biz', 'Selam');
INSERT INTO ids SELECT 'p' || n, tests.new_provider('kc|mk-p' || n, 'P' || n) FROM generate_series(1, 3) n;
INSERT INTO ids SELECT 'rfq', tests.new_rfq('kc|mk-biz', '[{"vehicle_type": "SEDAN", "engine_type": "HYBRID", "quantity": 3},
                                                           {"vehicle_type": "MINIBUS_12", "quantity": 1, "with_driver": true}]', 'Staff cars', 30);
INSERT INTO ids SELECT 'line1', id FROM marketplace.rfq_line WHERE rfq_id = (SELECT v FROM ids WHERE k = 'rfq') AND line_no = 1;
INSERT INTO ids SELECT 'line2', id FROM marketplace.rfq_line WHERE rfq_id = (SELECT v FROM ids WHERE k = 'rfq') AND line_no = 2;
-- line 1: p3 1300 x 1, p1 1400 x 2, p2 1400 x 3 (in that rank); line 2: p3 4200 x 1.
SELECT tests.bid('kc|mk-p1', (SELECT v FROM ids WHERE k = 'rfq'), 1400, 2, 1);
SELECT tests.bid('kc|mk-p2', (SELECT v FROM ids WHERE k = 'rfq'), 1400, 3, 1);
SELECT tests.as_user('kc|mk-p3');
SELECT api.submit_bid((SELECT v FROM ids WHERE k = 'rfq'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'unit_price', '1300', 'quantity', 1),
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line2'), 'unit_price', '4200', 'quantity', 1)));
RESET ROLE;

SELECT tests.as_user('kc|mk-biz');
SELECT throws_like($$SELECT api.award_rfq((SELECT v FROM ids WHERE k = 'rfq'), '[{"rfq_line_id": 1, "bidder": "x", "quantity": 1}]')$$,
                   'MARKETPLACE_BIDS_SEALED:%', 'no award before the deadline');
RESET ROLE;

-- the deadline passes
SELECT tests.close_bidding(v) FROM ids WHERE k = 'rfq';
SELECT tests.as_user('kc|mk-biz');
CREATE TEMP TABLE ranked AS SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'rfq'));
SELECT throws_like(format($$SELECT api.award_rfq(%s, %L)$$, (SELECT v FROM ids WHERE k = 'rfq'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'bidder', (SELECT bidder FROM ranked WHERE line_no = 1 AND rank = 1), 'quantity', 1),
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'bidder', (SELECT bidder FROM ranked WHERE line_no = 1 AND rank = 2), 'quantity', 3))),
    'MARKETPLACE_AWARD_EXCEEDS:%', 'never more than requested on a line');
SELECT throws_like(format($$SELECT api.award_rfq(%s, %L)$$, (SELECT v FROM ids WHERE k = 'rfq'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'bidder', (SELECT bidder FROM ranked WHERE line_no = 1 AND rank = 1), 'quantity', 2))),
    'MARKETPLACE_AWARD_EXCEEDS:%', 'never more than a bid offered');
SELECT throws_like(format($$SELECT api.award_rfq(%s, %L)$$, (SELECT v FROM ids WHERE k = 'rfq'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'bidder', 'Bidder 00000000', 'quantity', 1))),
    'MARKETPLACE_INVALID_AWARD:%', 'unknown aliases are refused');
SELECT is(api.award_rfq((SELECT v FROM ids WHERE k = 'rfq'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'bidder', (SELECT bidder FROM ranked WHERE line_no = 1 AND rank = 1), 'quantity', 1),
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'bidder', (SELECT bidder FROM ranked WHERE line_no = 1 AND rank = 2), 'quantity', 2),
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line2'), 'bidder', (SELECT bidder FROM ranked WHERE line_no = 2 AND rank = 1), 'quantity', 1))),
    3, 'a line split across two bidders');
SELECT throws_like($$SELECT api.award_rfq((SELECT v FROM ids WHERE k = 'rfq'), '[{"rfq_line_id": 1, "bidder": "x", "quantity": 1}]')$$,
                   'MARKETPLACE_INVALID_STATE:%', 'an RFQ is awarded once');
RESET ROLE;
SELECT results_eq($$SELECT p.k, b.status FROM marketplace.bid b JOIN ids p ON p.v = b.provider_id AND p.k LIKE 'p%'
                     WHERE b.rfq_id = (SELECT v FROM ids WHERE k = 'rfq') ORDER BY p.k$$,
                  $$VALUES ('p1', 'AWARDED'), ('p2', 'LOST'), ('p3', 'AWARDED')$$, 'bids are awarded or lost');
SELECT is((SELECT status FROM marketplace.rfq WHERE id = (SELECT v FROM ids WHERE k = 'rfq')), 'AWARDED', 'the RFQ is awarded');

SELECT * FROM finish();
ROLLBACK;
