-- Tests for functions/parties/jobs: the tier recalculation is a registered job, and running it recalculates.
BEGIN;
SELECT plan(3);

SELECT results_eq($$SELECT function_name, schedule, enabled FROM jobs.job WHERE name = 'parties.recalculate_tiers'$$,
                  $$VALUES ('parties.recalculate_tiers()', '30 2 * * *', true)$$,
                  'parties.recalculate_tiers is registered daily, enabled');
INSERT INTO parties.provider (user_id, provider_type, name, verification_status)
VALUES (identity.register_user('kc|jobs-tier-p', 'PROVIDER', 'Tiered'), 'COMPANY', 'Tiered', 'VERIFIED');
CREATE TEMP TABLE r AS SELECT * FROM jobs.run('parties.recalculate_tiers');
SELECT is((SELECT outcome FROM r), 'OK', 'the job runs as the owner (the service role''s right to recalculate)');
SELECT results_eq($$SELECT x ->> 'party_type', (x ->> 'evaluated')::int >= 1 FROM r, jsonb_array_elements(r.result) x
                    ORDER BY 1$$, $$VALUES ('BUSINESS', false), ('PROVIDER', true)$$,
                  'its result is the summary per party type, the new provider evaluated');

SELECT * FROM finish();
ROLLBACK;
