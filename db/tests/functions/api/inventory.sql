-- Tests for functions/api/inventory: every wrapper exists with its grants (mercato_user and mercato_service; the check
-- the back office only), carries its function's comment, and no API role reaches the internal entry points.
BEGIN;
SELECT plan(8);

SELECT ok(has_function_privilege('mercato_user', 'api.reserve_stock(core.json_doc, core.name_text, core.name_text, core.name_text, core.finite_timestamptz, core.name_text, bigint)', 'EXECUTE'),
          'users may call api.reserve_stock (it checks inventory.manage)');
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.receive_stock(bigint, bigint, integer, numeric, core.name_text, core.name_text, core.name_text, core.name_text, core.long_text, bigint)', 'EXECUTE'),
          'anonymous callers may not receive stock');
SELECT ok(NOT has_function_privilege('mercato_user', 'api.inventory_check()', 'EXECUTE'), 'the full check is the back office''s');
SELECT ok(has_function_privilege('mercato_service', 'api.inventory_check()', 'EXECUTE'), 'the back office runs it');
SELECT ok(NOT has_function_privilege(r, f, 'EXECUTE'), format('%s cannot call %s', r, f))
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) r,
       unnest(ARRAY['inventory.reserve_for(bigint, jsonb, text, text, text, timestamptz, text)',
                    'inventory.ship_for(bigint, bigint, integer)']) f;

SELECT * FROM finish();
ROLLBACK;
