-- Deploy mercato:functions/store/purchase_orders to pg
-- Purchase orders of a shop to its distributors: create one (a DRAFT with lines, numbered PO-000042 from the tenant's
-- gapless counter), add lines to a draft, set tax and shipping, submit (an active distributor, at least its minimum
-- order), confirm, cancel. A caller may send the total it expects: when the database's total (the lines' sum, computed
-- by trigger, plus tax plus shipping) differs, the call is refused with STORE_PO_TOTAL_MISMATCH and nothing is written.
-- The status machine is the trigger purchase_order_guard's (functions/store/purchasing_guards): these functions change
-- the status with a plain UPDATE and the trigger refuses what is not allowed, whoever writes.
-- Locks: the purchase order row first (FOR UPDATE), then its distributor (FOR SHARE, on submit). READ COMMITTED.
-- A longer file than most: one use case, the order's life until receiving, and the JSON line parser it needs.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION store.json_whole(p_value jsonb, p_field text, p_min bigint, p_max bigint)
RETURNS bigint
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v numeric;
BEGIN
    IF jsonb_typeof(p_value) = 'number' THEN
        v := (p_value #>> '{}')::numeric;
        IF v = trunc(v) AND v BETWEEN p_min AND p_max THEN
            RETURN v::bigint;
        END IF;
    END IF;
    PERFORM core.raise('STORE_INVALID_PURCHASE', format('%s: a whole number from %s to %s', p_field, p_min, p_max));
END
$$;
COMMENT ON FUNCTION store.json_whole(jsonb, text, bigint, bigint) IS
'The JSON number p_value as a whole number between p_min and p_max; anything else (missing, null, a string, a
fraction, out of range) is STORE_INVALID_PURCHASE naming p_field. Internal.';

