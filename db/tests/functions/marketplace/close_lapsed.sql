-- Tests for functions/marketplace/close_lapsed: only PUBLISHED RFQs past deadline + grace without award are closed,
-- their submitted bids lost, each closing audited; idempotent; the grace; who may run it.
BEGIN;
SELECT plan(19);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user;
SELECT identity.register_user(s, t, s) FROM (VALUES ('kc|cl-biz', 'BUSINESS'), ('kc|cl-p1', 'PROVIDER'),
    ('kc|cl-p2', 'PROVIDER')) x(s, t);
SELECT tests.as_user('kc|cl-biz'); INSERT INTO ids SELECT 'biz', api.register_business('Lapsed Logistics', 'LOGISTICS'); RESET ROLE;
SELECT tests.as_user('kc|cl-p1'); INSERT INTO ids SELECT 'p1', api.register_provider('COMPANY', 'CL One'); RESET ROLE;
SELECT tests.as_user('kc|cl-p2'); INSERT INTO ids SELECT 'p2', api.register_provider('COMPANY', 'CL Two'); RESET ROLE;
SELECT parties.set_business_kyb(v, 'VERIFIED') FROM ids WHERE k = 'biz';
SELECT parties.set_provider_verification(v, 'VERIFIED') FROM ids WHERE k IN ('p1', 'p2');

-- An RFQ of the business (published unless p_draft), remembered as p_key; a provider's bid on its one line.
CREATE FUNCTION pg_temp.rfq(p_key text, p_draft boolean DEFAULT false) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_id bigint;
BEGIN
    v_id := api.create_rfq('RFQ ' || p_key, current_date + 1, current_date + 10, now() + interval '2 hours',
                           '[{"vehicle_type": "SEDAN", "quantity": 2}]');
    IF NOT p_draft THEN
        PERFORM api.publish_rfq(v_id);
    END IF;
    INSERT INTO ids VALUES (p_key, v_id);
    RETURN v_id;
END $$;
CREATE FUNCTION pg_temp.bid(p_rfq text) RETURNS bigint LANGUAGE sql AS $$
    SELECT api.submit_bid((SELECT v FROM ids WHERE k = p_rfq), jsonb_build_array(jsonb_build_object(
        'rfq_line_id', (SELECT l.id FROM marketplace.rfq_line l WHERE l.rfq_id = (SELECT v FROM ids WHERE k = p_rfq)),
        'unit_price', '1000', 'quantity', 1)));
$$;

SELECT tests.as_user('kc|cl-biz');
SELECT pg_temp.rfq(k) FROM unnest(ARRAY['lapsed', 'no_bids', 'in_grace', 'open', 'awarded']) k;
SELECT pg_temp.rfq('draft', true);
RESET ROLE;
SELECT tests.as_user('kc|cl-p1');
SELECT pg_temp.bid(k) FROM unnest(ARRAY['lapsed', 'in_grace', 'awarded']) k;
RESET ROLE;
SELECT tests.as_user('kc|cl-p2');
SELECT pg_temp.bid('lapsed');
SELECT api.withdraw_bid((SELECT v FROM ids WHERE k = 'lapsed'));
RESET ROLE;

-- Time passes (the owner moves the deadlines): 73 h ago is past the default grace of 72 h, 71 h ago is not.
UPDATE marketplace.rfq SET bid_deadline = now() - interval '73 hours'
 WHERE id IN (SELECT v FROM ids WHERE k IN ('lapsed', 'no_bids', 'awarded', 'draft'));
UPDATE marketplace.rfq SET bid_deadline = now() - interval '71 hours' WHERE id = (SELECT v FROM ids WHERE k = 'in_grace');
SELECT tests.as_user('kc|cl-biz');
SELECT api.award_rfq((SELECT v FROM ids WHERE k = 'awarded'), jsonb_build_array(jsonb_build_object(
    'rfq_line_id', b.rfq_line_id, 'bidder', b.bidder, 'quantity', 1)))
  FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'awarded')) b;
RESET ROLE;

SELECT is(masterdata.setting_number('RFQ_AWARD_GRACE_HOURS'), 72::numeric, 'the grace is a setting, 72 hours by default');
SELECT is(marketplace.close_lapsed_rfqs(), 2, 'the two published RFQs past deadline and grace without award are closed');
SELECT results_eq($$SELECT i.k, r.status FROM marketplace.rfq r JOIN ids i ON i.v = r.id
                    WHERE i.k IN ('lapsed', 'no_bids', 'in_grace', 'open', 'awarded', 'draft') ORDER BY i.k$$,
                  $$VALUES ('awarded', 'AWARDED'), ('draft', 'DRAFT'), ('in_grace', 'PUBLISHED'), ('lapsed', 'CLOSED'),
                           ('no_bids', 'CLOSED'), ('open', 'PUBLISHED')$$,
                  'only lapsed PUBLISHED RFQs: not one within the grace, still open, awarded, or a draft');
