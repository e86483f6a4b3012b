-- Tests for functions/marketplace/rfqs: drafting an RFQ (checked lines and dates), editing the draft (the same checks,
-- owner only, nothing changed on a refusal, audited), publishing it (KYB, quota), cancelling.
BEGIN;
SELECT plan(28);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
INSERT INTO ids SELECT 'biz', tests.new_business('kc|mk-biz', 'Selam', p_verified => false);
INSERT INTO ids SELECT 'biz2', tests.new_business('kc|mk-biz2', 'Other');
INSERT INTO ids SELECT 'p1', tests.new_provider('kc|mk-p1', 'P1');

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
INSERT INTO ids SELECT 'soon', api.create_rfq('Soon', current_date + 1, current_date + 5, now() + interval '30 minutes',
    '[{"vehicle_type": "SUV", "quantity": 1}]');
SELECT throws_like($$SELECT api.publish_rfq((SELECT v FROM ids WHERE k = 'soon'))$$, 'MARKETPLACE_DEADLINE_TOO_SOON:%',
                   'providers get at least RFQ_MIN_BID_WINDOW_MINUTES to bid');
INSERT INTO ids SELECT 'empty', api.create_rfq('Nobody bids', current_date + 1, current_date + 5, now() + interval '2 hours',
    '[{"vehicle_type": "SUV", "quantity": 1}]');
SELECT api.publish_rfq((SELECT v FROM ids WHERE k = 'empty'));
RESET ROLE;
SELECT is((SELECT used FROM marketplace.rfq_quota WHERE business_id = (SELECT v FROM ids WHERE k = 'biz')), 2, 'two RFQs counted against the quota');

-- edit a draft
CREATE TEMP TABLE seen (k text PRIMARY KEY, v jsonb);
GRANT ALL ON seen TO mercato_user;
SELECT tests.as_user('kc|mk-biz');
INSERT INTO ids SELECT 'draft', api.create_rfq('Vans', current_date + 2, current_date + 9, now() + interval '3 hours',
    '[{"vehicle_type": "SEDAN", "quantity": 2}]', 'first words');
SELECT is(api.update_rfq((SELECT v FROM ids WHERE k = 'draft'), p_title => '  Vans for the fair  ') ->> 'title', 'Vans for the fair',
          'the business edits its draft: the title is trimmed like a new one');
SELECT results_eq($$SELECT x ->> 'vehicle_type', (x ->> 'quantity')::int, x ->> 'notes', (x ->> 'line_no')::int
                      FROM jsonb_array_elements(api.update_rfq((SELECT v FROM ids WHERE k = 'draft'),
                           p_lines => '[{"vehicle_type": "SUV", "quantity": 4}, {"vehicle_type": "MINIBUS_12", "quantity": 1, "notes": "airport"}]') -> 'lines') x$$,
                  $$VALUES ('SUV', 4, '', 1), ('MINIBUS_12', 1, 'airport', 2)$$, 'lines given replace all the lines, numbered in order');
SELECT is((api.update_rfq((SELECT v FROM ids WHERE k = 'draft'), p_end_date => current_date + 20, p_description => 'more words')
           ->> 'end_date')::date, current_date + 20, 'the period and description too; what is not given is kept');
SELECT is(api.update_rfq((SELECT v FROM ids WHERE k = 'draft'), p_title => repeat('t', 256)) ->> 'title', repeat('t', 256),
          'a title of 256 characters, as for a new RFQ');
INSERT INTO seen SELECT 'before', api.rfq((SELECT v FROM ids WHERE k = 'draft'));
SELECT throws_like($$SELECT api.update_rfq((SELECT v FROM ids WHERE k = 'draft'), p_title => ' ')$$, 'MARKETPLACE_INVALID_RFQ:%',
                   'a blank title is refused, as for a new RFQ');
SELECT throws_like($$SELECT api.update_rfq((SELECT v FROM ids WHERE k = 'draft'), p_bid_deadline => now() + interval '3 days')$$,
                   'MARKETPLACE_INVALID_RFQ:%', 'bidding must still close before the rental starts');
SELECT throws_like($$SELECT api.update_rfq((SELECT v FROM ids WHERE k = 'draft'), p_start_date => current_date + 30)$$,
                   'MARKETPLACE_INVALID_RFQ:%', 'the period must still end on or after its start');
SELECT throws_like($$SELECT api.update_rfq((SELECT v FROM ids WHERE k = 'draft'), p_title => 'Cars',
                                           p_lines => '[{"vehicle_type": "SEDAN", "quantity": 0}]')$$,
                   'MARKETPLACE_INVALID_RFQ:%', 'lines are checked as for a new RFQ');
SELECT throws_like($$SELECT api.update_rfq((SELECT v FROM ids WHERE k = 'draft'), p_lines => '[{"vehicle_type": "HOVERCRAFT", "quantity": 2}]')$$,
                   'MASTERDATA_UNKNOWN_LOOKUP:%', 'vehicle types are lookups');
SELECT is(api.rfq((SELECT v FROM ids WHERE k = 'draft')), (SELECT v FROM seen WHERE k = 'before'), 'a refused edit changes nothing');
SELECT is(api.update_rfq((SELECT v FROM ids WHERE k = 'draft')), (SELECT v FROM seen WHERE k = 'before'), 'an empty edit changes nothing');
SELECT throws_like($$SELECT api.update_rfq((SELECT v FROM ids WHERE k = 'rfq'), p_title => 'Other cars')$$,
                   'MARKETPLACE_RFQ_NOT_EDITABLE:%', 'a published RFQ is not edited');
RESET ROLE;
SELECT results_eq($$SELECT action, old_values ->> 'title', new_values ->> 'title' FROM audit.event
                     WHERE module = 'marketplace' AND entity_type = 'rfq' AND entity_id = (SELECT v FROM ids WHERE k = 'draft')::text
                     ORDER BY id$$,
                  $$VALUES ('CREATED', NULL, NULL), ('UPDATED', 'Vans', 'Vans for the fair'), ('UPDATED', NULL, NULL),
                           ('UPDATED', NULL, NULL), ('UPDATED', 'Vans for the fair', repeat('t', 256))$$,
                  'each edit that changed something is audited with the old and new values, the refused and empty ones are not');
SELECT tests.as_user('kc|mk-biz2');
SELECT throws_like($$SELECT api.update_rfq((SELECT v FROM ids WHERE k = 'draft'), p_title => 'Mine now')$$, 'MARKETPLACE_UNKNOWN_RFQ:%',
                   'another business''s draft is unknown to it');
RESET ROLE;
SELECT tests.as_user('kc|mk-p1');
SELECT throws_like($$SELECT api.update_rfq((SELECT v FROM ids WHERE k = 'draft'), p_title => 'Mine now')$$, 'IDENTITY_NOT_A_BUSINESS:%',
                   'a provider edits no RFQ');
RESET ROLE;

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
