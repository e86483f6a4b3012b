-- Tests for schemas/contracts: structure, constraints (escrow bookkeeping, no overlapping assignments) and privileges.
BEGIN;
SELECT plan(40);

SELECT has_schema('contracts');
SELECT tables_are('contracts', ARRAY['contract', 'party_business', 'party_provider', 'contract_line', 'assignment']);
SELECT col_is_pk('contracts', 'contract', 'id', 'contracts have a bigint identity key');
SELECT col_is_unique('contracts', 'contract', 'rfq_id', 'one contract per RFQ');
SELECT col_is_unique('contracts', 'contract', 'contract_number', 'contract numbers are unique');
SELECT col_is_pk('contracts', 'party_business', 'contract_id', 'one business snapshot per contract');
SELECT col_is_pk('contracts', 'party_provider', ARRAY['contract_id', 'provider_id'], 'one snapshot per provider and contract');
SELECT col_is_unique('contracts', 'contract_line', 'award_id', 'one line per award');
SELECT fk_ok('contracts', 'contract', 'rfq_id', 'marketplace', 'rfq', 'id');
SELECT fk_ok('contracts', 'contract', 'commission_policy_version_id', 'masterdata', 'policy_version', 'id');
SELECT fk_ok('contracts', 'contract', 'business_wallet_account_id', 'ledger', 'account', 'id');
SELECT fk_ok('contracts', 'contract_line', 'hold_id', 'ledger', 'hold', 'id');
SELECT fk_ok('contracts', 'contract_line', ARRAY['contract_id', 'provider_id'], 'contracts', 'party_provider', ARRAY['contract_id', 'provider_id']);
SELECT fk_ok('contracts', 'assignment', 'vehicle_id', 'fleet', 'vehicle', 'id');
SELECT col_type_is('contracts', 'assignment', 'period', 'daterange', 'assignments cover a date range');
SELECT has_check('contracts', 'contract_line', 'lines carry CHECK constraints');
SELECT ok(EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'assignment_vehicle_no_overlap_excl' AND contype = 'x'),
          'an exclusion constraint keeps a vehicle out of overlapping live assignments');
SELECT has_trigger('contracts', 'party_provider', 'party_provider_immutable', 'provider snapshots are guarded');
SELECT has_trigger('contracts', 'contract_line', 'contract_line_guard', 'line terms are guarded');
SELECT has_trigger('contracts', 'assignment', 'assignment_audit', 'assignments are audited');

-- Constraints, checked as the owner on bare rows.
SELECT throws_ok($$INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period)
                   VALUES (1, 1, 1, 1, 'empty'::daterange)$$, '23514', NULL, 'an empty period is refused');
SELECT throws_ok($$INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period)
                   VALUES (1, 1, 1, 1, daterange(current_date, NULL))$$, '23514', NULL, 'an open-ended period is refused');
SELECT throws_ok($$INSERT INTO contracts.contract (contract_number, rfq_id, business_id, currency, start_date, end_date, total_amount,
                                                   commission_policy_version_id, business_wallet_account_id)
                   VALUES ('X', 1, 1, 'ETB', current_date, current_date - 1, 10, 1, 1)$$, '23514', NULL, 'end before start is refused');
SELECT throws_ok($$INSERT INTO contracts.contract (contract_number, rfq_id, business_id, currency, start_date, end_date, total_amount,
                                                   commission_policy_version_id, business_wallet_account_id, status)
                   VALUES ('X', 1, 1, 'ETB', current_date, current_date, 10, 1, 1, 'ACTIVE')$$, '23514', NULL,
                 'an ACTIVE contract needs activated_at');
SELECT ok(pg_get_constraintdef((SELECT oid FROM pg_constraint WHERE conname = 'party_provider_commission_min_share_check'))
          LIKE '%commission_min = %0%OR%commission_min_share > %0%', 'a provider snapshot with a minimum carries its share');
