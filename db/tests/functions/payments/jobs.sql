-- Tests for functions/payments/jobs: both duties are registered and run.
BEGIN;
SELECT plan(3);

SELECT ok((SELECT array_agg(name::text ORDER BY name) FROM jobs.job WHERE name LIKE 'payments.%')
           @> ARRAY['payments.expire_funding_sessions', 'payments.sweep_rail_instructions'], 'the rails'' jobs are registered');
SELECT lives_ok($$SELECT jobs.run('payments.sweep_rail_instructions', true)$$, 'the sweeper runs');
SELECT lives_ok($$SELECT jobs.run('payments.expire_funding_sessions', true)$$, 'the expiry runs');

SELECT * FROM finish();
ROLLBACK;
