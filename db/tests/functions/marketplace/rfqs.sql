-- Tests for functions/marketplace/rfqs: drafting an RFQ (checked lines and dates), publishing it (KYB, quota), cancelling.
BEGIN;
SELECT plan(12);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
INSERT INTO ids SELECT 'biz', tests.new_business('kc|mk-biz', 'Selam', p_verified => false);

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
SELECT is((SELECT used FROM marketplace.rfq_quota WHERE business_id = (SELECT v FROM ids WHERE k = 'biz')), 2, 'two RFQs counted against the quota');

-- cancel
SELECT tests.as_user('kc|mk-biz');
INSERT INTO ids SELECT 'gone', api.create_rfq('Not needed', current_date + 1, current_date + 5, now() + interval '2 hours',
    '[{"vehicle_type": "SUV", "quantity": 1}]');
SELECT is((api.cancel_rfq((SELECT v FROM ids WHERE k = 'gone'))).status, 'CANCELLED', 'a draft is cancelled');
SELECT is((api.cancel_rfq((SELECT v FROM ids WHERE k = 'gone'))).status, 'CANCELLED', 'cancelling again is a no-op');
RESET ROLE;

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
