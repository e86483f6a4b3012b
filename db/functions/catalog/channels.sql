-- Deploy mercato:functions/catalog/channels to pg
-- External channel ids: a product's id on a sales channel (TCGplayer, eBay, Amazon, the POS, the online store), one per
-- product and channel, an external id naming one product per tenant and channel; and the reverse look-up an import of
-- channel orders needs.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION catalog.link_channel(p_product_id bigint, p_channel text, p_external_id text,
                                                p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant  bigint := catalog.write_tenant(p_tenant_id);
    v_channel text := upper(btrim(p_channel));
    v_state   text;
    v_table   text;
    v_con     text;
    v_col     text;
    v_msg     text;
BEGIN
    PERFORM catalog.lock_product(p_product_id, v_tenant);
    BEGIN
        INSERT INTO catalog.product_channel (tenant_id, product_id, channel, external_id)
        VALUES (v_tenant, p_product_id, v_channel, btrim(p_external_id))
        ON CONFLICT ON CONSTRAINT product_channel_product_id_tenant_id_channel_key
        DO UPDATE SET external_id = EXCLUDED.external_id
         WHERE product_channel.external_id IS DISTINCT FROM EXCLUDED.external_id;
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_table = TABLE_NAME, v_con = CONSTRAINT_NAME,
                                v_col = COLUMN_NAME, v_msg = MESSAGE_TEXT;
        PERFORM catalog.refuse_constraint(v_state, v_table, v_con, v_col, v_msg);
    END;
    RETURN catalog.product_doc(p_product_id) -> 'channels';
END
$$;
COMMENT ON FUNCTION catalog.link_channel(bigint, text, text, bigint) IS
'Link a product of the caller''s tenant to its id on an external channel (ONLINE_STORE, TCGPLAYER, EBAY, AMAZON, POS;
external id 1-256 characters); linking the product on that channel again replaces its id. Returns the product''s
channel ids. An external id names one product per tenant and channel. Needs catalog.manage. Audited. Assumes READ
COMMITTED: locks the product. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH, CATALOG_UNKNOWN_PRODUCT,
CATALOG_INVALID_INPUT, CATALOG_CHANNEL_ID_TAKEN.';

CREATE OR REPLACE FUNCTION catalog.product_by_channel(p_channel text, p_external_id text, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := catalog.read_tenant(p_tenant_id);
    v_id     bigint;
BEGIN
    SELECT c.product_id INTO v_id FROM catalog.product_channel c
     WHERE c.tenant_id = v_tenant AND c.channel = upper(btrim(p_channel)) AND c.external_id = btrim(p_external_id);
    IF v_id IS NULL THEN
        PERFORM core.raise('CATALOG_UNKNOWN_PRODUCT',
                           format('no product of channel %s id %s', left(p_channel, 50), left(p_external_id, 256)));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION catalog.product_by_channel(text, text, bigint) IS
'The product of the caller''s tenant a channel''s external id names (for imports of channel orders). Any user of the
tenant; a platform user holding catalog.manage or the back office names the tenant. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_TENANT_MISMATCH, IDENTITY_PERMISSION_DENIED, CATALOG_UNKNOWN_PRODUCT.';

COMMIT;
