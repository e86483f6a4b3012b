-- Revert mercato:functions/catalog/guards from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER variant_money ON catalog.variant;
DROP FUNCTION catalog.variant_money_trg();

COMMIT;
