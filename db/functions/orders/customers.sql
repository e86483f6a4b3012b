-- Deploy mercato:functions/orders/customers to pg
-- Customers of a tenant (issue 18, docs/orders.md "Customers, store credit, loyalty and refunds"): staff holding
-- orders.manage create, change, read, list customers and link a signed-in user of the tenant to one; a signed-in user of
-- a tenant creates, reads and changes its OWN customer row ("my customer"). Rules that hold for every writer are
-- triggers: status transitions, marketing consent stamped with the database clock, updated_at; the order flow keeps
-- total_spent (payments and refunds), order_count and last_order_at by triggers in the same transaction.
--
-- Lock order: the order flow locks the sales order, then (payment and order triggers) the customer row; nothing here
-- locks a customer before an order. All functions assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- -- rules for every writer -------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION orders.customer_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status NOT IN ('ACTIVE', 'INVITED') THEN
            PERFORM core.raise('ORDERS_INVALID_TRANSITION', format('status: a customer starts ACTIVE or INVITED, not %s',
                                                                    NEW.status));
        END IF;
        NEW.marketing_consent_at := CASE WHEN NEW.accepts_marketing THEN now() END;
        NEW.created_at := now();
        NEW.updated_at := now();
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
            ('ACTIVE', 'DISABLED'), ('DISABLED', 'ACTIVE'), ('INVITED', 'ACTIVE'), ('INVITED', 'DECLINED'),
            ('INVITED', 'DISABLED'), ('DECLINED', 'INVITED')) THEN
        PERFORM core.raise('ORDERS_INVALID_TRANSITION', format('status: %s -> %s', OLD.status, NEW.status));
    END IF;
    IF NEW.tenant_id IS DISTINCT FROM OLD.tenant_id OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        PERFORM core.raise('ORDERS_IMMUTABLE', format('customer %s: tenant and created_at never change', OLD.id));
    END IF;
    IF NEW.accepts_marketing AND NOT OLD.accepts_marketing THEN
        NEW.marketing_consent_at := now();           -- consent given now, by the database clock
    ELSIF NOT NEW.accepts_marketing THEN
        NEW.marketing_consent_at := NULL;            -- withdrawn (the audit trail keeps when it had been given)
    ELSE
        NEW.marketing_consent_at := OLD.marketing_consent_at;
    END IF;
    -- the order flow's counters move only by the triggers below; a profile change keeps updated_at honest
    IF (NEW.email, NEW.first_name, NEW.last_name, NEW.phone, NEW.default_address, NEW.status, NEW.accepts_marketing,
        NEW.tags, NEW.note, NEW.metadata, NEW.user_id)
       IS DISTINCT FROM (OLD.email, OLD.first_name, OLD.last_name, OLD.phone, OLD.default_address, OLD.status,
                         OLD.accepts_marketing, OLD.tags, OLD.note, OLD.metadata, OLD.user_id) THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION orders.customer_guard_trg() IS
'Trigger on orders.customer, for every writer: a customer starts ACTIVE or INVITED; status moves only ACTIVE <->
DISABLED, INVITED -> ACTIVE | DECLINED | DISABLED, DECLINED -> INVITED (else ORDERS_INVALID_TRANSITION); tenant and
created_at never change (ORDERS_IMMUTABLE); marketing_consent_at is the database time consent was given (set when
accepts_marketing becomes true, cleared when it is withdrawn; the audit trail keeps the history); updated_at follows
profile changes.';

CREATE TRIGGER customer_guard BEFORE INSERT OR UPDATE ON orders.customer
    FOR EACH ROW EXECUTE FUNCTION orders.customer_guard_trg();

CREATE OR REPLACE FUNCTION orders.customer_order_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE orders.customer c
       SET order_count = c.order_count + 1,
           last_order_at = greatest(c.last_order_at, NEW.created_at)
     WHERE c.id = NEW.customer_id AND c.tenant_id = NEW.tenant_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION orders.customer_order_trg() IS
'AFTER INSERT on orders.sales_order (rows with a customer): the customer''s order_count + 1 and last_order_at, in the
order''s transaction (one conditional UPDATE; concurrent orders of one customer queue on its row).';

CREATE TRIGGER sales_order_customer_totals AFTER INSERT ON orders.sales_order
    FOR EACH ROW WHEN (NEW.customer_id IS NOT NULL) EXECUTE FUNCTION orders.customer_order_trg();

