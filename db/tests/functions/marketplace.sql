-- Tests for functions/marketplace: RFQ lifecycle, sealed bids by the database clock, aliases, ranking, awards, quota.
BEGIN;
SELECT plan(51);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
SELECT identity.register_user(s, t, s) FROM (VALUES ('kc|mk-biz', 'BUSINESS'), ('kc|mk-biz2', 'BUSINESS'), ('kc|mk-p1', 'PROVIDER'),
    ('kc|mk-p2', 'PROVIDER'), ('kc|mk-p3', 'PROVIDER'), ('kc|mk-p4', 'PROVIDER'), ('kc|mk-admin', 'ADMIN')) x(s, t);
SELECT identity.assign_role((SELECT id FROM identity.user_account WHERE auth_subject = 'kc|mk-admin'), 'PLATFORM_ADMIN');
SELECT tests.as_user('kc|mk-biz'); INSERT INTO ids SELECT 'biz', api.register_business('Selam', 'LOGISTICS'); RESET ROLE;
SELECT tests.as_user('kc|mk-biz2'); INSERT INTO ids SELECT 'biz2', api.register_business('Other', 'LOGISTICS'); RESET ROLE;
SELECT tests.as_user('kc|mk-p1'); INSERT INTO ids SELECT 'p1', api.register_provider('COMPANY', 'P1'); RESET ROLE;
SELECT tests.as_user('kc|mk-p2'); INSERT INTO ids SELECT 'p2', api.register_provider('COMPANY', 'P2'); RESET ROLE;
SELECT tests.as_user('kc|mk-p3'); INSERT INTO ids SELECT 'p3', api.register_provider('COMPANY', 'P3'); RESET ROLE;
SELECT tests.as_user('kc|mk-p4'); INSERT INTO ids SELECT 'p4', api.register_provider('COMPANY', 'P4'); RESET ROLE;
SELECT parties.set_provider_verification(v, 'VERIFIED') FROM ids WHERE k IN ('p1', 'p2', 'p3');
SELECT parties.set_business_kyb(v, 'VERIFIED') FROM ids WHERE k = 'biz2';

-- create and publish
SELECT tests.as_user('kc|mk-biz');
SELECT throws_like($$SELECT api.create_rfq('Cars', current_date + 1, current_date + 30, now() + interval '2 hours',
                     '[{"vehicle_type": "SEDAN", "quantity": 0}]')$$, 'MARKETPLACE_INVALID_RFQ:%', 'a line wants at least one vehicle');
SELECT throws_like($$SELECT api.create_rfq('Cars', current_date + 1, current_date + 30, now() + interval '2 hours',
                     '[{"vehicle_type": "HOVERCRAFT", "quantity": 2}]')$$, 'MASTERDATA_UNKNOWN_LOOKUP:%', 'vehicle types are lookups');
SELECT throws_like($$SELECT api.create_rfq('Cars', current_date + 1, current_date + 30, now() + interval '3 days',
                     '[{"vehicle_type": "SEDAN", "quantity": 2}]')$$, 'MARKETPLACE_INVALID_RFQ:%', 'bidding closes before the rental starts');
SELECT throws_like($$SELECT api.create_rfq('Cars', current_date + 1, current_date + 30, now() + interval '2 hours', '[[]]')$$,
                   'MARKETPLACE_INVALID_RFQ:%', 'lines are objects');
INSERT INTO ids SELECT 'rfq', api.create_rfq('Staff cars', current_date + 1, current_date + 30, now() + interval '2 hours',
    '[{"vehicle_type": "SEDAN", "engine_type": "HYBRID", "quantity": 3}, {"vehicle_type": "MINIBUS_12", "quantity": 1, "with_driver": true}]');
