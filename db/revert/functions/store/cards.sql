-- Revert mercato:functions/store/cards from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION store.add_card_variant(bigint, text, text, text, text, numeric, text, integer, text, numeric, numeric, numeric,
                                     numeric, text, bigint);
DROP FUNCTION store.grade_input_problem(text, text, numeric);
DROP FUNCTION store.add_card(bigint, text, text, text, text, text, numeric, text[], jsonb, jsonb, bigint);
DROP FUNCTION store.manager_tenant(bigint);

COMMIT;