CREATE OR REPLACE FUNCTION orders.customer_payment_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE orders.customer c
       SET total_spent = c.total_spent + CASE NEW.kind WHEN 'PAYMENT' THEN NEW.amount ELSE -NEW.amount END
      FROM orders.sales_order o
     WHERE o.id = NEW.order_id AND o.tenant_id = NEW.tenant_id AND c.id = o.customer_id AND c.tenant_id = o.tenant_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION orders.customer_payment_trg() IS
'AFTER INSERT on orders.payment: the order''s customer''s total_spent grows by a PAYMENT and shrinks by a REFUND, in the
same transaction (total_spent = payments less refunds of its orders; CHECK total_spent >= 0).';

CREATE TRIGGER payment_customer_totals AFTER INSERT ON orders.payment
    FOR EACH ROW EXECUTE FUNCTION orders.customer_payment_trg();

-- -- internals ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION orders.customer_doc(p_customer orders.customer)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN jsonb_build_object(
    'id', p_customer.id, 'tenant_id', p_customer.tenant_id, 'user_id', p_customer.user_id, 'email', p_customer.email,
    'first_name', p_customer.first_name, 'last_name', p_customer.last_name, 'phone', p_customer.phone,
    'default_address', p_customer.default_address, 'status', p_customer.status,
    'accepts_marketing', p_customer.accepts_marketing, 'marketing_consent_at', p_customer.marketing_consent_at,
    'tags', to_jsonb(p_customer.tags), 'note', p_customer.note, 'metadata', p_customer.metadata,
    'total_spent', p_customer.total_spent::text, 'order_count', p_customer.order_count,
    'last_order_at', p_customer.last_order_at, 'created_at', p_customer.created_at, 'updated_at', p_customer.updated_at);
COMMENT ON FUNCTION orders.customer_doc(orders.customer) IS
'A customer as a JSON document (amounts as strings). Internal.';

CREATE OR REPLACE FUNCTION orders.customer_write(p_tenant_id bigint, p_customer_id bigint, p_doc jsonb, p_allowed text[])
RETURNS orders.customer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_bad   text;
    v_row   orders.customer;
    v_con   text;
    v_field text;
    v_tags  text[];
    v_user  bigint;
