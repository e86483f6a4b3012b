-- Tests for schemas/settlement: structure, the no-overlap exclusion, amount constraints and privileges.
BEGIN;
SELECT plan(16);

SELECT has_schema('settlement');
SELECT tables_are('settlement', ARRAY['cycle', 'cycle_line']);
SELECT col_is_pk('settlement', 'cycle', 'id', 'cycles have a bigint identity key');
SELECT col_is_unique('settlement', 'cycle', 'reference', 'cycle references are unique (idempotency)');
SELECT col_is_pk('settlement', 'cycle_line', ARRAY['cycle_id', 'contract_line_id'], 'one cycle line per contract line and cycle');
SELECT fk_ok('settlement', 'cycle_line', 'ledger_transaction_id', 'ledger', 'transaction', 'id');
SELECT fk_ok('settlement', 'cycle_line', 'contract_line_id', 'contracts', 'contract_line', 'id');
SELECT ok(EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'cycle_no_overlap_excl' AND contype = 'x'),
          'an exclusion constraint keeps a provider''s periods from overlapping');

-- Constraints as the owner.
INSERT INTO parties.provider (user_id, provider_type, name)
VALUES (identity.register_user('schema-prov', 'PROVIDER', 'P'), 'COMPANY', 'P');
SELECT lives_ok($$INSERT INTO settlement.cycle (provider_id, currency, period_start, period_end, gross, commission, net, reference)
                  SELECT id, 'ETB', '2026-01-01', '2026-01-31', 10, 1, 9, 'jan' FROM parties.provider WHERE name = 'P'$$,
                'a cycle for January');
SELECT throws_ok($$INSERT INTO settlement.cycle (provider_id, currency, period_start, period_end, gross, commission, net, reference)
                   SELECT id, 'ETB', '2026-01-31', '2026-02-27', 10, 1, 9, 'feb' FROM parties.provider WHERE name = 'P'$$,
                 '23P01', NULL, 'a period sharing one day with it is refused');
SELECT lives_ok($$INSERT INTO settlement.cycle (provider_id, currency, period_start, period_end, gross, commission, net, reference)
                  SELECT id, 'ETB', '2026-02-01', '2026-02-28', 10, 1, 9, 'feb' FROM parties.provider WHERE name = 'P'$$,
                'the next period is fine');
SELECT throws_ok($$INSERT INTO settlement.cycle (provider_id, currency, period_start, period_end, gross, commission, net, reference)
                   SELECT id, 'ETB', '2026-03-01', '2026-03-31', 10, 1, 8, 'mar' FROM parties.provider WHERE name = 'P'$$,
                 '23514', NULL, 'net must equal gross - commission');
SELECT throws_ok($$INSERT INTO settlement.cycle (provider_id, currency, period_start, period_end, gross, commission, net, reference)
                   SELECT id, 'ETB', '2026-03-01', '2026-03-31', 10, 1, 9, 'jan' FROM parties.provider WHERE name = 'P'$$,
                 '23505', NULL, 'a reference names one cycle');

SET LOCAL ROLE mercato_user;
SELECT is((SELECT count(*)::int FROM settlement.cycle), 0, 'mercato_user without claims reads no cycle (row-level security)');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT throws_ok($$UPDATE settlement.cycle SET gross = 0$$, '42501', NULL, 'mercato_service cannot write cycles');
SELECT throws_ok($$INSERT INTO settlement.cycle_line (cycle_id, contract_line_id, vehicle_days, unit_price, gross, commission_rate,
                   commission, net, ledger_transaction_id) VALUES (1, 1, 1, 1, 1, 0, 0, 1, 1)$$, '42501', NULL,
                 'nor cycle lines');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
