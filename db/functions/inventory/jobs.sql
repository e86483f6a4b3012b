-- Deploy mercato:functions/inventory/jobs to pg
-- The inventory's periodic duties, registered with the jobs kernel: the movement partitions created ahead and the
-- reservation expiry sweep.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

SELECT jobs.register('inventory.partitions_ahead', '19 3 * * *', 'inventory.ensure_partitions(timestamptz, integer)',
    'Create the inventory.movement partitions of this month and the next three ahead (inventory.ensure_partitions with '
    'its defaults), so that no movement waits on DDL at a month boundary. Idempotent.');

SELECT jobs.register('inventory.expire_reservations', '* * * * *', 'inventory.expire_reservations(integer)',
    'Reservation expiry sweep: resolve ACTIVE reservations past their expires_at as EXPIRED and make their stock '
    'available again (inventory.expire_reservations, at most 1,000 a run; SKIP LOCKED, safe next to ships and releases).');

COMMIT;
