-- Tests for functions/marketplace/jobs: closing lapsed RFQs is a registered job (the closing itself:
-- db/tests/functions/marketplace/close_lapsed.sql).
BEGIN;
SELECT plan(2);

SELECT results_eq($$SELECT function_name, schedule, enabled FROM jobs.job WHERE name = 'marketplace.close_lapsed_rfqs'$$,
                  $$VALUES ('marketplace.close_lapsed_rfqs(interval)', '*/15 * * * *', true)$$,
                  'marketplace.close_lapsed_rfqs is registered every 15 minutes, enabled');
SELECT results_eq($$SELECT outcome, result FROM jobs.run('marketplace.close_lapsed_rfqs')$$, $$VALUES ('OK', '0'::jsonb)$$,
                  'it runs with the default grace (nothing to close in an empty marketplace)');

SELECT * FROM finish();
ROLLBACK;
