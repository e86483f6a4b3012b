-- Verify mercato:schemas/contracts/hot_assignment on pg

BEGIN;

SELECT live FROM contracts.assignment WHERE false;
SELECT 1 / (pg_get_constraintdef(oid) LIKE '%WHERE (live)%')::int
  FROM pg_constraint WHERE conname = 'assignment_vehicle_no_overlap_excl';

ROLLBACK;