SELECT throws_like($$SELECT api.publish_rfq((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_KYB_REQUIRED:%',
                   'a business publishes only after KYB');
RESET ROLE;
SELECT parties.set_business_kyb(v, 'VERIFIED') FROM ids WHERE k = 'biz';
SELECT tests.as_user('kc|mk-biz');
SELECT is((api.publish_rfq((SELECT v FROM ids WHERE k = 'rfq'))).status, 'PUBLISHED', 'published');
SELECT is((api.publish_rfq((SELECT v FROM ids WHERE k = 'rfq'))).status, 'PUBLISHED', 'publishing again is a no-op');
INSERT INTO ids SELECT 'empty', api.create_rfq('Nobody bids', current_date + 1, current_date + 5, now() + interval '2 hours',
    '[{"vehicle_type": "SUV", "quantity": 1}]');
SELECT api.publish_rfq((SELECT v FROM ids WHERE k = 'empty'));
RESET ROLE;
INSERT INTO ids SELECT 'line1', id FROM marketplace.rfq_line WHERE rfq_id = (SELECT v FROM ids WHERE k = 'rfq') AND line_no = 1;
INSERT INTO ids SELECT 'line2', id FROM marketplace.rfq_line WHERE rfq_id = (SELECT v FROM ids WHERE k = 'rfq') AND line_no = 2;
INSERT INTO ids SELECT 'eline', id FROM marketplace.rfq_line WHERE rfq_id = (SELECT v FROM ids WHERE k = 'empty');
SELECT is((SELECT used FROM marketplace.rfq_quota WHERE business_id = (SELECT v FROM ids WHERE k = 'biz')), 2, 'two RFQs counted against the quota');
SELECT tests.as_user('kc|mk-biz2');
SELECT throws_like($$SELECT api.rfq((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_UNKNOWN_RFQ:%',
                   'another business does not see the RFQ');
RESET ROLE;

-- tenants: a marketplace never crosses them
SELECT identity.create_tenant('mk-other', 'Other marketplace');
SELECT identity.register_user('kc|mk-tp', 'PROVIDER', 'Tenant provider', (SELECT id FROM identity.tenant WHERE code = 'mk-other'));
SELECT tests.as_user('kc|mk-tp'); INSERT INTO ids SELECT 'tp', api.register_provider('COMPANY', 'Elsewhere'); RESET ROLE;
SELECT parties.set_provider_verification(v, 'VERIFIED') FROM ids WHERE k = 'tp';
SELECT is((SELECT tenant_id FROM parties.provider WHERE id = (SELECT v FROM ids WHERE k = 'tp')),
          (SELECT id FROM identity.tenant WHERE code = 'mk-other'), 'the provider belongs to its user''s tenant');
SELECT tests.as_user('kc|mk-tp');
SELECT is((SELECT count(*)::int FROM api.open_rfqs()), 0, 'a provider of another tenant sees no open RFQ of this one');
SELECT throws_like(format('SELECT api.rfq(%s)', (SELECT v FROM ids WHERE k = 'empty')), 'MARKETPLACE_UNKNOWN_RFQ:%',
                   'nor reads one');
SELECT throws_like(format($$SELECT api.submit_bid(%s, '[{"rfq_line_id": %s, "unit_price": "100", "quantity": 1}]')$$,
                          (SELECT v FROM ids WHERE k = 'empty'), (SELECT v FROM ids WHERE k = 'eline')),
                   'MARKETPLACE_UNKNOWN_RFQ:%', 'nor bids on one');
RESET ROLE;
SELECT throws_like(format($$INSERT INTO marketplace.bid (rfq_id, provider_id) VALUES (%s, %s)$$,
                          (SELECT v FROM ids WHERE k = 'empty'), (SELECT v FROM ids WHERE k = 'tp')),
                   'MARKETPLACE_UNKNOWN_RFQ:%', 'and a trigger refuses a cross-tenant bid whoever writes it');

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
SELECT tests.as_user('kc|mk-p3');
SELECT api.submit_bid((SELECT v FROM ids WHERE k = 'rfq'), jsonb_build_array(
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line1'), 'unit_price', '1300', 'quantity', 1),
    jsonb_build_object('rfq_line_id', (SELECT v FROM ids WHERE k = 'line2'), 'unit_price', '4200', 'quantity', 1)));
RESET ROLE;

-- before the deadline the business side learns nothing, not even whether there are bids
SELECT tests.as_user('kc|mk-biz');
SELECT throws_like($$SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_BIDS_SEALED:%',
                   'bids are sealed before the deadline');
SELECT throws_like($$SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'empty'))$$, 'MARKETPLACE_BIDS_SEALED:%',
                   'with the same answer for an RFQ without bids');
SELECT is(api.rfq((SELECT v FROM ids WHERE k = 'rfq')) -> 'bids', 'null'::jsonb, 'no bid count before the deadline');
SELECT throws_like($$SELECT api.award_rfq((SELECT v FROM ids WHERE k = 'rfq'), '[{"rfq_line_id": 1, "bidder": "x", "quantity": 1}]')$$,
                   'MARKETPLACE_BIDS_SEALED:%', 'no award before the deadline');
RESET ROLE;
SELECT tests.as_user('kc|mk-admin');
SELECT throws_like($$SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_BIDS_SEALED:%',
                   'not even an admin sees bids early');
RESET ROLE;

-- the deadline passes (the test moves it into the past as the owner)
UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() - interval '1 second' WHERE id IN (SELECT v FROM ids WHERE k IN ('rfq', 'empty'));
SELECT tests.as_user('kc|mk-p1');
SELECT throws_like(format($$SELECT api.submit_bid(%s, '[{"rfq_line_id": %s, "unit_price": "1", "quantity": 1}]')$$,
                          (SELECT v FROM ids WHERE k = 'rfq'), (SELECT v FROM ids WHERE k = 'line1')),
                   'MARKETPLACE_BIDDING_CLOSED:%', 'no bid after the deadline');
RESET ROLE;
SELECT throws_like($$UPDATE marketplace.bid_line SET unit_price = 1 WHERE bid_id = (SELECT v FROM ids WHERE k = 'bid1')$$,
                   'MARKETPLACE_BIDDING_CLOSED:%', 'and no late price change, even by the table owner');
SELECT tests.as_user('kc|mk-biz');
SELECT is((api.rfq((SELECT v FROM ids WHERE k = 'rfq')) ->> 'bids')::int, 3, 'after the deadline the business sees how many bids');
CREATE TEMP TABLE ranked AS SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'rfq'));
RESET ROLE;
-- An unregistered subject (user_id NULL) must not slip through an ownership comparison with NULL.
SELECT tests.as_user('kc|nobody-at-all');
SELECT throws_like($$SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_UNKNOWN_RFQ:%',
                   'an unknown subject sees no bids');
