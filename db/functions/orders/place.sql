-- Deploy mercato:functions/orders/place to pg
-- Placing an order: staff (orders.manage) for any customer of the tenant, or a signed-in customer-user for its own
-- customer row. The database computes everything: lines snapshot the catalog (title, SKU, variant title, vendor), take
-- the catalog price unless staff set one, tax per line (functions/orders/tax), totals; expected totals that differ are
-- refused with nothing written (ORDERS_TOTALS_MISMATCH). Every line's stock is reserved in ONE inventory.reserve_for
-- call (reference orders/line/<line id>, channel = the source, expiring at reserve_until); INVENTORY_INSUFFICIENT
-- propagates and nothing is written. The order number comes from core.next_number('orders.sales_order', tenant).
--
-- Lock order (docs/orders.md, "Concurrency"): [import: the key's transaction advisory lock] → stock rows in ascending
-- (variant_id, location_id) (inventory.reserve_for) → the tenant's order counter row (core.next_number) → the new order
-- and line rows (their foreign keys KEY SHARE the customer and variants). The ids of the order and its lines are drawn
-- from their sequences first, so that the reservations can name the lines before the rows exist, and the number is drawn
-- last: the tenant's counter row, which every placement of the tenant queues on, is held only for the inserts and the
-- commit. A rollback returns the number (gapless). READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.place_in(p_tenant_id bigint, p_staff boolean, p_own_customer_id bigint,
                                           p_order jsonb, p_expected jsonb DEFAULT NULL, p_external_id text DEFAULT NULL,
                                           p_request_hash uuid DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_currency char(3);
    v_mu       integer;
    v_source   text;
    v_customer bigint;
    v_email    text;
    v_shipping numeric;
    v_minutes  bigint;
    v_until    timestamptz;
    v_lines    jsonb;
    v_norm     jsonb := '[]';
    v_rows     jsonb;
    e          jsonb;
    i          integer;
    v_where    text;
    v_q        bigint;
    v_bad      record;
    v_order_id bigint;
    v_number   bigint;
    v_sub      numeric;
    v_disc     numeric;
    v_tax      numeric;
    v_total    numeric;
    v_diff     text;
    v_ship_to  jsonb;
    v_bill_to  jsonb;
    v_method   text;
    v_tags     text[];
    v_note     text;
    v_channel  jsonb;
BEGIN
    PERFORM orders.doc_keys(p_order, ARRAY['source', 'customer_id', 'lines', 'shipping', 'shipping_address',
                                           'billing_address', 'shipping_method', 'tags', 'note', 'reserve_minutes',
                                           'channel_data']);
    SELECT m.currency, m.minor_units INTO v_currency, v_mu FROM orders.minor_units(p_tenant_id) m;
    v_source := coalesce(upper(orders.doc_text(p_order, 'source', 32)), 'ONLINE_STORE');
    IF NOT EXISTS (SELECT 1 FROM orders.source s WHERE s.code = v_source) THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('source: one of %s',
                           (SELECT string_agg(s.code, ', ' ORDER BY s.code) FROM orders.source s)));
    END IF;
    v_customer := orders.doc_id(p_order, 'customer_id');
    IF NOT p_staff THEN
        -- a customer places for itself, on the shop's own web store, at the catalog's prices
        IF p_own_customer_id IS NULL THEN
            PERFORM core.raise('ORDERS_UNKNOWN_CUSTOMER',
                               format('the signed-in user has no active customer record in tenant %s', p_tenant_id));
        ELSIF v_customer IS NOT NULL AND v_customer <> p_own_customer_id THEN
            PERFORM core.raise('ORDERS_UNKNOWN_CUSTOMER', format('customer %s', v_customer));
        ELSIF v_source <> 'ONLINE_STORE' THEN
            PERFORM core.raise('IDENTITY_PERMISSION_DENIED', 'source: a customer places ONLINE_STORE orders only');
        ELSIF p_order ? 'shipping' OR p_order ? 'channel_data' THEN
            PERFORM core.raise('IDENTITY_PERMISSION_DENIED', 'shipping, channel_data: set by staff or the channel');
        END IF;
        v_customer := p_own_customer_id;
    END IF;
    IF v_customer IS NOT NULL THEN
        SELECT c.email INTO v_email FROM orders.customer c WHERE c.id = v_customer AND c.tenant_id = p_tenant_id;
        IF NOT FOUND THEN
            PERFORM core.raise('ORDERS_UNKNOWN_CUSTOMER', format('customer %s', v_customer));
        END IF;
    END IF;
    v_shipping := coalesce(orders.check_amount('shipping', orders.doc_numeric(p_order, 'shipping'), v_mu), 0);
    v_minutes := orders.doc_id(p_order, 'reserve_minutes');
    IF v_minutes > 43200 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'reserve_minutes: 1 to 43200 (30 days)');
    END IF;
    v_until := now() + make_interval(mins => v_minutes::integer);
    v_ship_to := orders.doc_object(p_order, 'shipping_address');
    v_bill_to := orders.doc_object(p_order, 'billing_address');
    v_method := orders.doc_text(p_order, 'shipping_method', 100);
    v_tags := coalesce(orders.doc_tags(p_order, 'tags'), '{}');
    v_note := orders.doc_text(p_order, 'note', 5000);
    v_channel := coalesce(orders.doc_object(p_order, 'channel_data'), '{}');

    -- the lines: each refusal names lines[n] and the field
    v_lines := p_order -> 'lines';
    IF v_lines IS NULL OR jsonb_typeof(v_lines) <> 'array' OR jsonb_array_length(v_lines) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'lines: a JSON array of 1 to 500 {variant_id, quantity, location_id?, '
                                                   'discount?, price?, properties?}');
    END IF;
    FOR e, i IN SELECT x.e, x.n FROM jsonb_array_elements(v_lines) WITH ORDINALITY AS x(e, n) LOOP
        v_where := format('lines[%s]', i);
        PERFORM orders.doc_keys(e, ARRAY['variant_id', 'quantity', 'location_id', 'discount', 'price', 'properties'],
                                v_where);
        IF NOT p_staff AND (e ? 'discount' OR e ? 'price') THEN
            PERFORM core.raise('IDENTITY_PERMISSION_DENIED', v_where || '.price, discount: set by staff only');
        END IF;
        v_q := orders.doc_id(e, 'quantity', v_where);
        IF orders.doc_id(e, 'variant_id', v_where) IS NULL OR v_q IS NULL OR v_q > 1000000 THEN
            PERFORM core.raise('ORDERS_INVALID_INPUT', v_where || ': variant_id and quantity (1 to 1000000) are required');
        END IF;
        v_norm := v_norm || jsonb_build_array(jsonb_build_object(
            'line_no', i, 'variant_id', orders.doc_id(e, 'variant_id', v_where), 'quantity', v_q,
            'location_id', orders.doc_id(e, 'location_id', v_where),
            'discount', coalesce(orders.check_amount(v_where || '.discount', orders.doc_numeric(e, 'discount', v_where), v_mu), 0),
            'price', orders.check_amount(v_where || '.price', orders.doc_numeric(e, 'price', v_where), v_mu),
            'properties', coalesce(orders.doc_object(e, 'properties'), '{}')));
    END LOOP;

    -- the variants: of the tenant, not archived (a customer buys only published products)
    SELECT x.line_no, x.variant_id INTO v_bad
      FROM jsonb_to_recordset(v_norm) AS x(line_no integer, variant_id bigint)
      LEFT JOIN catalog.variant v ON v.id = x.variant_id AND v.tenant_id = p_tenant_id
      LEFT JOIN catalog.product p ON p.id = v.product_id AND p.tenant_id = v.tenant_id
     WHERE v.id IS NULL OR v.status = 'ARCHIVED' OR p.status = 'ARCHIVED' OR (NOT p_staff AND p.status <> 'ACTIVE')
     ORDER BY x.line_no LIMIT 1;
    IF FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_VARIANT', format('lines[%s]: variant %s', v_bad.line_no, v_bad.variant_id));
    END IF;

    -- compute the lines (ids drawn in line order), then the totals
    SELECT jsonb_agg(to_jsonb(c) || jsonb_build_object('id', nextval('orders.line_id_seq')) ORDER BY c.line_no)
      INTO v_rows
      FROM (SELECT x.line_no, x.variant_id, x.quantity, x.location_id, coalesce(x.price, v.price) AS price,
                   x.discount AS total_discount, v.taxable,
                   CASE WHEN v.taxable THEN coalesce(v.tax_code, 'STANDARD') END AS tax_code,
                   CASE WHEN v.taxable THEN orders.tax_rate_on(p_tenant_id, coalesce(v.tax_code, 'STANDARD'), current_date)
                        ELSE 0 END AS tax_rate,
                   p.title, v.sku, nullif(v.title, '') AS variant_title, p.vendor, v.requires_shipping,
                   x.properties
              FROM jsonb_to_recordset(v_norm) AS x(line_no integer, variant_id bigint, quantity integer,
                                                   location_id bigint, discount numeric, price numeric, properties jsonb)
              JOIN catalog.variant v ON v.id = x.variant_id AND v.tenant_id = p_tenant_id
              JOIN catalog.product p ON p.id = v.product_id AND p.tenant_id = v.tenant_id
             ORDER BY x.line_no) c;
    SELECT jsonb_agg(r || jsonb_build_object(
               'tax_amount', CASE WHEN (r ->> 'taxable')::boolean
                                  THEN orders.line_tax((r ->> 'price')::numeric * (r ->> 'quantity')::integer
                                                       - (r ->> 'total_discount')::numeric, (r ->> 'tax_rate')::numeric, v_mu)
                                  ELSE 0 END) ORDER BY (r ->> 'line_no')::integer)
      INTO v_rows FROM jsonb_array_elements(v_rows) r;
    SELECT r.line_no INTO v_bad
      FROM jsonb_to_recordset(v_rows) AS r(line_no integer, price numeric, quantity integer, total_discount numeric)
     WHERE r.total_discount > r.price * r.quantity ORDER BY r.line_no LIMIT 1;
    IF FOUND THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('lines[%s].discount: at most price × quantity', v_bad.line_no));
    END IF;
    SELECT sum(r.price * r.quantity), sum(r.total_discount), sum(r.tax_amount) INTO v_sub, v_disc, v_tax
      FROM jsonb_to_recordset(v_rows) AS r(price numeric, quantity integer, total_discount numeric, tax_amount numeric);
    v_total := v_sub - v_disc + v_tax + v_shipping;
    IF v_sub >= 1e15 OR v_total >= 1e15 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'lines: the order''s total must stay below 10^15');
    END IF;

    -- the caller's expected totals, before anything is written
    IF p_expected IS NOT NULL THEN
        PERFORM orders.doc_keys(p_expected, ARRAY['subtotal', 'total_discounts', 'total_tax', 'total_shipping',
                                                  'total_price'], 'expected');
        SELECT string_agg(format('%s: expected %s, computed %s', k.field, orders.doc_numeric(p_expected, k.field, 'expected'),
                                 k.computed), '; ' ORDER BY k.n)
          INTO v_diff
          FROM (VALUES (1, 'subtotal', v_sub), (2, 'total_discounts', v_disc), (3, 'total_tax', v_tax),
                       (4, 'total_shipping', v_shipping), (5, 'total_price', v_total)) AS k(n, field, computed)
         WHERE p_expected ? k.field AND orders.doc_numeric(p_expected, k.field, 'expected') IS DISTINCT FROM k.computed;
        IF v_diff IS NOT NULL THEN
            PERFORM core.raise('ORDERS_TOTALS_MISMATCH', v_diff);
        END IF;
    END IF;

    -- reserve every line in one call (INVENTORY_INSUFFICIENT rolls everything back), then the number, then the rows
    v_order_id := nextval('orders.sales_order_id_seq');
    PERFORM inventory.reserve_for(p_tenant_id,
                                  (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                                              'variant_id', r -> 'variant_id', 'quantity', r -> 'quantity',
                                              'location_id', r -> 'location_id', 'ref_id', r ->> 'id'))
                                            ORDER BY (r ->> 'line_no')::integer)
                                     FROM jsonb_array_elements(v_rows) r),
                                  'orders', 'line', v_order_id::text, v_until, v_source);
    v_number := core.next_number('orders.sales_order', p_tenant_id::text);
    INSERT INTO orders.sales_order (id, tenant_id, number, source, external_id, request_hash, customer_id, customer_email,
                                    currency, subtotal, total_discounts, total_tax, total_shipping, total_price,
                                    shipping_address, billing_address, shipping_method, tags, note, channel_data,
                                    placed_by, reserve_until)
    OVERRIDING SYSTEM VALUE
    VALUES (v_order_id, p_tenant_id, v_number, v_source, p_external_id, p_request_hash, v_customer, v_email, v_currency,
            v_sub, v_disc, v_tax, v_shipping, v_total, v_ship_to, v_bill_to, v_method, v_tags, v_note, v_channel,
            identity.current_user_id(), v_until);
    INSERT INTO orders.line (id, tenant_id, order_id, line_no, variant_id, quantity, price, total_discount, taxable,
                             tax_code, tax_rate, tax_amount, title, sku, variant_title, vendor, requires_shipping,
                             properties)
    OVERRIDING SYSTEM VALUE
    SELECT r.id, p_tenant_id, v_order_id, r.line_no, r.variant_id, r.quantity, r.price, r.total_discount, r.taxable,
           r.tax_code, r.tax_rate, r.tax_amount, r.title, r.sku, r.variant_title, r.vendor, r.requires_shipping,
           r.properties
      FROM jsonb_to_recordset(v_rows) AS r(id bigint, line_no smallint, variant_id bigint, quantity integer,
                                           price numeric, total_discount numeric, taxable boolean, tax_code text,
                                           tax_rate numeric, tax_amount numeric, title text, sku text,
                                           variant_title text, vendor text, requires_shipping boolean, properties jsonb)
     ORDER BY r.line_no;
    RETURN v_order_id;
