-- Revert mercato:functions/store/receiving from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION store.receive_purchase_order(bigint, jsonb, text, bigint);

COMMIT;