SELECT throws_like($$SELECT api.rfq((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_UNKNOWN_RFQ:%',
                   'nor the RFQ');
RESET ROLE;
SELECT results_eq($$SELECT line_no::int, rank::int, unit_price FROM ranked ORDER BY line_no, rank$$,
                  $$VALUES (1, 1, 1300::numeric), (1, 2, 1400::numeric), (1, 3, 1400::numeric), (2, 1, 4200::numeric)$$,
                  'ranked per line by price');
SELECT ok((SELECT r2.submitted_at <= r3.submitted_at FROM ranked r2, ranked r3 WHERE r2.line_no = 1 AND r2.rank = 2 AND r3.rank = 3
            AND r3.line_no = 1), 'equal prices: the earlier submission ranks first');
SELECT is((SELECT bidder FROM ranked WHERE line_no = 1 AND rank = 2),
          marketplace.bidder_alias((SELECT alias_key FROM marketplace.rfq WHERE id = (SELECT v FROM ids WHERE k = 'rfq')), (SELECT v FROM ids WHERE k = 'p1')),
          'at 1400 p1''s revision came before p2''s bid, so p1 ranks ahead');
SELECT ok((SELECT bool_and(r.bidder <> 'Bidder ' || upper(left(encode(sha256(convert_to(p.v::text, 'UTF8')), 'hex'), 8))
                          AND r.bidder <> 'Bidder ' || p.v)
             FROM ranked r, ids p WHERE p.k IN ('p1', 'p2', 'p3')), 'aliases are neither ids nor bare hashes of them');
SELECT isnt(marketplace.bidder_alias((SELECT alias_key FROM marketplace.rfq WHERE id = (SELECT v FROM ids WHERE k = 'rfq')), 1),
            marketplace.bidder_alias((SELECT alias_key FROM marketplace.rfq WHERE id = (SELECT v FROM ids WHERE k = 'empty')), 1),
            'the same provider has another alias on another RFQ');

-- awards
SELECT tests.as_user('kc|mk-biz');
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
SELECT throws_like($$INSERT INTO marketplace.award (rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price)
                     SELECT b.rfq_id, bl.rfq_line_id, b.id, b.provider_id, 1, bl.unit_price
                       FROM marketplace.bid b JOIN marketplace.bid_line bl ON bl.bid_id = b.id
                      WHERE b.provider_id = (SELECT v FROM ids WHERE k = 'p2') AND b.rfq_id = (SELECT v FROM ids WHERE k = 'rfq')$$,
                   'MARKETPLACE_AWARD_EXCEEDS:%', 'the award trigger holds even for the owner');
SELECT throws_like($$UPDATE marketplace.award SET quantity_awarded = 3$$, 'MARKETPLACE_AWARD_IMMUTABLE:%', 'awards never change');

-- quota
UPDATE marketplace.rfq_quota SET used = 10 WHERE business_id = (SELECT v FROM ids WHERE k = 'biz');
SELECT tests.as_user('kc|mk-biz');
INSERT INTO ids SELECT 'rfq11', api.create_rfq('Eleventh', current_date + 1, current_date + 5, now() + interval '2 hours',
    '[{"vehicle_type": "SUV", "quantity": 1}]');
SELECT throws_ok($$SELECT api.publish_rfq((SELECT v FROM ids WHERE k = 'rfq11'))$$, 'PT429', NULL,
                 'a STANDARD business publishes 10 RFQs a month (429 after that)');
RESET ROLE;
SELECT is((SELECT status FROM marketplace.rfq WHERE id = (SELECT v FROM ids WHERE k = 'rfq11')), 'DRAFT', 'and the refused RFQ stays a draft');

SELECT * FROM finish();
ROLLBACK;
