-- Deploy mercato:functions/store/distributors to pg
-- A shop's distributors and what each supplies: create and update a distributor (code unique per tenant), and set a
-- distributor item (the distributor's SKU and unit cost of a catalog variant; at most one preferred distributor per
-- variant). Also the helpers the other purchasing use cases share: whose store a call acts on (store.manage), and the
-- checks of an amount and a short text that answer STORE_INVALID_PURCHASE "field: reason" before a constraint could.
-- All functions assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION store.purchasing_tenant(p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN identity.role_admin_tenant(p_tenant_id, 'store.manage');
COMMENT ON FUNCTION store.purchasing_tenant(bigint) IS
'The tenant whose purchasing the call manages, once the caller may: a tenant''s user its own tenant (p_tenant_id NULL or
the same), a platform user or the back office the tenant it names; the caller holds store.manage there. Internal.
Errors as identity.role_admin_tenant: IDENTITY_NOT_AUTHENTICATED, IDENTITY_TENANT_MISMATCH, IDENTITY_INVALID_INPUT,
IDENTITY_UNKNOWN_TENANT, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.check_amount(p_tenant_id bigint, p_field text, p_amount numeric)
RETURNS numeric
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_currency char(3);
    v_units    smallint;
BEGIN
    IF p_amount IS NULL THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', format('%s: required', p_field));
    END IF;
    SELECT t.currency, c.minor_units INTO v_currency, v_units
      FROM identity.tenant t LEFT JOIN masterdata.currency c ON c.code = t.currency WHERE t.id = p_tenant_id;
    IF v_currency IS NULL THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE',
                           format('currency: tenant %s has no currency yet (the platform sets it)', p_tenant_id));
    ELSIF p_amount = 'NaN' OR p_amount < 0 OR p_amount >= 1e12 OR scale(p_amount) > v_units THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE',
                           format('%s: an amount from 0 below 1,000,000,000,000 %s with at most %s decimals', p_field,
                                  v_currency, v_units));
    END IF;
    RETURN p_amount;
END
$$;
COMMENT ON FUNCTION store.check_amount(bigint, text, numeric) IS
'p_amount when it is an amount of the tenant''s currency: present, finite, >= 0, below 10^12, with at most the currency''s
minor units of decimals; else STORE_INVALID_PURCHASE naming p_field (also when the tenant has no currency). Internal.';

CREATE OR REPLACE FUNCTION store.check_text(p_field text, p_value text, p_max integer)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_value IS NOT NULL AND length(btrim(p_value)) NOT BETWEEN 1 AND p_max THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', format('%s: 1 to %s characters', p_field, p_max));
    END IF;
    RETURN btrim(p_value);
END
$$;
COMMENT ON FUNCTION store.check_text(text, text, integer) IS
'p_value trimmed, when NULL or 1 to p_max characters once trimmed; else STORE_INVALID_PURCHASE naming p_field. Internal.';

CREATE OR REPLACE FUNCTION store.check_days(p_field text, p_days integer)
RETURNS integer
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_days NOT BETWEEN 0 AND 3650 THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', format('%s: 0 to 3,650 days', p_field));
    END IF;
    RETURN p_days;
END
$$;
COMMENT ON FUNCTION store.check_days(text, integer) IS
'p_days when NULL or 0 to 3,650; else STORE_INVALID_PURCHASE naming p_field. Internal.';

