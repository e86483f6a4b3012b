-- Deploy mercato:functions/orders/guards to pg
-- What every orders use case shares, and the rules that hold whoever writes (the owner included):
--   * orders.manage_tenant: the tenant a staff call acts on (orders.manage there; the back office names it);
--   * orders.doc_*: readers of the JSON documents the write functions take (each refusal names the field);
--   * orders.minor_units, orders.check_amount: amounts in the tenant's currency with at most its minor units;
--   * trigger sales_order_transition (BEFORE UPDATE): status, financial status and fulfilment status move only along
--     the allowed transitions (orders.transition_allowed; docs/orders.md has the tables), the order's identity never
--     changes, updated_at is kept;
--   * constraint triggers sales_order_totals and line_totals (DEFERRABLE INITIALLY DEFERRED): at commit, an order's
--     subtotal, discounts and tax equal the sums of its lines;
--   * orders.order_doc: an order as JSON with its lines and payments.
-- All functions assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('ORDERS_NOT_CANCELLABLE', 'orders', 'PT409', 'the order cannot be cancelled', NULL,
 'An order is cancelled only while PENDING or PROCESSING and before anything of it is fulfilled; a customer cancels only '
 'its own PENDING order with nothing paid. The detail says which rule refused.'),
('ORDERS_NOT_FULFILLABLE', 'orders', 'PT409', 'the order cannot be fulfilled now', NULL,
 'A cancelled, fulfilled or refunded order, an ONLINE_STORE order not paid in full, or a line whose live reservations do '
 'not cover the quantity asked (at the location named); the detail says which.');

-- whose orders ------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION orders.manage_tenant(p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN identity.role_admin_tenant(p_tenant_id, 'orders.manage');
COMMENT ON FUNCTION orders.manage_tenant(bigint) IS
'The tenant whose orders a staff call manages, once the caller may: a tenant''s user its own tenant (p_tenant_id NULL or
the same), a platform user or the back office the tenant it names; the caller must hold orders.manage there (the back
office passes). Internal. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_TENANT_MISMATCH,
IDENTITY_INVALID_INPUT, IDENTITY_UNKNOWN_TENANT, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION orders.caller(p_tenant_id bigint, OUT tenant_id bigint, OUT staff boolean,
                                         OUT customer_id bigint, OUT user_id bigint)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
BEGIN
    user_id := identity.current_user_id();
    IF NOT identity.is_service() THEN
        v_actor := identity.require_user();
        IF v_actor.tenant_id IS NOT NULL
           AND NOT identity.has_permission(v_actor.user_id, 'orders.manage', v_actor.tenant_id) THEN
            -- a tenant's user without orders.manage acts as the customer it is, in its own tenant
            IF p_tenant_id IS NOT NULL AND p_tenant_id <> v_actor.tenant_id THEN
                PERFORM core.raise('IDENTITY_TENANT_MISMATCH',
                                   format('user %s is of tenant %s, not %s', v_actor.user_id, v_actor.tenant_id, p_tenant_id));
            END IF;
            tenant_id := v_actor.tenant_id;
            staff := false;
            SELECT c.id INTO customer_id FROM orders.customer c
             WHERE c.tenant_id = v_actor.tenant_id AND c.user_id = v_actor.user_id AND c.status <> 'DISABLED';
            RETURN;
        END IF;
    END IF;
    tenant_id := orders.manage_tenant(p_tenant_id);
    staff := true;
END
$$;
COMMENT ON FUNCTION orders.caller(bigint) IS
'Who calls an orders function that staff and customers share: staff (orders.manage in the tenant; a platform user or the
back office names the tenant, as orders.manage_tenant decides) with staff true; any other signed-in user of a tenant as
a customer of its own tenant (staff false) with its own customer row''s id (NULL when it has none, or it is DISABLED).
Internal. Errors: those of orders.manage_tenant.';

