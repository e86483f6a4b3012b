-- Revert mercato:functions/api/store from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.store_card_variants(bigint, bigint);
DROP FUNCTION api.store_cards(bigint, bigint);
DROP FUNCTION api.card_conditions();
DROP FUNCTION api.grading_grades(core.name_text);
DROP FUNCTION api.bgs_overall(numeric, numeric, numeric, numeric);
DROP FUNCTION api.add_card_variant(bigint, core.name_text, core.name_text, core.name_text, core.name_text, numeric,
                                   core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric,
                                   core.name_text, bigint);
DROP FUNCTION api.add_card(bigint, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric,
                           core.text_list, core.json_doc, core.json_doc, bigint);

COMMIT;
