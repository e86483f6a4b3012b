-- Tests for functions/marketplace/ranking: bids sealed until the deadline, then ranked per line under per-RFQ aliases.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
INSERT INTO ids SELECT 'biz', tests.new_business('kc|mk-biz', 'Selam');
INSERT INTO ids SELECT 'p' || n, tests.new_provider('kc|mk-p' || n, 'P' || n) FROM generate_series(1, 3) n;
SELECT identity.register_user('kc|mk-admin', 'ADMIN', 'kc|mk-admin');
SELECT identity.assign_role((SELECT id FROM identity.user_account WHERE auth_subject = 'kc|mk-admin'), 'PLATFORM_ADMIN');
INSERT INTO ids SELECT 'rfq', tests.new_rfq('kc|mk-biz', '[{"vehicle_type": "SEDAN", "engine_type": "HYBRID", "quantity": 3},
                                                           {"vehicle_type": "MINIBUS_12", "quantity": 1, "with_driver": true}]', 'Staff cars', 30);
INSERT INTO ids SELECT 'empty', tests.new_rfq('kc|mk-biz', '[{"vehicle_type": "SUV", "quantity": 1}]', 'Nobody bids', 5);
-- p1 bids on both lines, then revises to line 1 at 1400 before p2 bids 1400 too; p3 is cheapest on line 1.
SELECT tests.bid('kc|mk-p1', (SELECT v FROM ids WHERE k = 'rfq'), 1500, 2, 1);
SELECT tests.bid('kc|mk-p1', (SELECT v FROM ids WHERE k = 'rfq'), 1400, 2, 1);
SELECT tests.bid('kc|mk-p2', (SELECT v FROM ids WHERE k = 'rfq'), 1400, 3, 1);
SELECT tests.as_user('kc|mk-p3');
SELECT api.submit_bid(v, (SELECT jsonb_agg(jsonb_build_object('rfq_line_id', l.id, 'unit_price', CASE l.line_no WHEN 1 THEN '1300' ELSE '4200' END,
                                                              'quantity', 1) ORDER BY l.line_no)
                            FROM marketplace.rfq_line l WHERE l.rfq_id = ids.v))
  FROM ids WHERE k = 'rfq';
RESET ROLE;

-- before the deadline the business side learns nothing, not even whether there are bids
SELECT tests.as_user('kc|mk-biz');
SELECT throws_like($$SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_BIDS_SEALED:%',
                   'bids are sealed before the deadline');
SELECT throws_like($$SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'empty'))$$, 'MARKETPLACE_BIDS_SEALED:%',
                   'with the same answer for an RFQ without bids');
RESET ROLE;
SELECT tests.as_user('kc|mk-admin');
SELECT throws_like($$SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_BIDS_SEALED:%',
                   'not even an admin sees bids early');
RESET ROLE;

-- the deadline passes
SELECT tests.close_bidding(v) FROM ids WHERE k IN ('rfq', 'empty');
SELECT tests.as_user('kc|mk-biz');
CREATE TEMP TABLE ranked AS SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'rfq'));
RESET ROLE;
-- An unregistered subject (user_id NULL) must not slip through an ownership comparison with NULL.
SELECT tests.as_user('kc|nobody-at-all');
SELECT throws_like($$SELECT * FROM api.rfq_bids((SELECT v FROM ids WHERE k = 'rfq'))$$, 'MARKETPLACE_UNKNOWN_RFQ:%',
                   'an unknown subject sees no bids');
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

SELECT * FROM finish();
ROLLBACK;
