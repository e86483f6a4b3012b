-- Revert mercato:schemas/core/counter from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code = 'CORE_COUNTER_INVALID';
DROP TABLE core.counter;

COMMIT;
