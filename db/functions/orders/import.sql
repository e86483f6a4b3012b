-- Deploy mercato:functions/orders/import to pg
-- Importing a channel's order (staff, the back office): idempotent by (tenant, source, external id). The request's hash
-- (a uuid from the md5 of the canonical jsonb text of [source, external id, order, expected]: jsonb orders keys and
-- drops duplicates, so the same content hashes the same whatever its key order or spacing) is stored with the order:
-- the same request again returns the first order; a different one is refused with ORDERS_IMPORT_CONFLICT naming it.
-- Concurrent duplicates: each takes the key's transaction advisory lock first, then looks for the order (a statement of
-- its own, so under READ COMMITTED it sees the winner's commit), and only the first places it: the losers draw no
-- number, so numbers stay gapless (the unique key (tenant_id, source, external_id) stands behind it).
-- An optional "payment" {amount, reference} records the channel's payment in the same transaction
-- (orders.record_external_payment_for). Lock order: the key's advisory lock, then placement's (functions/orders/place),
-- then the order row and the ledger's (the payment).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.import_order(p_source text, p_external_id text, p_order jsonb,
                                               p_expected jsonb DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := orders.manage_tenant(p_tenant_id);
    v_source text := upper(btrim(p_source));
    v_hash   uuid;
    v_pay    jsonb;
    o        record;
    v_id     bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM orders.source s WHERE s.code = v_source) THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('source: one of %s',
                           (SELECT string_agg(s.code, ', ' ORDER BY s.code) FROM orders.source s)));
    ELSIF p_external_id IS NULL OR p_external_id !~ '^[^[:space:]](.{0,98}[^[:space:]])?$' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'external_id: the channel''s order id, 1 to 100 characters');
    ELSIF p_order IS NULL OR jsonb_typeof(p_order) <> 'object' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'order: a JSON object');
    ELSIF p_order ? 'source' AND upper(p_order ->> 'source') IS DISTINCT FROM v_source THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'source: given as the parameter p_source, not in the order');
    END IF;
    v_hash := md5(jsonb_build_array(v_source, p_external_id, p_order, p_expected)::text)::uuid;

    PERFORM pg_advisory_xact_lock(hashtextextended(format('orders.import:%s:%s:%s', v_tenant, v_source, p_external_id), 0));
    SELECT s.id, s.number, s.request_hash INTO o FROM orders.sales_order s
     WHERE s.tenant_id = v_tenant AND s.source = v_source AND s.external_id = p_external_id;
    IF FOUND THEN
        IF o.request_hash = v_hash THEN
            RETURN orders.order_doc(o.id);
        END IF;
        PERFORM core.raise('ORDERS_IMPORT_CONFLICT',
                           format('%s order %s was imported as order %s (id %s) with different content', v_source,
                                  p_external_id, o.number, o.id));
    END IF;

    v_pay := orders.doc_object(p_order, 'payment');
    IF v_pay IS NOT NULL THEN
        PERFORM orders.doc_keys(v_pay, ARRAY['amount', 'reference'], 'payment');
    END IF;
    v_id := orders.place_in(v_tenant, true, NULL, p_order - 'payment' || jsonb_build_object('source', v_source),
                            p_expected, p_external_id, v_hash);
    IF v_pay IS NOT NULL THEN
        PERFORM orders.record_external_payment_for(v_tenant, v_id, orders.doc_numeric(v_pay, 'amount', 'payment'),
                                                   orders.doc_text(v_pay, 'reference', 128, 'payment'));
    END IF;
    RETURN orders.order_doc(v_id);
END
$$;
COMMENT ON FUNCTION orders.import_order(text, text, jsonb, jsonb, bigint) IS
'Import an order from a channel (p_source: TCGPLAYER, EBAY, AMAZON, SHOPIFY, …) under its external id, idempotently:
the same request again returns the first order; a different request for the same (source, external id) is refused
with ORDERS_IMPORT_CONFLICT naming the order. p_order is place_order''s document (prices, discounts and shipping as the
channel charged them) plus an optional "payment": {"amount", "reference"}, recorded as an EXTERNAL payment against the
channel in the same transaction. p_expected as in place_order. Concurrent duplicates make one order and draw one number.
Needs orders.manage in the tenant (the back office names it). Returns the order as JSON. Errors: those of place_order
and record_external_payment, ORDERS_IMPORT_CONFLICT. Assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION orders.import_order(text, text, jsonb, jsonb, bigint) FROM PUBLIC;

COMMIT;
