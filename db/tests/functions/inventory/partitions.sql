-- Tests for functions/inventory/partitions: monthly partitions created ahead, idempotent; movements land in theirs.
BEGIN;
SELECT plan(4);

SELECT is(inventory.ensure_partitions('2031-05-17', 1), 2, 'ensure_partitions creates the missing months');
SELECT is(inventory.ensure_partitions('2031-05-17', 1), 0, 'and nothing when they exist');
SELECT ok(to_regclass('inventory.movement_y2031m06') IS NOT NULL, 'named movement_yYYYYmMM');
SELECT throws_like($$SELECT inventory.ensure_partitions(now(), 500)$$, 'CORE_INVALID_ARGUMENT:%', 'a sane horizon only');

SELECT * FROM finish();
ROLLBACK;
