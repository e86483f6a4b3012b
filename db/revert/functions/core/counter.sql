-- Revert mercato:functions/core/counter from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION core.next_number(text, text);

COMMIT;
