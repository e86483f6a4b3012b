-- Tests for functions/api/catalog: who may execute the wrappers (the rules are proven in db/tests/functions/catalog/*),
-- and that every wrapper is SECURITY DEFINER with the wrapped function's comment.
BEGIN;
SELECT plan(4);

SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'api' AND p.proname IN ('create_product', 'update_product', 'publish_product', 'archive_product',
                  'unarchive_product', 'get_product', 'add_variant', 'update_variant', 'get_variant', 'link_product_channel',
                  'product_by_channel', 'search_catalog')
              AND p.prosecdef AND has_function_privilege('mercato_user', p.oid, 'EXECUTE')
              AND has_function_privilege('mercato_service', p.oid, 'EXECUTE')), 12,
          'twelve catalog wrappers, SECURITY DEFINER, for users and the back office');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'api' AND p.proname IN ('create_product', 'update_product', 'publish_product', 'archive_product',
                  'unarchive_product', 'get_product', 'add_variant', 'update_variant', 'get_variant', 'link_product_channel',
                  'product_by_channel', 'search_catalog')
              AND has_function_privilege('mercato_anon', p.oid, 'EXECUTE')), 0, 'none for anonymous callers');
SELECT ok(obj_description('api.search_catalog(core.name_text, core.json_doc, integer, core.name_text, bigint)'::regprocedure,
                          'pg_proc') LIKE 'Search the caller''s tenant''s products%', 'a wrapper carries its function''s comment');
SELECT tests.as_user('nobody-at-all');
SELECT throws_like($$SELECT api.create_product('{"title": "x"}')$$, 'IDENTITY_NOT_AUTHENTICATED:%', 'an unknown subject is refused');

SELECT * FROM finish();
ROLLBACK;
