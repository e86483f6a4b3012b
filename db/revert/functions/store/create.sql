-- Revert mercato:functions/store/create from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION store.create_card_variant(bigint, jsonb, text, text, text, text, numeric, text, integer, text, numeric,
                                        numeric, numeric, numeric, text, bigint);
DROP FUNCTION store.create_card(jsonb, text, text, text, text, text, numeric, text[], jsonb, jsonb, bigint);

COMMIT;