-- reading documents ---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION orders.doc_keys(p_doc jsonb, p_allowed text[], p_where text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key text;
BEGIN
    IF p_doc IS NULL OR jsonb_typeof(p_doc) <> 'object' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', coalesce(p_where || ': ', '') || 'a JSON object');
    END IF;
    SELECT k INTO v_key FROM jsonb_object_keys(p_doc) k WHERE k <> ALL (p_allowed) ORDER BY k LIMIT 1;
    IF v_key IS NOT NULL THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('%s%s: unknown field (allowed: %s)', coalesce(p_where || '.', ''),
                                                          left(v_key, 100), array_to_string(p_allowed, ', ')));
    END IF;
    RETURN p_doc;
END
$$;
COMMENT ON FUNCTION orders.doc_keys(jsonb, text[], text) IS
'p_doc itself when it is a JSON object whose keys are all among p_allowed; ORDERS_INVALID_INPUT naming the first unknown
key (prefixed with p_where, e.g. lines[2]) otherwise. Internal.';

CREATE OR REPLACE FUNCTION orders.doc_text(p_doc jsonb, p_key text, p_max integer DEFAULT 500, p_where text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_doc -> p_key;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    ELSIF jsonb_typeof(v) <> 'string' OR length(v #>> '{}') > p_max THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT',
                           format('%s%s: a string of at most %s characters', coalesce(p_where || '.', ''), p_key, p_max));
    END IF;
    RETURN nullif(btrim(v #>> '{}'), '');
END
$$;
COMMENT ON FUNCTION orders.doc_text(jsonb, text, integer, text) IS
'The string member p_key of p_doc, trimmed (at most p_max characters); NULL when absent, JSON null or blank;
ORDERS_INVALID_INPUT naming the field otherwise. Internal.';

CREATE OR REPLACE FUNCTION orders.doc_numeric(p_doc jsonb, p_key text, p_where text DEFAULT NULL)
RETURNS numeric
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_doc -> p_key;
    n numeric;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) IN ('number', 'string') AND length(v #>> '{}') <= 40
       AND (v #>> '{}') ~ '^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,3})?\s*$' THEN
        n := (v #>> '{}')::numeric;
    ELSE
        PERFORM core.raise('ORDERS_INVALID_INPUT',
                           format('%s%s: a decimal number (a JSON number or string)', coalesce(p_where || '.', ''), p_key));
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION orders.doc_numeric(jsonb, text, text) IS
'The decimal member p_key of p_doc (a JSON number or a string such as "12.50", scale kept); NULL when absent or JSON
null; ORDERS_INVALID_INPUT naming the field otherwise. Internal.';

CREATE OR REPLACE FUNCTION orders.doc_id(p_doc jsonb, p_key text, p_where text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_doc -> p_key;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    ELSIF jsonb_typeof(v) NOT IN ('number', 'string') OR (v #>> '{}') !~ '^[1-9][0-9]{0,17}$' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT',
                           format('%s%s: a positive whole number', coalesce(p_where || '.', ''), p_key));
    END IF;
    RETURN (v #>> '{}')::bigint;
END
$$;
COMMENT ON FUNCTION orders.doc_id(jsonb, text, text) IS
'The positive whole-number member p_key of p_doc (an id, a quantity); NULL when absent or JSON null;
ORDERS_INVALID_INPUT naming the field otherwise. Internal.';

CREATE OR REPLACE FUNCTION orders.doc_object(p_doc jsonb, p_key text)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_doc -> p_key;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    ELSIF jsonb_typeof(v) <> 'object' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('%s: a JSON object', p_key));
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION orders.doc_object(jsonb, text) IS
'The object member p_key of p_doc; NULL when absent or JSON null; ORDERS_INVALID_INPUT naming the field otherwise.
Internal.';

CREATE OR REPLACE FUNCTION orders.doc_tags(p_doc jsonb, p_key text)
RETURNS text[]
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_doc -> p_key;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'array' OR jsonb_array_length(v) > 50
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(v) e
                   WHERE jsonb_typeof(e) <> 'string' OR length(btrim(e #>> '{}')) NOT BETWEEN 1 AND 100) THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('%s: at most 50 strings of 1 to 100 characters', p_key));
    END IF;
    RETURN ARRAY(SELECT DISTINCT btrim(e) FROM jsonb_array_elements_text(v) e ORDER BY 1);
END
$$;
COMMENT ON FUNCTION orders.doc_tags(jsonb, text) IS
'The string list p_key of p_doc (tags, tracking numbers): at most 50 strings of 1 to 100 characters, trimmed,
deduplicated and sorted; NULL when absent or JSON null; ORDERS_INVALID_INPUT naming the field otherwise. Internal.';

-- money ---------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION orders.minor_units(p_tenant_id bigint, OUT currency char(3), OUT minor_units integer)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT t.currency, c.minor_units INTO currency, minor_units
      FROM identity.tenant t JOIN masterdata.currency c ON c.code = t.currency
     WHERE t.id = p_tenant_id;
    IF currency IS NULL THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('tenant %s has no currency yet', p_tenant_id));
    END IF;
END
$$;
COMMENT ON FUNCTION orders.minor_units(bigint) IS
'The tenant''s currency and its minor units (masterdata.currency): every order amount is in it. Internal.
Errors: ORDERS_INVALID_INPUT (no currency set).';

CREATE OR REPLACE FUNCTION orders.check_amount(p_field text, p_amount numeric, p_minor_units integer,
                                               p_positive boolean DEFAULT false)
RETURNS numeric
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_amount IS NOT NULL AND (p_amount < 0 OR (p_positive AND p_amount = 0) OR p_amount >= 1e15
                                 OR scale(p_amount) > p_minor_units) THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT',
                           format('%s: %s amount below 10^15 with at most %s decimals', p_field,
                                  CASE WHEN p_positive THEN 'a positive' ELSE 'a non-negative' END, p_minor_units));
    END IF;
    RETURN p_amount;
END
$$;
COMMENT ON FUNCTION orders.check_amount(text, numeric, integer, boolean) IS
'p_amount itself when it is a non-negative (p_positive: positive) amount below 10^15 with at most p_minor_units decimals
(the currency''s minor units); ORDERS_INVALID_INPUT naming the field otherwise. NULL passes. Internal.';

-- transitions ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION orders.transition_allowed(p_field text, p_from text, p_to text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN p_from = p_to OR CASE p_field
    WHEN 'status' THEN (p_from, p_to) IN (('PENDING', 'PROCESSING'), ('PENDING', 'CANCELLED'),
                                          ('PROCESSING', 'FULFILLED'), ('PROCESSING', 'CANCELLED'),
                                          ('FULFILLED', 'REFUNDED'))
    WHEN 'financial_status' THEN
        (p_from IN ('PENDING', 'AUTHORIZED') AND p_to IN ('AUTHORIZED', 'PARTIALLY_PAID', 'PAID', 'VOIDED'))
        OR (p_from = 'PARTIALLY_PAID' AND p_to IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'))
        OR (p_from = 'PAID' AND p_to IN ('PARTIALLY_REFUNDED', 'REFUNDED'))
        OR (p_from = 'PARTIALLY_REFUNDED' AND p_to = 'REFUNDED')
    WHEN 'fulfillment_status' THEN (p_from, p_to) IN (('UNFULFILLED', 'PARTIAL'), ('UNFULFILLED', 'FULFILLED'),
                                                      ('PARTIAL', 'FULFILLED'))
    ELSE false END;
COMMENT ON FUNCTION orders.transition_allowed(text, text, text) IS
'Whether an order''s status field (status, financial_status, fulfillment_status) may move from p_from to p_to (staying is
always allowed): status PENDING → PROCESSING | CANCELLED, PROCESSING → FULFILLED | CANCELLED, FULFILLED → REFUNDED;
financial status PENDING | AUTHORIZED → AUTHORIZED | PARTIALLY_PAID | PAID | VOIDED, PARTIALLY_PAID → PAID |
PARTIALLY_REFUNDED | REFUNDED, PAID → PARTIALLY_REFUNDED | REFUNDED, PARTIALLY_REFUNDED → REFUNDED; fulfilment status
UNFULFILLED → PARTIAL | FULFILLED, PARTIAL → FULFILLED. The one table of docs/orders.md. Internal.';

CREATE OR REPLACE FUNCTION orders.sales_order_transition_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT orders.transition_allowed('status', OLD.status, NEW.status) THEN
        PERFORM core.raise('ORDERS_INVALID_TRANSITION',
                           format('order %s: status %s → %s', OLD.id, OLD.status, NEW.status));
    ELSIF NOT orders.transition_allowed('financial_status', OLD.financial_status, NEW.financial_status) THEN
        PERFORM core.raise('ORDERS_INVALID_TRANSITION',
                           format('order %s: financial_status %s → %s', OLD.id, OLD.financial_status, NEW.financial_status));
    ELSIF NOT orders.transition_allowed('fulfillment_status', OLD.fulfillment_status, NEW.fulfillment_status) THEN
        PERFORM core.raise('ORDERS_INVALID_TRANSITION',
                           format('order %s: fulfillment_status %s → %s', OLD.id, OLD.fulfillment_status,
                                  NEW.fulfillment_status));
    ELSIF (NEW.id, NEW.tenant_id, NEW.number, NEW.source, NEW.external_id, NEW.request_hash, NEW.currency,
           NEW.placed_by, NEW.created_at)
          IS DISTINCT FROM (OLD.id, OLD.tenant_id, OLD.number, OLD.source, OLD.external_id, OLD.request_hash,
                            OLD.currency, OLD.placed_by, OLD.created_at)
          OR (OLD.customer_id IS NOT NULL AND NEW.customer_id IS DISTINCT FROM OLD.customer_id) THEN
        PERFORM core.raise('ORDERS_IMMUTABLE',
                           format('order %s: tenant, number, source, external id, request hash, currency, placed by, '
                                  'created at and (once set) customer never change', OLD.id));
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION orders.sales_order_transition_trg() IS
'Trigger sales_order_transition (BEFORE UPDATE of orders.sales_order), whoever writes: status, financial status and
fulfilment status move only as orders.transition_allowed says (ORDERS_INVALID_TRANSITION naming the field, the current
and the requested state); tenant, number, source, external id, request hash, currency, placed_by, created_at and a set
customer never change (ORDERS_IMMUTABLE); updated_at becomes now().';

CREATE TRIGGER sales_order_transition BEFORE UPDATE ON orders.sales_order
    FOR EACH ROW EXECUTE FUNCTION orders.sales_order_transition_trg();

-- totals ----------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION orders.check_order_totals(p_order_id bigint)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    o record;
BEGIN
    SELECT s.id, s.subtotal, s.total_discounts, s.total_tax,
           coalesce(sum(l.subtotal), 0) AS lines_subtotal, coalesce(sum(l.total_discount), 0) AS lines_discounts,
           coalesce(sum(l.tax_amount), 0) AS lines_tax
      INTO o
      FROM orders.sales_order s LEFT JOIN orders.line l ON l.order_id = s.id AND l.tenant_id = s.tenant_id
     WHERE s.id = p_order_id
     GROUP BY s.id;
    IF FOUND AND (o.subtotal, o.total_discounts, o.total_tax)
                 IS DISTINCT FROM (o.lines_subtotal, o.lines_discounts, o.lines_tax) THEN
        PERFORM core.raise('ORDERS_TOTALS_MISMATCH',
                           format('order %s: subtotal %s, discounts %s, tax %s; its lines sum to %s, %s, %s', o.id,
                                  o.subtotal, o.total_discounts, o.total_tax, o.lines_subtotal, o.lines_discounts,
                                  o.lines_tax));
    END IF;
END
$$;
COMMENT ON FUNCTION orders.check_order_totals(bigint) IS
'Refuse (ORDERS_TOTALS_MISMATCH, both sides in the detail) when an order''s subtotal, total_discounts or total_tax is not
the sum of its lines'' subtotal, total_discount or tax_amount. Internal.';

CREATE OR REPLACE FUNCTION orders.totals_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- one function for both tables: the row is read as JSON, so that each table's checker sees no other's column
    PERFORM orders.check_order_totals(
        (to_jsonb(NEW) ->> CASE WHEN TG_TABLE_NAME = 'line' THEN 'order_id' ELSE 'id' END)::bigint);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION orders.totals_trg() IS
'Constraint triggers sales_order_totals and line_totals (DEFERRABLE INITIALLY DEFERRED, AFTER INSERT OR UPDATE of the
amounts): at commit, the order written (or the line''s order) has subtotal, discounts and tax equal to the sums of its
lines (orders.check_order_totals), whoever writes. SECURITY DEFINER: a deferred trigger fires at COMMIT, outside the
SECURITY DEFINER function that wrote, as the session''s role (an API role, under row-level security).';

CREATE CONSTRAINT TRIGGER sales_order_totals AFTER INSERT OR UPDATE OF subtotal, total_discounts, total_tax
    ON orders.sales_order DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION orders.totals_trg();
CREATE CONSTRAINT TRIGGER line_totals AFTER INSERT OR UPDATE OF order_id, price, quantity, total_discount, tax_amount
    ON orders.line DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION orders.totals_trg();

-- shapes ----------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION orders.order_doc(p_order_id bigint)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT to_jsonb(o) - 'request_hash' || jsonb_build_object(
            'subtotal', o.subtotal::text, 'total_discounts', o.total_discounts::text, 'total_tax', o.total_tax::text,
            'total_shipping', o.total_shipping::text, 'total_price', o.total_price::text,
            'amount_paid', o.amount_paid::text, 'amount_refunded', o.amount_refunded::text,
            'lines', coalesce((SELECT jsonb_agg(to_jsonb(l) || jsonb_build_object(
                                   'price', l.price::text, 'total_discount', l.total_discount::text,
                                   'tax_rate', l.tax_rate::text, 'tax_amount', l.tax_amount::text,
                                   'subtotal', l.subtotal::text) ORDER BY l.line_no)
                                 FROM orders.line l WHERE l.order_id = o.id AND l.tenant_id = o.tenant_id), '[]'),
            'payments', coalesce((SELECT jsonb_agg(to_jsonb(p) || jsonb_build_object('amount', p.amount::text)
                                                   ORDER BY p.id)
                                    FROM orders.payment p WHERE p.order_id = o.id AND p.tenant_id = o.tenant_id), '[]'))
          FROM orders.sales_order o WHERE o.id = p_order_id);
COMMENT ON FUNCTION orders.order_doc(bigint) IS
'An order as JSON with its lines (by line_no) and payments (by id); amounts as strings, so that no client turns them
into floats; NULL when there is none. Internal: callers check the tenant and the caller first.';

REVOKE ALL ON FUNCTION orders.manage_tenant(bigint), orders.caller(bigint), orders.doc_keys(jsonb, text[], text),
    orders.doc_text(jsonb, text, integer, text), orders.doc_numeric(jsonb, text, text), orders.doc_id(jsonb, text, text),
    orders.doc_object(jsonb, text), orders.doc_tags(jsonb, text), orders.minor_units(bigint),
    orders.check_amount(text, numeric, integer, boolean), orders.transition_allowed(text, text, text),
    orders.sales_order_transition_trg(), orders.check_order_totals(bigint), orders.totals_trg(), orders.order_doc(bigint)
    FROM PUBLIC;

COMMIT;
