-- Revert mercato:functions/api/catalog from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.search_catalog(core.name_text, core.json_doc, integer, core.name_text, bigint);
DROP FUNCTION api.product_by_channel(core.name_text, core.name_text, bigint);
DROP FUNCTION api.link_product_channel(bigint, core.name_text, core.name_text, bigint);
DROP FUNCTION api.get_variant(bigint, bigint);
DROP FUNCTION api.update_variant(bigint, core.json_doc, bigint);
DROP FUNCTION api.add_variant(bigint, core.json_doc, bigint);
DROP FUNCTION api.get_product(bigint, bigint);
DROP FUNCTION api.unarchive_product(bigint, bigint);
DROP FUNCTION api.archive_product(bigint, bigint);
DROP FUNCTION api.publish_product(bigint, bigint);
DROP FUNCTION api.update_product(bigint, core.json_doc, bigint);
DROP FUNCTION api.create_product(core.json_doc, bigint);

COMMIT;