CREATE OR REPLACE FUNCTION store.json_amount(p_tenant_id bigint, p_value jsonb, p_field text)
RETURNS numeric
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF jsonb_typeof(p_value) = 'number'
       OR (jsonb_typeof(p_value) = 'string' AND p_value #>> '{}' ~ '^[0-9]{1,13}(\.[0-9]{1,6})?$') THEN
        RETURN store.check_amount(p_tenant_id, p_field, (p_value #>> '{}')::numeric);
    END IF;
    PERFORM core.raise('STORE_INVALID_PURCHASE', format('%s: an amount (a number or a decimal string)', p_field));
END
$$;
COMMENT ON FUNCTION store.json_amount(bigint, jsonb, text) IS
'The JSON number or decimal string p_value as an amount of the tenant''s currency (store.check_amount); anything else is
STORE_INVALID_PURCHASE naming p_field. Internal.';

CREATE OR REPLACE FUNCTION store.locked_purchase_order(p_tenant_id bigint, p_purchase_order_id bigint)
RETURNS store.purchase_order
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_po store.purchase_order;
BEGIN
    SELECT o.* INTO v_po FROM store.purchase_order o
     WHERE o.id = p_purchase_order_id AND o.tenant_id = p_tenant_id
       FOR UPDATE;
    IF v_po.id IS NULL THEN
        PERFORM core.raise('STORE_UNKNOWN_PURCHASE_ORDER', format('purchase order %s in tenant %s', p_purchase_order_id,
                                                                  p_tenant_id));
    END IF;
    RETURN v_po;
END
$$;
COMMENT ON FUNCTION store.locked_purchase_order(bigint, bigint) IS
'The tenant''s purchase order, locked FOR UPDATE (the first lock every purchasing change of an order takes), or
STORE_UNKNOWN_PURCHASE_ORDER. Internal.';

CREATE OR REPLACE FUNCTION store.add_lines(p_po store.purchase_order, p_lines jsonb)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_item     jsonb;
    v_n        integer;
    v_variant  bigint;
    v_cost     numeric;
    v_sku      text;
    v_variants bigint[] := '{}';
    v_qty      integer[] := '{}';
    v_costs    numeric[] := '{}';
    v_skus     text[] := '{}';
BEGIN
    IF jsonb_typeof(p_lines) IS DISTINCT FROM 'array' OR jsonb_array_length(p_lines) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE',
                           'lines: an array of 1 to 500 {"variant_id", "quantity", "unit_cost"?, "distributor_sku"?}');
    END IF;
    FOR v_item, v_n IN SELECT e.value, e.ordinality - 1 FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS e LOOP
        IF jsonb_typeof(v_item) IS DISTINCT FROM 'object' THEN
            PERFORM core.raise('STORE_INVALID_PURCHASE', format('lines[%s]: an object', v_n));
        END IF;
        v_variant := store.json_whole(v_item -> 'variant_id', format('lines[%s].variant_id', v_n), 1, 9223372036854775807);
        IF NOT EXISTS (SELECT 1 FROM catalog.variant v WHERE v.id = v_variant AND v.tenant_id = p_po.tenant_id) THEN
            PERFORM core.raise('STORE_UNKNOWN_VARIANT', format('lines[%s].variant_id: variant %s in tenant %s', v_n, v_variant,
                                                               p_po.tenant_id));
        ELSIF v_variant = ANY (v_variants) OR EXISTS (SELECT 1 FROM store.purchase_order_line l
                                                      WHERE l.purchase_order_id = p_po.id AND l.variant_id = v_variant) THEN
            PERFORM core.raise('STORE_INVALID_PURCHASE', format('lines[%s].variant_id: variant %s is already on purchase '
                                                                'order %s (once per order)', v_n, v_variant, p_po.po_number));
        END IF;
        SELECT i.unit_cost, i.distributor_sku INTO v_cost, v_sku
          FROM store.distributor_item i
         WHERE i.distributor_id = p_po.distributor_id AND i.tenant_id = p_po.tenant_id AND i.variant_id = v_variant;
        IF v_item -> 'unit_cost' IS NOT NULL AND v_item -> 'unit_cost' <> 'null' THEN
            v_cost := store.json_amount(p_po.tenant_id, v_item -> 'unit_cost', format('lines[%s].unit_cost', v_n));
        ELSIF v_cost IS NULL THEN
            PERFORM core.raise('STORE_INVALID_PURCHASE', format('lines[%s].unit_cost: required (the distributor has no '
                                                                'cost for variant %s)', v_n, v_variant));
        END IF;
        IF v_item -> 'distributor_sku' IS NOT NULL AND v_item -> 'distributor_sku' <> 'null' THEN
            IF jsonb_typeof(v_item -> 'distributor_sku') <> 'string' THEN
                PERFORM core.raise('STORE_INVALID_PURCHASE', format('lines[%s].distributor_sku: a string', v_n));
            END IF;
            v_sku := store.check_text(format('lines[%s].distributor_sku', v_n), v_item ->> 'distributor_sku', 100);
        END IF;
        v_variants := v_variants || v_variant;
        v_qty := v_qty || store.json_whole(v_item -> 'quantity', format('lines[%s].quantity', v_n), 1, 1000000)::integer;
        v_costs := v_costs || v_cost;
        v_skus := v_skus || v_sku;
    END LOOP;
    -- one statement: the totals trigger sets the order's subtotal and total once
    INSERT INTO store.purchase_order_line (tenant_id, purchase_order_id, variant_id, quantity_ordered, unit_cost,
                                           distributor_sku)
    SELECT p_po.tenant_id, p_po.id, u.variant_id, u.quantity, u.unit_cost, u.sku
      FROM unnest(v_variants, v_qty, v_costs, v_skus) AS u(variant_id, quantity, unit_cost, sku);
    RETURN cardinality(v_variants);
END
$$;
COMMENT ON FUNCTION store.add_lines(store.purchase_order, jsonb) IS
'Add lines to a DRAFT purchase order (the caller locked it): p_lines is [{"variant_id", "quantity" (1 to 1,000,000),
"unit_cost"? (default: the distributor item''s cost), "distributor_sku"? (default: the item''s)}], 1 to 500; each variant
of the tenant once per order. Refusals name the line (lines[2].quantity: …): STORE_INVALID_PURCHASE,
STORE_UNKNOWN_VARIANT; STORE_PO_NOT_DRAFT from the line guard. Returns how many. Internal.';

CREATE OR REPLACE FUNCTION store.check_expected_total(p_purchase_order_id bigint, p_expected_total numeric)
RETURNS store.purchase_order
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_po store.purchase_order;
BEGIN
    SELECT o.* INTO v_po FROM store.purchase_order o WHERE o.id = p_purchase_order_id;
    IF p_expected_total IS NOT NULL AND p_expected_total IS DISTINCT FROM v_po.total_amount THEN
        PERFORM core.raise('STORE_PO_TOTAL_MISMATCH',
                           format('purchase order %s: expected total %s, but subtotal %s + tax %s + shipping %s = %s',
                                  v_po.po_number, p_expected_total, v_po.subtotal, v_po.tax_amount, v_po.shipping_amount,
                                  v_po.total_amount));
    END IF;
    RETURN v_po;