SELECT results_eq($$SELECT p.k, b.status FROM marketplace.bid b JOIN ids p ON p.v = b.provider_id AND p.k IN ('p1', 'p2')
                    WHERE b.rfq_id = (SELECT v FROM ids WHERE k = 'lapsed') ORDER BY p.k$$,
                  $$VALUES ('p1', 'LOST'), ('p2', 'WITHDRAWN')$$,
                  'a closed RFQ''s submitted bids are lost (as for a cancelled one), a withdrawn bid stays withdrawn');
SELECT is((SELECT b.status FROM marketplace.bid b WHERE b.rfq_id = (SELECT v FROM ids WHERE k = 'in_grace')), 'SUBMITTED',
          'a bid on an RFQ within its grace is untouched');
SELECT is((SELECT b.status FROM marketplace.bid b WHERE b.rfq_id = (SELECT v FROM ids WHERE k = 'awarded')), 'AWARDED',
          'and so is an awarded bid');
SELECT results_eq($$SELECT e.entity_id, e.new_values ->> 'bids_lost', (e.new_values ->> 'grace_hours')::numeric
                     FROM audit.event e
                    WHERE e.module = 'marketplace' AND e.entity_type = 'rfq' AND e.action = 'CLOSED' ORDER BY e.id$$,
                  $$SELECT v::text, n, 72::numeric FROM ids JOIN (VALUES ('lapsed', '1'), ('no_bids', '0')) x(k, n) USING (k)
                    ORDER BY v$$,
                  'each closing is audited once, with the bids it lost and the grace');
SELECT ok((SELECT r.updated_at = now() AND r.published_at IS NOT NULL FROM marketplace.rfq r
            WHERE r.id = (SELECT v FROM ids WHERE k = 'lapsed')), 'the closed RFQ keeps its publication, updated now');

SELECT is(marketplace.close_lapsed_rfqs(), 0, 'idempotent: a second run closes nothing');
SELECT is((SELECT count(*)::int FROM audit.event WHERE module = 'marketplace' AND action = 'CLOSED'), 2,
          'and audits nothing more');
SELECT is(marketplace.close_lapsed_rfqs(interval '70 hours'), 1, 'a shorter grace closes the RFQ past it');
SELECT is((SELECT status FROM marketplace.rfq WHERE id = (SELECT v FROM ids WHERE k = 'in_grace')), 'CLOSED', 'that one');
SELECT is((SELECT status FROM marketplace.rfq WHERE id = (SELECT v FROM ids WHERE k = 'open')), 'PUBLISHED',
          'an RFQ still open for bids is never closed, whatever the grace');
SELECT throws_like($$SELECT marketplace.close_lapsed_rfqs(interval '-1 hour')$$, 'CORE_INVALID_ARGUMENT:%',
                   'a negative grace is refused');

-- a closed RFQ is terminal
SELECT tests.as_user('kc|cl-biz');
SELECT throws_like($$SELECT api.award_rfq((SELECT v FROM ids WHERE k = 'lapsed'), '[{"rfq_line_id": 1, "bidder": "x", "quantity": 1}]')$$,
                   'MARKETPLACE_INVALID_STATE:%', 'a closed RFQ cannot be awarded');
SELECT throws_like($$SELECT api.cancel_rfq((SELECT v FROM ids WHERE k = 'lapsed'))$$, 'MARKETPLACE_INVALID_STATE:%',
                   'nor cancelled');
RESET ROLE;

-- who may run it: the owner (a job); no API role
SELECT tests.as_service();
SELECT throws_ok($$SELECT marketplace.close_lapsed_rfqs()$$, '42501', NULL, 'the back office role does not execute it directly');
RESET ROLE;
SELECT tests.as_user('kc|cl-biz');
SELECT throws_ok($$SELECT marketplace.close_lapsed_rfqs()$$, '42501', NULL, 'nor does a user');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM jobs.job WHERE function_name = 'marketplace.close_lapsed_rfqs(interval)' AND enabled), 1,
          'it runs as the registered job marketplace.close_lapsed_rfqs');

SELECT * FROM finish();
ROLLBACK;
