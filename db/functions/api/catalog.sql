-- Deploy mercato:functions/api/catalog to pg
-- The HTTP API of the catalog (issue 18). A tenant's user acts on its own tenant (identity.my_tenant_id(); naming
-- another is refused); a platform user or the back office names the tenant with p_tenant_id. Writes need
-- catalog.manage in the tenant; reads any user of the tenant.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.create_product(p_product core.json_doc, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.create_product(p_product, p_tenant_id);
SELECT core.wrap('api.create_product(core.json_doc, bigint)', 'catalog.create_product(jsonb, bigint)',
                 'Staff holding catalog.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.update_product(p_product_id bigint, p_changes core.json_doc, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.update_product(p_product_id, p_changes, p_tenant_id);
SELECT core.wrap('api.update_product(bigint, core.json_doc, bigint)', 'catalog.update_product(bigint, jsonb, bigint)',
                 'Staff holding catalog.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.publish_product(p_product_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.publish_product(p_product_id, p_tenant_id);
SELECT core.wrap('api.publish_product(bigint, bigint)', 'catalog.publish_product(bigint, bigint)',
                 'Staff holding catalog.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.archive_product(p_product_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.archive_product(p_product_id, p_tenant_id);
SELECT core.wrap('api.archive_product(bigint, bigint)', 'catalog.archive_product(bigint, bigint)',
                 'Staff holding catalog.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.unarchive_product(p_product_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.unarchive_product(p_product_id, p_tenant_id);
SELECT core.wrap('api.unarchive_product(bigint, bigint)', 'catalog.unarchive_product(bigint, bigint)',
                 'Staff holding catalog.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.get_product(p_product_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.get_product(p_product_id, p_tenant_id);
SELECT core.wrap('api.get_product(bigint, bigint)', 'catalog.get_product(bigint, bigint)',
                 'Users of the tenant; platform users holding catalog.manage; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.add_variant(p_product_id bigint, p_variant core.json_doc, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.add_variant(p_product_id, p_variant, p_tenant_id);
SELECT core.wrap('api.add_variant(bigint, core.json_doc, bigint)', 'catalog.add_variant(bigint, jsonb, bigint)',
                 'Staff holding catalog.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.update_variant(p_variant_id bigint, p_changes core.json_doc, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.update_variant(p_variant_id, p_changes, p_tenant_id);
SELECT core.wrap('api.update_variant(bigint, core.json_doc, bigint)', 'catalog.update_variant(bigint, jsonb, bigint)',
                 'Staff holding catalog.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.get_variant(p_variant_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.get_variant(p_variant_id, p_tenant_id);
SELECT core.wrap('api.get_variant(bigint, bigint)', 'catalog.get_variant(bigint, bigint)',
                 'Users of the tenant; platform users holding catalog.manage; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.link_product_channel(p_product_id bigint, p_channel core.name_text, p_external_id core.name_text,
                                                    p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.link_channel(p_product_id, p_channel, p_external_id, p_tenant_id);
SELECT core.wrap('api.link_product_channel(bigint, core.name_text, core.name_text, bigint)',
                 'catalog.link_channel(bigint, text, text, bigint)',
                 'Staff holding catalog.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.product_by_channel(p_channel core.name_text, p_external_id core.name_text,
                                                  p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.product_by_channel(p_channel, p_external_id, p_tenant_id);
SELECT core.wrap('api.product_by_channel(core.name_text, core.name_text, bigint)',
                 'catalog.product_by_channel(text, text, bigint)',
                 'Users of the tenant; platform users holding catalog.manage; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.search_catalog(p_query core.name_text DEFAULT NULL, p_filters core.json_doc DEFAULT '{}',
                                              p_limit integer DEFAULT 20, p_cursor core.name_text DEFAULT NULL,
                                              p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (product_id bigint, title text, vendor text, product_type text, category text, tags text[], status text,
               published_at timestamptz, currency text, min_price numeric, max_price numeric, variant_count integer,
               score numeric, cursor text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM catalog.search(p_query, p_filters, p_limit, p_cursor, p_tenant_id);
END;
SELECT core.wrap('api.search_catalog(core.name_text, core.json_doc, integer, core.name_text, bigint)',
                 'catalog.search(text, jsonb, integer, text, bigint)',
                 'Users of the tenant; platform users holding catalog.manage; back office.', 'mercato_user', 'mercato_service');

COMMIT;
