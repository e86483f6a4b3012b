-- Tests for functions/settlement/runs: a period run settles every provider with earnings once and skips those
-- already settled; the reference a run gives each provider's cycle.
BEGIN;
SELECT plan(4);

SELECT tests.put(k, v) FROM tests.settlement_world();

-- The period run --------------------------------------------------------------------------------------
SELECT results_eq($$SELECT currency, cycles, lines, gross, commission, net, skipped FROM settlement.run_period(current_date - 13, current_date - 7)$$,
                  $$VALUES ('ETB'::text, 1, 3::bigint, 561023.40::numeric, 50105.83::numeric, 510917.57::numeric, 0)$$,
                  'run_period settles every provider with earnings and reports the totals');
SELECT results_eq($$SELECT currency, cycles, lines, skipped FROM settlement.run_period(current_date - 13, current_date - 7)$$,
                  $$VALUES ('ETB'::text, 0, 0::bigint, 1)$$, 'running the same period again settles nothing and skips the provider');
SELECT is(tests.failing_checks(), 0::bigint, 'checks are clean after the run');

-- references: one builder (ledger.build_reference); the format of a run's cycle reference unchanged
SELECT is(settlement.run_reference('2026-11-01', '2026-11-30', 7, 'ETB'), 'period:2026-11-01:2026-11-30:provider:7:ETB',
          'a period run''s cycle reference');

SELECT * FROM finish();
ROLLBACK;
