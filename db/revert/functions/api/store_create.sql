-- Revert mercato:functions/api/store_create from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.create_card_variant(bigint, core.json_doc, core.name_text, core.name_text, core.name_text,
                                      core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric,
                                      numeric, numeric, core.name_text, bigint);
DROP FUNCTION api.create_card(core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text,
                              core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint);

COMMIT;
