-- Tests for functions/marketplace/guards: the rules hold for every writer, the table owner included — an RFQ's terms
-- and lines change only while it is a DRAFT, bids only in the RFQ's tenant and bidding window, awards within what was
-- requested and offered, never changed.
BEGIN;
SELECT plan(13);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
SELECT identity.create_tenant('mk-other', 'Other marketplace');
INSERT INTO ids SELECT 'biz', tests.new_business('kc|mk-biz', 'Selam');
INSERT INTO ids SELECT 'p1', tests.new_provider('kc|mk-p1', 'P1');
INSERT INTO ids SELECT 'p2', tests.new_provider('kc|mk-p2', 'P2');
INSERT INTO ids SELECT 'tp', tests.new_provider('kc|mk-tp', 'Elsewhere', p_tenant_code => 'mk-other');
INSERT INTO ids SELECT 'rfq', tests.new_rfq('kc|mk-biz');
INSERT INTO ids SELECT 'draft', tests.new_rfq('kc|mk-biz', p_publish => false);

-- a published RFQ's terms and lines are frozen, whoever writes
SELECT throws_like($$UPDATE marketplace.rfq SET title = 'Other cars' WHERE id = (SELECT v FROM ids WHERE k = 'rfq')$$,
                   'MARKETPLACE_RFQ_NOT_EDITABLE:%', 'the owner cannot retitle a published RFQ');
SELECT throws_like($$UPDATE marketplace.rfq SET end_date = end_date + 1 WHERE id = (SELECT v FROM ids WHERE k = 'rfq')$$,
                   'MARKETPLACE_RFQ_NOT_EDITABLE:%', 'nor move its period');
SELECT throws_like($$UPDATE marketplace.rfq_line SET quantity_required = 9 WHERE rfq_id = (SELECT v FROM ids WHERE k = 'rfq')$$,
                   'MARKETPLACE_RFQ_NOT_EDITABLE:%', 'nor change a line');
SELECT throws_like($$INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, quantity_required)
                     VALUES ((SELECT v FROM ids WHERE k = 'rfq'), 2, 'SUV', 1)$$,
                   'MARKETPLACE_RFQ_NOT_EDITABLE:%', 'nor add one');
SELECT throws_like($$DELETE FROM marketplace.rfq_line WHERE rfq_id = (SELECT v FROM ids WHERE k = 'rfq')$$,
                   'MARKETPLACE_RFQ_NOT_EDITABLE:%', 'nor remove one');
SELECT lives_ok($$UPDATE marketplace.rfq SET title = title, updated_at = now() WHERE id = (SELECT v FROM ids WHERE k = 'rfq')$$,
                'writing the same terms back changes nothing and passes');
SELECT lives_ok($$UPDATE marketplace.rfq SET title = 'Renamed' WHERE id = (SELECT v FROM ids WHERE k = 'draft');
                  INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, quantity_required)
                  VALUES ((SELECT v FROM ids WHERE k = 'draft'), 2, 'SUV', 1)$$,
                'a draft''s terms and lines may change');
SET LOCAL mercato.bulk_load = on;
SELECT lives_ok($$INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, quantity_required)
                  VALUES ((SELECT v FROM ids WHERE k = 'rfq'), 2, 'SUV', 1)$$,
                'a superuser''s explicit bulk load of history may add lines to a published RFQ (the one exception)');
SET LOCAL mercato.bulk_load = off;
SELECT is((SELECT count(*)::int FROM marketplace.rfq_line WHERE rfq_id = (SELECT v FROM ids WHERE k = 'rfq')), 2,
          'and nothing else got through');

-- tenants: a marketplace never crosses them
SELECT throws_like(format($$INSERT INTO marketplace.bid (rfq_id, provider_id) VALUES (%s, %s)$$,
                          (SELECT v FROM ids WHERE k = 'rfq'), (SELECT v FROM ids WHERE k = 'tp')),
                   'MARKETPLACE_UNKNOWN_RFQ:%', 'a trigger refuses a cross-tenant bid whoever writes it');

-- the bidding window
INSERT INTO ids SELECT 'bid1', tests.bid('kc|mk-p1', (SELECT v FROM ids WHERE k = 'rfq'), 100);
INSERT INTO ids SELECT 'bid2', tests.bid('kc|mk-p2', (SELECT v FROM ids WHERE k = 'rfq'), 120);
SELECT tests.close_bidding(v) FROM ids WHERE k = 'rfq';
SELECT throws_like($$UPDATE marketplace.bid_line SET unit_price = 1 WHERE bid_id = (SELECT v FROM ids WHERE k = 'bid1')$$,
                   'MARKETPLACE_BIDDING_CLOSED:%', 'no late price change, even by the table owner');

-- awards
SELECT tests.award_all('kc|mk-biz', v) FROM ids WHERE k = 'rfq';
SELECT throws_like($$INSERT INTO marketplace.award (rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price)
                     SELECT b.rfq_id, bl.rfq_line_id, b.id, b.provider_id, 1, bl.unit_price
                       FROM marketplace.bid b JOIN marketplace.bid_line bl ON bl.bid_id = b.id
                      WHERE b.provider_id = (SELECT v FROM ids WHERE k = 'p2') AND b.rfq_id = (SELECT v FROM ids WHERE k = 'rfq')$$,
                   'MARKETPLACE_AWARD_EXCEEDS:%', 'the award trigger holds even for the owner');
SELECT throws_like($$UPDATE marketplace.award SET quantity_awarded = 3$$, 'MARKETPLACE_AWARD_IMMUTABLE:%', 'awards never change');

SELECT * FROM finish();
ROLLBACK;