SELECT ok(pg_get_constraintdef((SELECT oid FROM pg_constraint WHERE conname = 'contract_line_escrow_check'))
          LIKE '%settled_gross + released%<=%escrowed%', 'settled + released never exceed what was escrowed');
SELECT ok(pg_get_constraintdef((SELECT oid FROM pg_constraint WHERE conname = 'contract_line_total_check'))
          LIKE '%quantity%unit_price%days%', 'a line''s total is quantity x unit_price x days');

-- Application roles read and write nothing directly.
SET LOCAL ROLE mercato_user;
SELECT is((SELECT count(*)::int FROM contracts.contract), 0, 'mercato_user reads no contract it is not party to (row-level security)');
SELECT throws_ok($$UPDATE contracts.contract_line SET released = 0$$, '42501', NULL, 'nor write lines');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT throws_ok($$INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period)
                   VALUES (1, 1, 1, 1, daterange(current_date, current_date + 1))$$, '42501', NULL,
                 'mercato_service cannot insert assignments directly');
SELECT throws_ok($$DELETE FROM contracts.party_business$$, '42501', NULL, 'nor delete snapshots');
RESET ROLE;

-- The live flag: the partial-index predicates read it, so hot state changes are HOT updates.
-- Bare rows as the owner: foreign keys and triggers are not what is tested here (constraints still apply).
SET LOCAL session_replication_role = replica;

SELECT col_type_is('contracts', 'assignment', 'live', 'boolean', 'assignments carry a live flag');
SELECT is((SELECT attgenerated::text FROM pg_attribute WHERE attrelid = 'contracts.assignment'::regclass AND attname = 'live'),
          's', 'generated from status, stored');

CREATE TEMP TABLE t (k text PRIMARY KEY, v bigint);
WITH x AS (INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period)
           VALUES (-1, -1, -1, -77, daterange(current_date, current_date + 5)) RETURNING id)
INSERT INTO t SELECT 'a', id FROM x;
SELECT is((SELECT live FROM contracts.assignment WHERE id = (SELECT v FROM t WHERE k = 'a')), true, 'PENDING_DELIVERY is live');
SELECT throws_ok($$INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period)
                   VALUES (-1, -1, -1, -77, daterange(current_date + 4, current_date + 9))$$, '23P01', NULL,
                 'an overlapping booking of the same vehicle is still refused');

INSERT INTO t SELECT 'hot0', pg_stat_get_xact_tuples_hot_updated('contracts.assignment'::regclass);
UPDATE contracts.assignment SET status = 'ACTIVE', started_on = current_date, updated_at = clock_timestamp()
 WHERE id = (SELECT v FROM t WHERE k = 'a');
SELECT is(pg_stat_get_xact_tuples_hot_updated('contracts.assignment'::regclass) - (SELECT v FROM t WHERE k = 'hot0'), 1::bigint,
          'starting an assignment is a heap-only update: no index entry is written');
SELECT throws_ok($$INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period)
                   VALUES (-1, -1, -1, -77, daterange(current_date + 1, current_date + 2))$$, '23P01', NULL,
                 'an ACTIVE assignment still books its vehicle');

UPDATE contracts.assignment SET status = 'RETURNED', ended_on = current_date + 2 WHERE id = (SELECT v FROM t WHERE k = 'a');
SELECT is((SELECT live FROM contracts.assignment WHERE id = (SELECT v FROM t WHERE k = 'a')), false, 'RETURNED is not live');
SELECT lives_ok($$INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period)
                  VALUES (-1, -1, -1, -77, daterange(current_date + 3, current_date + 9))$$,
                'a returned vehicle can be booked again for the same days');
SELECT throws_ok($$UPDATE contracts.assignment SET live = false WHERE vehicle_id = -77$$, '428C9', NULL,
                 'the flag cannot be written, only derived');

SELECT * FROM finish();
ROLLBACK;