BEGIN
    IF p_doc IS NULL OR jsonb_typeof(p_doc) <> 'object' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'customer: a JSON object');
    END IF;
    SELECT string_agg(k, ', ' ORDER BY k) INTO v_bad FROM jsonb_object_keys(p_doc) k WHERE k <> ALL (p_allowed);
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('%s: not a field you may set here (allowed: %s)', v_bad,
                                                          array_to_string(p_allowed, ', ')));
    END IF;
    -- types: every field is a string or null except these
    SELECT string_agg(k, ', ' ORDER BY k) INTO v_bad FROM jsonb_each(p_doc) e(k, v)
     WHERE jsonb_typeof(v) <> 'null' AND jsonb_typeof(v) <> CASE k
           WHEN 'default_address' THEN 'object' WHEN 'metadata' THEN 'object' WHEN 'tags' THEN 'array'
           WHEN 'accepts_marketing' THEN 'boolean' WHEN 'user_id' THEN 'number' ELSE 'string' END;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('%s: wrong JSON type', v_bad));
    END IF;
    IF (p_doc ? 'status' AND jsonb_typeof(p_doc -> 'status') = 'null')
       OR (p_doc ? 'accepts_marketing' AND jsonb_typeof(p_doc -> 'accepts_marketing') = 'null')
       OR (p_doc ? 'tags' AND jsonb_typeof(p_doc -> 'tags') = 'null')
       OR (p_doc ? 'metadata' AND jsonb_typeof(p_doc -> 'metadata') = 'null') THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'status, accepts_marketing, tags and metadata cannot be null');
    END IF;
    IF p_doc ? 'tags' THEN
        IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_doc -> 'tags') t
                    WHERE jsonb_typeof(t) <> 'string' OR length(btrim(t #>> '{}')) NOT BETWEEN 1 AND 64) THEN
            PERFORM core.raise('ORDERS_INVALID_INPUT', 'tags: strings of 1 to 64 characters');
        END IF;
        SELECT coalesce(array_agg(DISTINCT btrim(t) ORDER BY btrim(t)), '{}') INTO v_tags
          FROM jsonb_array_elements_text(p_doc -> 'tags') t;
    END IF;
    IF p_doc ? 'user_id' AND jsonb_typeof(p_doc -> 'user_id') = 'number' THEN
        IF (p_doc ->> 'user_id') !~ '^[0-9]{1,18}$' THEN
            PERFORM core.raise('ORDERS_INVALID_INPUT', 'user_id: a user id');
        END IF;
        v_user := (p_doc ->> 'user_id')::bigint;
        IF NOT EXISTS (SELECT 1 FROM identity.user_account u WHERE u.id = v_user AND u.tenant_id = p_tenant_id) THEN
            PERFORM core.raise('ORDERS_INVALID_INPUT', format('user_id: user %s is not a user of tenant %s', v_user,
                                                              p_tenant_id));
        END IF;
    END IF;
    BEGIN
        IF p_customer_id IS NULL THEN
            INSERT INTO orders.customer (tenant_id, user_id, email, first_name, last_name, phone, default_address, status,
                                         accepts_marketing, tags, note, metadata)
            VALUES (p_tenant_id, v_user, lower(btrim(p_doc ->> 'email')), btrim(p_doc ->> 'first_name'),
                    btrim(p_doc ->> 'last_name'), btrim(p_doc ->> 'phone'), p_doc -> 'default_address' ,
                    coalesce(p_doc ->> 'status', 'ACTIVE'), coalesce((p_doc ->> 'accepts_marketing')::boolean, false),
                    coalesce(v_tags, '{}'), p_doc ->> 'note', coalesce(p_doc -> 'metadata', '{}'))
            RETURNING * INTO v_row;
        ELSE
            UPDATE orders.customer c
               SET user_id = CASE WHEN p_doc ? 'user_id' THEN v_user ELSE c.user_id END,
                   email = CASE WHEN p_doc ? 'email' THEN lower(btrim(p_doc ->> 'email')) ELSE c.email END,
                   first_name = CASE WHEN p_doc ? 'first_name' THEN btrim(p_doc ->> 'first_name') ELSE c.first_name END,
                   last_name = CASE WHEN p_doc ? 'last_name' THEN btrim(p_doc ->> 'last_name') ELSE c.last_name END,
                   phone = CASE WHEN p_doc ? 'phone' THEN btrim(p_doc ->> 'phone') ELSE c.phone END,
                   default_address = CASE WHEN p_doc ? 'default_address' THEN nullif(p_doc -> 'default_address', 'null')
                                          ELSE c.default_address END,
                   status = coalesce(p_doc ->> 'status', c.status),
                   accepts_marketing = coalesce((p_doc ->> 'accepts_marketing')::boolean, c.accepts_marketing),
                   tags = coalesce(v_tags, c.tags),
                   note = CASE WHEN p_doc ? 'note' THEN p_doc ->> 'note' ELSE c.note END,
                   metadata = coalesce(p_doc -> 'metadata', c.metadata)
             WHERE c.id = p_customer_id AND c.tenant_id = p_tenant_id
            RETURNING c.* INTO v_row;
            IF NOT FOUND THEN
                PERFORM core.raise('ORDERS_UNKNOWN_CUSTOMER', format('customer %s', p_customer_id));
            END IF;
        END IF;
    EXCEPTION
        WHEN unique_violation THEN
            GET STACKED DIAGNOSTICS v_con = CONSTRAINT_NAME;
            PERFORM core.raise('ORDERS_CUSTOMER_EXISTS',
                               CASE v_con WHEN 'customer_tenant_id_user_id_key' THEN 'user_id: already a customer of the tenant'
                                          ELSE 'email: already a customer of the tenant' END);
        WHEN check_violation THEN
            GET STACKED DIAGNOSTICS v_con = CONSTRAINT_NAME;
            v_field := CASE v_con
                WHEN 'customer_email_check' THEN 'email: an e-mail address of at most 254 characters'
                WHEN 'customer_first_name_check' THEN 'first_name: 1 to 100 characters'
                WHEN 'customer_last_name_check' THEN 'last_name: 1 to 100 characters'
                WHEN 'customer_phone_check' THEN 'phone: E.164, e.g. +14155550123'
                WHEN 'customer_tags_check' THEN 'tags: 50 at most'
                WHEN 'customer_note_check' THEN 'note: 5,000 characters at most'
                WHEN 'customer_identified_check' THEN 'email, phone, user_id or last_name: at least one is required'
                ELSE v_con END;
            PERFORM core.raise('ORDERS_INVALID_INPUT', v_field);
    END;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION orders.customer_write(bigint, bigint, jsonb, text[]) IS
'Create (p_customer_id NULL) or change a customer of the tenant from a JSON document whose keys must be among
p_allowed: e-mail (lower-cased, trimmed), names, phone, default_address (object), status, accepts_marketing, tags
(distinct, sorted), note, metadata, user_id (a user of the same tenant). A key present with null clears an optional
field. Constraint refusals come back as ORDERS_INVALID_INPUT naming the field, duplicates as ORDERS_CUSTOMER_EXISTS.
Internal. Errors: ORDERS_INVALID_INPUT, ORDERS_CUSTOMER_EXISTS, ORDERS_UNKNOWN_CUSTOMER, ORDERS_INVALID_TRANSITION.';

-- -- staff -------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION orders.create_customer(p_customer jsonb, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := identity.role_admin_tenant(p_tenant_id, 'orders.manage');
BEGIN
    RETURN orders.customer_doc(orders.customer_write(v_tenant, NULL, p_customer,
        ARRAY['email', 'first_name', 'last_name', 'phone', 'default_address', 'status', 'accepts_marketing', 'tags',
              'note', 'metadata', 'user_id']));
END
$$;
COMMENT ON FUNCTION orders.create_customer(jsonb, bigint) IS
'Create a customer of the tenant: {email, first_name, last_name, phone (E.164), default_address (object), status
(ACTIVE or INVITED), accepts_marketing, tags, note, metadata, user_id (a user of the tenant)}; at least one of email,
phone, user_id or last_name. The e-mail is stored lower-case and is unique per tenant; consent is stamped with the
database time. Returns the customer. Staff with orders.manage (the back office names the tenant). Errors:
ORDERS_INVALID_INPUT, ORDERS_CUSTOMER_EXISTS, ORDERS_INVALID_TRANSITION, IDENTITY_PERMISSION_DENIED,
IDENTITY_TENANT_MISMATCH. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.update_customer(p_customer_id bigint, p_changes jsonb, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := identity.role_admin_tenant(p_tenant_id, 'orders.manage');
BEGIN
    RETURN orders.customer_doc(orders.customer_write(v_tenant, p_customer_id, p_changes,
        ARRAY['email', 'first_name', 'last_name', 'phone', 'default_address', 'status', 'accepts_marketing', 'tags',
              'note', 'metadata', 'user_id']));
END
$$;
COMMENT ON FUNCTION orders.update_customer(bigint, jsonb, bigint) IS
'Change the fields present in p_changes (null clears an optional one): the fields of create_customer; status moves
ACTIVE <-> DISABLED, INVITED -> ACTIVE | DECLINED | DISABLED, DECLINED -> INVITED; accepts_marketing false withdraws
consent (the audit trail keeps it). Returns the customer. Staff with orders.manage. Errors: ORDERS_UNKNOWN_CUSTOMER,
ORDERS_INVALID_INPUT, ORDERS_CUSTOMER_EXISTS, ORDERS_INVALID_TRANSITION, IDENTITY_PERMISSION_DENIED. Assumes READ
COMMITTED.';

CREATE OR REPLACE FUNCTION orders.link_customer_user(p_customer_id bigint, p_user_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := identity.role_admin_tenant(p_tenant_id, 'orders.manage');
BEGIN
    IF p_user_id IS NULL THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'user_id: required');
    END IF;
    RETURN orders.customer_doc(orders.customer_write(v_tenant, p_customer_id, jsonb_build_object('user_id', p_user_id),
                                                     ARRAY['user_id']));
END
$$;
COMMENT ON FUNCTION orders.link_customer_user(bigint, bigint, bigint) IS
'Link a signed-in user of the same tenant to a customer (the user then reads its own customer row and orders). One
customer per user. Staff with orders.manage. Errors: ORDERS_UNKNOWN_CUSTOMER, ORDERS_INVALID_INPUT (not a user of the
tenant), ORDERS_CUSTOMER_EXISTS (already another customer''s), IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.get_customer(p_customer_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := identity.role_admin_tenant(p_tenant_id, 'orders.manage');
    v_row    orders.customer;
BEGIN
    SELECT * INTO v_row FROM orders.customer c WHERE c.id = p_customer_id AND c.tenant_id = v_tenant;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_CUSTOMER', format('customer %s', p_customer_id));
    END IF;
    RETURN orders.customer_doc(v_row);
END
$$;
COMMENT ON FUNCTION orders.get_customer(bigint, bigint) IS
'A customer of the tenant (balances: customer_balances). Staff with orders.manage. Errors: ORDERS_UNKNOWN_CUSTOMER,
IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION orders.list_customers(p_query text DEFAULT NULL, p_tag text DEFAULT NULL,
                                                 p_status text DEFAULT NULL, p_after_id bigint DEFAULT NULL,
                                                 p_limit integer DEFAULT 50, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := identity.role_admin_tenant(p_tenant_id, 'orders.manage');
    v_like   text := '%' || replace(replace(replace(lower(btrim(p_query)), '\', '\\'), '%', '\%'), '_', '\_') || '%';
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'limit: 1 to 500');
    END IF;
    RETURN (SELECT coalesce(jsonb_agg(orders.customer_doc(c) ORDER BY c.id), '[]')
              FROM (SELECT * FROM orders.customer c
                     WHERE c.tenant_id = v_tenant
                       AND (p_after_id IS NULL OR c.id > p_after_id)
                       AND (p_status IS NULL OR c.status = p_status)
                       AND (p_tag IS NULL OR c.tags @> ARRAY[p_tag])
                       AND (p_query IS NULL OR c.email LIKE v_like
                            OR lower(concat_ws(' ', c.first_name, c.last_name)) LIKE v_like)
                     ORDER BY c.id LIMIT p_limit) c);
END
$$;
COMMENT ON FUNCTION orders.list_customers(text, text, text, bigint, integer, bigint) IS
'One page of the tenant''s customers in id order (keyset: pass the last id as p_after_id), filtered by a query (part of
the e-mail or name, case-insensitive), a tag and a status. Staff with orders.manage. Errors: ORDERS_INVALID_INPUT,
IDENTITY_PERMISSION_DENIED.';

-- -- my customer -------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION orders.my_tenant_user()
RETURNS identity.actor
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    IF v_actor.tenant_id IS NULL THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'a customer of one''s own is for a user of a tenant');
    END IF;
    RETURN v_actor;
END
$$;
COMMENT ON FUNCTION orders.my_tenant_user() IS
'The signed-in user, who must belong to a tenant. Internal. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE,
ORDERS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION orders.create_my_customer(p_customer jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := orders.my_tenant_user();
BEGIN
    IF p_customer IS NULL OR jsonb_typeof(p_customer) <> 'object' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'customer: a JSON object');
    END IF;
    RETURN orders.customer_doc(orders.customer_write(v_actor.tenant_id, NULL,
        (p_customer - 'user_id') || jsonb_build_object('user_id', v_actor.user_id),
        ARRAY['email', 'first_name', 'last_name', 'phone', 'default_address', 'accepts_marketing', 'user_id']));
END
$$;
COMMENT ON FUNCTION orders.create_my_customer(jsonb) IS
'A signed-in user of a tenant becomes a customer of its tenant: its own customer row (user_id = itself, status ACTIVE)
with {email, first_name, last_name, phone, default_address, accepts_marketing}. Errors: ORDERS_CUSTOMER_EXISTS (it
already has one, or the e-mail is taken), ORDERS_INVALID_INPUT, IDENTITY_NOT_AUTHENTICATED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.my_customer()
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := orders.my_tenant_user();
    v_row   orders.customer;
BEGIN
    SELECT * INTO v_row FROM orders.customer c WHERE c.tenant_id = v_actor.tenant_id AND c.user_id = v_actor.user_id;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_CUSTOMER', 'you are no customer of your tenant (create_my_customer)');
    END IF;
    RETURN orders.customer_doc(v_row);
END
$$;
COMMENT ON FUNCTION orders.my_customer() IS
'The signed-in user''s own customer row in its tenant. Errors: ORDERS_UNKNOWN_CUSTOMER, IDENTITY_NOT_AUTHENTICATED.';

CREATE OR REPLACE FUNCTION orders.update_my_customer(p_changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := orders.my_tenant_user();
    v_id    bigint;
BEGIN
    SELECT c.id INTO v_id FROM orders.customer c WHERE c.tenant_id = v_actor.tenant_id AND c.user_id = v_actor.user_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('ORDERS_UNKNOWN_CUSTOMER', 'you are no customer of your tenant (create_my_customer)');
    END IF;
    RETURN orders.customer_doc(orders.customer_write(v_actor.tenant_id, v_id, p_changes,
        ARRAY['email', 'first_name', 'last_name', 'phone', 'default_address', 'accepts_marketing']));
END
$$;
COMMENT ON FUNCTION orders.update_my_customer(jsonb) IS
'The signed-in user changes its own customer row: {email, first_name, last_name, phone, default_address,
accepts_marketing} (false withdraws marketing consent). Status, tags and note are the staff''s. Errors:
ORDERS_UNKNOWN_CUSTOMER, ORDERS_INVALID_INPUT, ORDERS_CUSTOMER_EXISTS. Assumes READ COMMITTED.';

COMMIT;
