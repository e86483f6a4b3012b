-- Verify mercato:functions/api/catalog on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['api.create_product(core.json_doc, bigint)', 'api.update_product(bigint, core.json_doc, bigint)',
                    'api.publish_product(bigint, bigint)', 'api.archive_product(bigint, bigint)',
                    'api.unarchive_product(bigint, bigint)', 'api.get_product(bigint, bigint)',
                    'api.add_variant(bigint, core.json_doc, bigint)', 'api.update_variant(bigint, core.json_doc, bigint)',
                    'api.get_variant(bigint, bigint)',
                    'api.link_product_channel(bigint, core.name_text, core.name_text, bigint)',
                    'api.product_by_channel(core.name_text, core.name_text, bigint)',
                    'api.search_catalog(core.name_text, core.json_doc, integer, core.name_text, bigint)']) AS f,
       unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.create_product(core.json_doc, bigint)', 'api.search_catalog(core.name_text, core.json_doc, integer, core.name_text, bigint)',
                    'api.get_product(bigint, bigint)']) AS f;

ROLLBACK;