END
$$;
COMMENT ON FUNCTION store.check_expected_total(bigint, numeric) IS
'The purchase order as written so far in this transaction; when the caller sent an expected total that differs from
its total (the lines'' sum + tax + shipping, as the database computed them), STORE_PO_TOTAL_MISMATCH giving both: the
raise undoes everything the call wrote. Internal.';

CREATE OR REPLACE FUNCTION store.open_purchase_order(p_tenant_id bigint, p_distributor_id bigint,
                                                     p_ship_to_location_id bigint, p_expected_date date DEFAULT NULL,
                                                     p_tax_amount numeric DEFAULT 0, p_shipping_amount numeric DEFAULT 0,
                                                     p_external_po_number text DEFAULT NULL, p_notes text DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_po store.purchase_order;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM store.distributor d WHERE d.id = p_distributor_id AND d.tenant_id = p_tenant_id) THEN
        PERFORM core.raise('STORE_UNKNOWN_DISTRIBUTOR', format('distributor %s in tenant %s', p_distributor_id, p_tenant_id));
    ELSIF NOT EXISTS (SELECT 1 FROM inventory.location l WHERE l.id = p_ship_to_location_id AND l.tenant_id = p_tenant_id) THEN
        PERFORM core.raise('INVENTORY_UNKNOWN_LOCATION', format('ship_to_location_id: location %s in tenant %s',
                                                                p_ship_to_location_id, p_tenant_id));
    ELSIF p_expected_date < current_date THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', 'expected_date: today or later');
    ELSIF length(p_notes) > 10000 THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', 'notes: 10,000 characters at most');
    END IF;
    INSERT INTO store.purchase_order (tenant_id, distributor_id, po_number, external_po_number, currency, tax_amount,
                                      shipping_amount, total_amount, ship_to_location_id, expected_date, notes, created_by)
    SELECT p_tenant_id, p_distributor_id,
           'PO-' || lpad(core.next_number('store.purchase_order', p_tenant_id::text)::text, 6, '0'),
           store.check_text('external_po_number', p_external_po_number, 50), t.currency,
           store.check_amount(p_tenant_id, 'tax_amount', coalesce(p_tax_amount, 0)),
           store.check_amount(p_tenant_id, 'shipping_amount', coalesce(p_shipping_amount, 0)),
           coalesce(p_tax_amount, 0) + coalesce(p_shipping_amount, 0), p_ship_to_location_id, p_expected_date, p_notes,
           identity.current_user_id()
      FROM identity.tenant t WHERE t.id = p_tenant_id
    RETURNING * INTO v_po;
    RETURN v_po;
END
$$;
COMMENT ON FUNCTION store.open_purchase_order(bigint, bigint, bigint, date, numeric, numeric, text, text) IS
'Insert a DRAFT purchase order of a tenant (decided by the caller) to one of its distributors, shipped to one of its
locations, numbered PO-<next of core.next_number(''store.purchase_order'', tenant)> (gapless: a rollback returns the
number), in the tenant''s currency, without lines. Internal: for store.create_purchase_order and the reorder. Errors:
STORE_UNKNOWN_DISTRIBUTOR, INVENTORY_UNKNOWN_LOCATION, STORE_INVALID_PURCHASE.';

