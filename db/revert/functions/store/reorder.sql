-- Revert mercato:functions/store/reorder from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION store.create_reorder_purchase_orders(bigint, bigint);
DROP FUNCTION store.visible_reorder_suggestions();
DROP FUNCTION store.reorder_suggestions(bigint, bigint);
DROP FUNCTION store.reorder_suggestion_rows(bigint, bigint);

COMMIT;
