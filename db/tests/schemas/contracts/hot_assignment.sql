-- Tests for schemas/contracts/hot_assignment: the overlap rule reads the generated live flag, and starting an
-- assignment is a HOT update (no index entry written).
BEGIN;
SELECT plan(9);
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
