-- Revert mercato:functions/inventory/partitions from pg
-- The partitions it created stay (they may hold movements); they go with the table (revert of schemas/inventory).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION inventory.ensure_partitions(timestamptz, integer);

COMMIT;