CREATE OR REPLACE FUNCTION store.create_distributor(
    p_code               text,
    p_name               text,
    p_contact_info       jsonb DEFAULT '{}',
    p_payment_terms      text DEFAULT NULL,
    p_payment_terms_days integer DEFAULT NULL,
    p_shipping_terms     text DEFAULT NULL,
    p_minimum_order      numeric DEFAULT 0,
    p_lead_time_days     integer DEFAULT NULL,
    p_tenant_id          bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := store.purchasing_tenant(p_tenant_id);
    v_code   text := upper(btrim(p_code));
    v_id     bigint;
BEGIN
    IF v_code IS NULL OR v_code !~ '^[A-Z0-9][A-Z0-9_-]{0,31}$' THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', 'code: 1 to 32 letters, digits, _ or -, starting with a letter or digit');
    ELSIF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', 'name: 1 to 200 characters');
    ELSIF p_contact_info IS NOT NULL AND jsonb_typeof(p_contact_info) <> 'object' THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', 'contact_info: an object');
    END IF;
    INSERT INTO store.distributor (tenant_id, code, name, contact_info, payment_terms, payment_terms_days, shipping_terms,
                                   minimum_order, lead_time_days)
    VALUES (v_tenant, v_code, btrim(p_name), coalesce(p_contact_info, '{}'),
            store.check_text('payment_terms', p_payment_terms, 100), store.check_days('payment_terms_days', p_payment_terms_days),
            store.check_text('shipping_terms', p_shipping_terms, 100),
            store.check_amount(v_tenant, 'minimum_order', coalesce(p_minimum_order, 0)),
            store.check_days('lead_time_days', p_lead_time_days))
    ON CONFLICT ON CONSTRAINT distributor_tenant_id_code_key DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('STORE_DISTRIBUTOR_EXISTS', format('code: %s', v_code));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION store.create_distributor(text, text, jsonb, text, integer, text, numeric, integer, bigint) IS
'Create a distributor of the caller''s tenant: code (upper-cased; unique per tenant), name, contact details (an object),
payment terms (text, and days 0 to 3,650), shipping terms, minimum order (in the tenant''s currency, at most its minor
units; a purchase order is submitted only at or above it), lead time in days. Active. No API credentials are stored.
Returns its id. Needs store.manage in the tenant (a platform user or the back office names it). READ COMMITTED; one
insert (a concurrent duplicate code loses on the unique key with the same code). Errors: STORE_INVALID_PURCHASE
("field: reason"), STORE_DISTRIBUTOR_EXISTS, IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH.';

CREATE OR REPLACE FUNCTION store.update_distributor(
    p_distributor_id     bigint,
    p_name               text DEFAULT NULL,
    p_contact_info       jsonb DEFAULT NULL,
    p_payment_terms      text DEFAULT NULL,
    p_payment_terms_days integer DEFAULT NULL,
    p_shipping_terms     text DEFAULT NULL,
    p_minimum_order      numeric DEFAULT NULL,
    p_lead_time_days     integer DEFAULT NULL,
    p_is_active          boolean DEFAULT NULL,
    p_tenant_id          bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := store.purchasing_tenant(p_tenant_id);
    v_id     bigint;
BEGIN
    IF p_name IS NOT NULL AND length(btrim(p_name)) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', 'name: 1 to 200 characters');
    ELSIF p_contact_info IS NOT NULL AND jsonb_typeof(p_contact_info) <> 'object' THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', 'contact_info: an object');
    END IF;
    UPDATE store.distributor d
       SET name = coalesce(btrim(p_name), d.name),
           contact_info = coalesce(p_contact_info, d.contact_info),
           payment_terms = coalesce(store.check_text('payment_terms', p_payment_terms, 100), d.payment_terms),
           payment_terms_days = coalesce(store.check_days('payment_terms_days', p_payment_terms_days), d.payment_terms_days),
           shipping_terms = coalesce(store.check_text('shipping_terms', p_shipping_terms, 100), d.shipping_terms),
           minimum_order = CASE WHEN p_minimum_order IS NULL THEN d.minimum_order
                                ELSE store.check_amount(v_tenant, 'minimum_order', p_minimum_order) END,
           lead_time_days = coalesce(store.check_days('lead_time_days', p_lead_time_days), d.lead_time_days),
           is_active = coalesce(p_is_active, d.is_active),
           updated_at = now()
     WHERE d.id = p_distributor_id AND d.tenant_id = v_tenant
    RETURNING d.id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('STORE_UNKNOWN_DISTRIBUTOR', format('distributor %s in tenant %s', p_distributor_id, v_tenant));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION store.update_distributor(bigint, text, jsonb, text, integer, text, numeric, integer, boolean, bigint) IS
'Change a distributor of the caller''s tenant: the parameters given (NULL keeps the value): name, contact details,
payment terms and days, shipping terms, minimum order, lead time, active (an inactive distributor takes no submitted
order). The code never changes. Returns its id. Needs store.manage. READ COMMITTED; one conditional update. Errors:
STORE_INVALID_PURCHASE, STORE_UNKNOWN_DISTRIBUTOR, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.set_distributor_item(
    p_distributor_id  bigint,
    p_variant_id      bigint,
    p_unit_cost       numeric,
    p_distributor_sku text DEFAULT NULL,
    p_is_preferred    boolean DEFAULT false,
    p_tenant_id       bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := store.purchasing_tenant(p_tenant_id);
    v_cost   numeric := store.check_amount(v_tenant, 'unit_cost', p_unit_cost);
    v_sku    text := store.check_text('distributor_sku', p_distributor_sku, 100);
    v_id     bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM store.distributor d WHERE d.id = p_distributor_id AND d.tenant_id = v_tenant) THEN
        PERFORM core.raise('STORE_UNKNOWN_DISTRIBUTOR', format('distributor %s in tenant %s', p_distributor_id, v_tenant));
    ELSIF NOT EXISTS (SELECT 1 FROM catalog.variant v WHERE v.id = p_variant_id AND v.tenant_id = v_tenant) THEN
        PERFORM core.raise('STORE_UNKNOWN_VARIANT', format('variant_id: variant %s in tenant %s', p_variant_id, v_tenant));
    END IF;
    IF coalesce(p_is_preferred, false) THEN
        -- one preferred distributor per variant: the variant's own lock orders two callers that prefer two distributors
        PERFORM pg_advisory_xact_lock(hashtextextended('store.preferred_distributor:' || p_variant_id, 0));
        UPDATE store.distributor_item i SET is_preferred = false, updated_at = now()
         WHERE i.variant_id = p_variant_id AND i.tenant_id = v_tenant AND i.is_preferred
           AND i.distributor_id <> p_distributor_id;
    END IF;
    INSERT INTO store.distributor_item AS i (tenant_id, distributor_id, variant_id, distributor_sku, unit_cost, is_preferred)
    VALUES (v_tenant, p_distributor_id, p_variant_id, v_sku, v_cost, coalesce(p_is_preferred, false))
    ON CONFLICT ON CONSTRAINT distributor_item_distributor_id_tenant_id_variant_id_key DO UPDATE
       SET distributor_sku = coalesce(EXCLUDED.distributor_sku, i.distributor_sku), unit_cost = EXCLUDED.unit_cost,
           is_preferred = EXCLUDED.is_preferred, updated_at = now()
    RETURNING i.id INTO v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION store.set_distributor_item(bigint, bigint, numeric, text, boolean, bigint) IS
'Record that a distributor of the caller''s tenant supplies a catalog variant of it: its unit cost (the default cost of
a purchase order line), the distributor''s SKU, and whether it is the variant''s preferred distributor (the one reorder
suggestions order from; preferring it un-prefers the variant''s other distributor). Creates or replaces the
(distributor, variant) item; returns its id. Needs store.manage. READ COMMITTED: preferring takes the variant''s
transaction advisory lock, so two callers preferring two distributors of one variant queue instead of colliding on the
one-preferred index. Errors: STORE_INVALID_PURCHASE, STORE_UNKNOWN_DISTRIBUTOR, STORE_UNKNOWN_VARIANT,
IDENTITY_PERMISSION_DENIED.';

COMMIT;