CREATE OR REPLACE FUNCTION store.create_purchase_order(
    p_distributor_id      bigint,
    p_ship_to_location_id bigint,
    p_lines               jsonb,
    p_expected_date       date DEFAULT NULL,
    p_tax_amount          numeric DEFAULT 0,
    p_shipping_amount     numeric DEFAULT 0,
    p_expected_total      numeric DEFAULT NULL,
    p_external_po_number  text DEFAULT NULL,
    p_notes               text DEFAULT NULL,
    p_tenant_id           bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := store.purchasing_tenant(p_tenant_id);
    v_po     store.purchase_order;
BEGIN
    v_po := store.open_purchase_order(v_tenant, p_distributor_id, p_ship_to_location_id, p_expected_date, p_tax_amount,
                                      p_shipping_amount, p_external_po_number, p_notes);
    PERFORM store.add_lines(v_po, p_lines);
    RETURN store.check_expected_total(v_po.id, p_expected_total);
END
$$;
COMMENT ON FUNCTION store.create_purchase_order(bigint, bigint, jsonb, date, numeric, numeric, numeric, text, text, bigint) IS
'Create a DRAFT purchase order of the caller''s tenant to a distributor, shipped to a location, with its lines
(p_lines: [{"variant_id", "quantity", "unit_cost"? (default: the distributor item''s), "distributor_sku"?}], 1 to 500,
each variant once), tax and shipping (the tenant''s currency). Numbered PO-000001, PO-000002, … per tenant, gapless. The
database computes the subtotal from the lines and total = subtotal + tax + shipping; with p_expected_total the call is
refused (STORE_PO_TOTAL_MISMATCH, nothing written) unless the totals agree. Returns the order. Needs store.manage.
READ COMMITTED; the tenant''s PO counter row is held until commit. Errors: STORE_INVALID_PURCHASE ("lines[1].quantity:
…"), STORE_UNKNOWN_DISTRIBUTOR, STORE_UNKNOWN_VARIANT, INVENTORY_UNKNOWN_LOCATION, STORE_PO_TOTAL_MISMATCH,
IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.add_purchase_order_lines(p_purchase_order_id bigint, p_lines jsonb,
                                                          p_expected_total numeric DEFAULT NULL,
                                                          p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_po store.purchase_order := store.locked_purchase_order(store.purchasing_tenant(p_tenant_id), p_purchase_order_id);
BEGIN
    IF v_po.status <> 'DRAFT' THEN
        PERFORM core.raise('STORE_PO_NOT_DRAFT', format('purchase order %s is %s: lines are added only to a DRAFT',
                                                        v_po.po_number, v_po.status));
    END IF;
    PERFORM store.add_lines(v_po, p_lines);
    RETURN store.check_expected_total(v_po.id, p_expected_total);
END
$$;
COMMENT ON FUNCTION store.add_purchase_order_lines(bigint, jsonb, numeric, bigint) IS
'Add lines (as store.create_purchase_order takes them) to a DRAFT purchase order of the caller''s tenant; with
p_expected_total, refused unless the new total agrees (nothing written). Returns the order. Needs store.manage. Locks
the order first. Errors: STORE_UNKNOWN_PURCHASE_ORDER, STORE_PO_NOT_DRAFT, STORE_INVALID_PURCHASE, STORE_UNKNOWN_VARIANT,
STORE_PO_TOTAL_MISMATCH, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.set_purchase_order_charges(p_purchase_order_id bigint, p_tax_amount numeric,
                                                            p_shipping_amount numeric,
                                                            p_expected_total numeric DEFAULT NULL,
                                                            p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_po store.purchase_order := store.locked_purchase_order(store.purchasing_tenant(p_tenant_id), p_purchase_order_id);
BEGIN
    UPDATE store.purchase_order o
       SET tax_amount = store.check_amount(o.tenant_id, 'tax_amount', p_tax_amount),
           shipping_amount = store.check_amount(o.tenant_id, 'shipping_amount', p_shipping_amount),
           total_amount = o.subtotal + p_tax_amount + p_shipping_amount
     WHERE o.id = v_po.id;
    RETURN store.check_expected_total(v_po.id, p_expected_total);
END
$$;
COMMENT ON FUNCTION store.set_purchase_order_charges(bigint, numeric, numeric, numeric, bigint) IS
'Set the tax and shipping of an open purchase order of the caller''s tenant (not RECEIVED or CANCELLED); the total
becomes subtotal + tax + shipping; with p_expected_total, refused unless it agrees (nothing written). Returns the order.
Needs store.manage. Errors: STORE_UNKNOWN_PURCHASE_ORDER, STORE_INVALID_PURCHASE, STORE_PO_TRANSITION (closed),
STORE_PO_TOTAL_MISMATCH, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.submit_purchase_order(p_purchase_order_id bigint, p_expected_total numeric DEFAULT NULL,
                                                       p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_po          store.purchase_order := store.locked_purchase_order(store.purchasing_tenant(p_tenant_id),
                                                                      p_purchase_order_id);
    v_distributor store.distributor;
BEGIN
    -- the distributor next (FOR SHARE): it cannot be deactivated or its minimum raised until this commits
    SELECT d.* INTO v_distributor FROM store.distributor d WHERE d.id = v_po.distributor_id FOR SHARE;
    IF v_po.status = 'DRAFT' AND NOT EXISTS (SELECT 1 FROM store.purchase_order_line l WHERE l.purchase_order_id = v_po.id) THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', format('lines: purchase order %s has none', v_po.po_number));
    ELSIF v_po.status = 'DRAFT' AND NOT v_distributor.is_active THEN
        PERFORM core.raise('STORE_DISTRIBUTOR_INACTIVE', format('distributor %s (%s)', v_distributor.code, v_distributor.id));
    ELSIF v_po.status = 'DRAFT' AND v_po.subtotal < v_distributor.minimum_order THEN
        PERFORM core.raise('STORE_PO_BELOW_MINIMUM', format('purchase order %s: subtotal %s, distributor %s''s minimum order %s',
                                                            v_po.po_number, v_po.subtotal, v_distributor.code,
                                                            v_distributor.minimum_order));
    END IF;
    PERFORM store.check_expected_total(v_po.id, p_expected_total);
    -- the guard refuses any status but DRAFT (STORE_PO_TRANSITION) and stamps submitted_at
    UPDATE store.purchase_order o SET status = 'SUBMITTED' WHERE o.id = v_po.id RETURNING * INTO v_po;
    RETURN v_po;
END
$$;
COMMENT ON FUNCTION store.submit_purchase_order(bigint, numeric, bigint) IS
'Submit a DRAFT purchase order of the caller''s tenant to its distributor: it has lines, the distributor is active
(STORE_DISTRIBUTOR_INACTIVE) and the subtotal reaches its minimum order (STORE_PO_BELOW_MINIMUM); with p_expected_total,
the totals must agree. DRAFT → SUBMITTED (submitted_at stamped). Returns the order. Needs store.manage. Locks the order,
then its distributor (FOR SHARE). Errors: STORE_UNKNOWN_PURCHASE_ORDER, STORE_PO_TRANSITION, STORE_INVALID_PURCHASE,
STORE_DISTRIBUTOR_INACTIVE, STORE_PO_BELOW_MINIMUM, STORE_PO_TOTAL_MISMATCH, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.confirm_purchase_order(p_purchase_order_id bigint, p_external_po_number text DEFAULT NULL,
                                                        p_expected_date date DEFAULT NULL,
                                                        p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_po store.purchase_order := store.locked_purchase_order(store.purchasing_tenant(p_tenant_id), p_purchase_order_id);
BEGIN
    IF p_expected_date < v_po.order_date THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', 'expected_date: on or after the order date');
    END IF;
    UPDATE store.purchase_order o
       SET status = 'CONFIRMED',
           external_po_number = coalesce(store.check_text('external_po_number', p_external_po_number, 50), o.external_po_number),
           expected_date = coalesce(p_expected_date, o.expected_date)
     WHERE o.id = v_po.id
    RETURNING * INTO v_po;
    RETURN v_po;
END
$$;
COMMENT ON FUNCTION store.confirm_purchase_order(bigint, text, date, bigint) IS
'The distributor confirmed a SUBMITTED purchase order: → CONFIRMED (confirmed_at stamped), optionally with its own order
number and the expected delivery date. Returns the order. Needs store.manage. Errors: STORE_UNKNOWN_PURCHASE_ORDER,
STORE_PO_TRANSITION (not SUBMITTED), STORE_INVALID_PURCHASE, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.cancel_purchase_order(p_purchase_order_id bigint, p_reason text DEFAULT NULL,
                                                       p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_po store.purchase_order := store.locked_purchase_order(store.purchasing_tenant(p_tenant_id), p_purchase_order_id);
BEGIN
    UPDATE store.purchase_order o
       SET status = 'CANCELLED', cancel_reason = store.check_text('reason', p_reason, 500)
     WHERE o.id = v_po.id
    RETURNING * INTO v_po;
    RETURN v_po;
END
$$;
COMMENT ON FUNCTION store.cancel_purchase_order(bigint, text, bigint) IS
'Cancel a purchase order of the caller''s tenant from DRAFT, SUBMITTED, CONFIRMED or PARTIAL (closed_at stamped). A
PARTIAL order is closed short: what was received stays received and in stock, the rest is no longer expected (no longer
on order for reorder suggestions). RECEIVED and CANCELLED orders refuse (STORE_PO_TRANSITION). Returns the order. Needs
store.manage. Errors: STORE_UNKNOWN_PURCHASE_ORDER, STORE_PO_TRANSITION, STORE_INVALID_PURCHASE,
IDENTITY_PERMISSION_DENIED.';

COMMIT;
