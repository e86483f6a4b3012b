-- Revert mercato:functions/store/tcg from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER variant_store_max_quantity ON catalog.variant;
DROP TRIGGER card_variant_validate ON store.card_variant;
DROP TRIGGER card_validate ON store.card;
DROP FUNCTION store.variant_max_quantity_trg();
DROP FUNCTION store.card_variant_validate_trg();
DROP FUNCTION store.card_variant_problem(store.card_variant);
DROP FUNCTION store.card_validate_trg();
DROP FUNCTION store.card_problem(store.card, text);

COMMIT;
