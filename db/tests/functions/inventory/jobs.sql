-- Tests for functions/inventory/jobs: the partitions and the expiry sweep are registered jobs and run as such.
BEGIN;
SELECT plan(3);

SELECT results_eq($$SELECT name, to_regprocedure(function_name), enabled FROM jobs.job WHERE name LIKE 'inventory.%' AND name <> 'inventory.integrity' ORDER BY name$$,
                  $$VALUES ('inventory.expire_reservations', 'inventory.expire_reservations(integer)'::regprocedure, true),
                           ('inventory.partitions_ahead', 'inventory.ensure_partitions(timestamptz, integer)'::regprocedure, true)$$,
                  'the expiry sweep and the partitions ahead are registered, enabled');
SELECT is((jobs.run('inventory.partitions_ahead')).outcome, 'OK', 'the partitions job runs');
SELECT is((jobs.run('inventory.expire_reservations')).outcome, 'OK', 'the sweep runs');

SELECT * FROM finish();
ROLLBACK;
