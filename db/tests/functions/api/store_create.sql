-- Tests for functions/api/store_create: who may call api.create_card and api.create_card_variant (grants), and that
-- each wrapper carries its module function's comment.
BEGIN;
SELECT plan(4);

SELECT ok(has_function_privilege('mercato_user', 'api.create_card(core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)', 'EXECUTE')
          AND has_function_privilege('mercato_service', 'api.create_card(core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_anon', 'api.create_card(core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)', 'EXECUTE'),
          'api.create_card: users (the permissions are checked inside) and the back office, not anonymous callers');
SELECT ok(has_function_privilege('mercato_user', 'api.create_card_variant(bigint, core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, core.name_text, bigint)', 'EXECUTE')
          AND has_function_privilege('mercato_service', 'api.create_card_variant(bigint, core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, core.name_text, bigint)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_anon', 'api.create_card_variant(bigint, core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, core.name_text, bigint)', 'EXECUTE'),
          'api.create_card_variant: users and the back office, not anonymous callers');
SELECT ok(obj_description('api.create_card(core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)'::regprocedure, 'pg_proc')
          LIKE '%leaves no catalog product%', 'api.create_card carries store.create_card''s comment');
SELECT ok(obj_description('api.create_card_variant(bigint, core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, core.name_text, bigint)'::regprocedure, 'pg_proc')
          LIKE '%leaves no catalog variant%', 'api.create_card_variant carries store.create_card_variant''s comment');

SELECT * FROM finish();
ROLLBACK;