END
$$;
COMMENT ON FUNCTION orders.place_in(bigint, boolean, bigint, jsonb, jsonb, text, uuid) IS
'Place an order in a tenant for a caller already decided (p_staff: staff; else the customer p_own_customer_id):
validate the document (each refusal names the field), snapshot the catalog, price (staff may set price and discount
per line), tax per line, totals, compare p_expected, reserve every line in one inventory.reserve_for call, draw the
number, insert the order and its lines; returns the order id. For place_order and import_order (which passes the
external id and request hash). Internal. Lock order: stock rows, then the tenant''s counter row, then the new rows.
Errors: ORDERS_INVALID_INPUT, ORDERS_UNKNOWN_CUSTOMER, ORDERS_UNKNOWN_VARIANT, ORDERS_TOTALS_MISMATCH,
IDENTITY_PERMISSION_DENIED, INVENTORY_INSUFFICIENT, INVENTORY_UNKNOWN_LOCATION, INVENTORY_LOCATION_INACTIVE.
Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.place_order(p_order jsonb, p_expected jsonb DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c    record;
    v_id bigint;
BEGIN
    SELECT * INTO c FROM orders.caller(p_tenant_id);
    v_id := orders.place_in(c.tenant_id, c.staff, c.customer_id, p_order, p_expected);
    RETURN orders.order_doc(v_id);   -- a statement of its own: its snapshot sees the new rows
END
$$;
COMMENT ON FUNCTION orders.place_order(jsonb, jsonb, bigint) IS
'Place an order. p_order: {"source" (default ONLINE_STORE), "customer_id", "lines": [{"variant_id", "quantity",
"location_id"?, "discount"? and "price"? (staff only; else the catalog price), "properties"?}], "shipping" (staff),
"shipping_address", "billing_address", "shipping_method", "tags", "note", "reserve_minutes" (the unpaid reservations
expire then), "channel_data" (staff)}. Staff with orders.manage place for any customer of the tenant (or none; the back
office names the tenant); a signed-in user of the tenant places for its own customer record (ORDERS_UNKNOWN_CUSTOMER
when it has none), on ONLINE_STORE, at catalog prices. The database computes lines (catalog snapshot, tax per line),
subtotal, discounts, tax, shipping and total; p_expected (any of subtotal, total_discounts, total_tax, total_shipping,
total_price) that differs is refused with both values (ORDERS_TOTALS_MISMATCH), nothing written. Every line is reserved
in one call (INVENTORY_INSUFFICIENT: nothing written); the number is the tenant''s next. Returns the order as JSON with
its lines. Errors: ORDERS_INVALID_INPUT, ORDERS_UNKNOWN_CUSTOMER, ORDERS_UNKNOWN_VARIANT, ORDERS_TOTALS_MISMATCH,
INVENTORY_INSUFFICIENT, INVENTORY_UNKNOWN_LOCATION, INVENTORY_LOCATION_INACTIVE, IDENTITY_PERMISSION_DENIED,
IDENTITY_TENANT_MISMATCH. Assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION orders.place_in(bigint, boolean, bigint, jsonb, jsonb, text, uuid),
    orders.place_order(jsonb, jsonb, bigint) FROM PUBLIC;

COMMIT;
