-- Deploy mercato:functions/orders/refunds to pg
-- Partial and full refunds of an order (issue 18): staff refund an amount, optionally with the lines (and units) it
-- returns; the amount is split over the order's payments not yet refunded, newest payment first (the last money in is
-- the first out, so an order paid partly by an external channel and then by store credit gives the store credit back
-- first), each part through orders.apply_refund (functions/orders/money): back to the account the payment came from, or
-- to the customer's store-credit account (method STORE_CREDIT). A refunded points payment returns its points
-- proportionally. Lines marked restock go back to stock with inventory.receive_in (kind RETURN, reference
-- orders/refund/<first refund payment id>). Refunding more than was paid and not refunded, or more units than were bought
-- and not refunded, is ORDERS_REFUND_EXCEEDS before anything is written. When everything paid is refunded, a FULFILLED
-- order becomes REFUNDED.
--
-- Lock order: the order row first (FOR UPDATE, as apply_refund does), then ledger accounts, then stock rows (inventory's
-- order). All functions assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.refund_order(p_order_id bigint, p_amount numeric, p_reason text,
                                               p_lines jsonb DEFAULT '[]', p_destination text DEFAULT 'ORIGINAL',
                                               p_location_id bigint DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant    bigint := identity.role_admin_tenant(p_tenant_id, 'orders.manage');
    v_actor     bigint := identity.current_user_id();
    v_order     orders.sales_order;
    v_lines     jsonb;
    v_bad       text;
    v_left      numeric;
    v_part      numeric;
    v_credit    bigint;
    v_refund    orders.payment;
    v_first     bigint;
    v_refunds   jsonb := '[]';
    v_restocked jsonb := '[]';
    v_points    bigint;
    v_location  bigint;
    p           record;
    l           record;
BEGIN
    IF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'reason: 1 to 500 characters');
    ELSIF p_amount IS NULL OR p_amount <= 0 OR p_amount >= 1e15 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'amount: greater than 0');
    ELSIF p_destination IS NULL OR p_destination NOT IN ('ORIGINAL', 'STORE_CREDIT') THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'destination: ORIGINAL or STORE_CREDIT');
    ELSIF p_lines IS NULL OR jsonb_typeof(p_lines) <> 'array' OR jsonb_array_length(p_lines) > 500 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'lines: an array of at most 500 {line_id, quantity, restock}');
    END IF;
    SELECT * INTO v_order FROM orders.sales_order o WHERE o.id = p_order_id AND o.tenant_id = v_tenant FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    END IF;
    IF scale(p_amount) > (SELECT c.minor_units FROM masterdata.currency c WHERE c.code = v_order.currency) THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('amount: at most the minor units of %s', v_order.currency));
    END IF;
    -- the lines: well formed, of this order, summed per line, within what was bought and not yet refunded
    SELECT string_agg(format('lines[%s]', n - 1), ', ') INTO v_bad
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS x(e, n)
     WHERE (jsonb_typeof(e) = 'object' AND (e - ARRAY['line_id', 'quantity', 'restock']) = '{}'
            AND (e ->> 'line_id') ~ '^[0-9]{1,18}$' AND jsonb_typeof(e -> 'line_id') IN ('number', 'string')
            AND jsonb_typeof(e -> 'quantity') = 'number' AND (e ->> 'quantity') ~ '^[0-9]{1,7}$'
            AND (e ->> 'quantity')::integer > 0
            AND coalesce(jsonb_typeof(e -> 'restock'), 'boolean') = 'boolean') IS NOT TRUE;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT',
                           format('%s: {line_id, quantity > 0, restock (boolean, optional)}', v_bad));
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object('line_id', x.line_id, 'quantity', x.quantity, 'restock', x.restock)
                              ORDER BY x.line_id), '[]')
      INTO v_lines
      FROM (SELECT (e ->> 'line_id')::bigint AS line_id, sum((e ->> 'quantity')::integer) AS quantity,
                   bool_or(coalesce((e ->> 'restock')::boolean, false)) AS restock
              FROM jsonb_array_elements(p_lines) e GROUP BY 1) x;
    FOR l IN SELECT (e ->> 'line_id')::bigint AS line_id, (e ->> 'quantity')::integer AS quantity,
                    (e ->> 'restock')::boolean AS restock, li.id, li.quantity - li.refunded_quantity AS refundable,
                    li.fulfilled_quantity - coalesce((SELECT sum(rl.quantity) FROM orders.refund_line rl
                                                       WHERE rl.line_id = li.id AND rl.tenant_id = v_tenant AND rl.restock),
                                                      0) AS restockable
               FROM jsonb_array_elements(v_lines) e
               LEFT JOIN orders.line li ON li.id = (e ->> 'line_id')::bigint AND li.order_id = v_order.id
                                       AND li.tenant_id = v_tenant
    LOOP
        IF l.id IS NULL THEN
            PERFORM core.raise('ORDERS_INVALID_INPUT', format('lines: line %s is not a line of order %s', l.line_id,
                                                              p_order_id));
        ELSIF l.quantity > l.refundable THEN
            PERFORM core.raise('ORDERS_REFUND_EXCEEDS', format('line %s: %s units asked, %s bought and not refunded',
                                                               l.line_id, l.quantity, l.refundable));
        ELSIF l.restock AND l.quantity > l.restockable THEN
            -- only what was shipped comes back to the shelf; an unshipped unit is still on hand (and reserved)
            PERFORM core.raise('ORDERS_REFUND_EXCEEDS', format('line %s: %s units to restock, %s shipped and not restocked',
                                                               l.line_id, l.quantity, l.restockable));
        END IF;
    END LOOP;
    IF p_amount > v_order.amount_paid - v_order.amount_refunded THEN
        PERFORM core.raise('ORDERS_REFUND_EXCEEDS', format('order %s: %s asked, %s paid and not refunded', p_order_id,
                                                           p_amount, v_order.amount_paid - v_order.amount_refunded));
    END IF;
    IF p_destination = 'STORE_CREDIT' THEN
        IF v_order.customer_id IS NULL THEN
            PERFORM core.raise('ORDERS_INVALID_INPUT', format('destination: order %s has no customer to credit', p_order_id));
        END IF;
        v_credit := orders.store_credit_account(v_tenant, v_order.customer_id);
    END IF;
    -- the money: newest payment first, each for what remains of it
    v_left := p_amount;
    FOR p IN SELECT pay.*, pay.amount - coalesce((SELECT sum(r.amount) FROM orders.payment r
                                                  WHERE r.refund_of = pay.id AND r.tenant_id = pay.tenant_id), 0) AS open
               FROM orders.payment pay
              WHERE pay.order_id = v_order.id AND pay.tenant_id = v_tenant AND pay.kind = 'PAYMENT'
              ORDER BY pay.created_at DESC, pay.id DESC
    LOOP
        EXIT WHEN v_left = 0;
        CONTINUE WHEN p.open <= 0;
        v_part := least(v_left, p.open);
        v_refund := orders.apply_refund(p_tenant_id => v_tenant, p_payment_id => p.id, p_amount => v_part,
                                        p_credit_account_id => v_credit, p_reason => btrim(p_reason),
                                        p_lines => CASE WHEN v_first IS NULL THEN v_lines ELSE '[]'::jsonb END,
                                        p_method => CASE WHEN p_destination = 'STORE_CREDIT' THEN 'STORE_CREDIT' END,
                                        p_actor => v_actor);
        v_first := coalesce(v_first, v_refund.id);
        v_left := v_left - v_part;
        -- a points payment refunded to where it came from gives its points back, in proportion
        IF p.method = 'LOYALTY_POINTS' AND p_destination = 'ORIGINAL' AND v_order.customer_id IS NOT NULL THEN
            v_points := floor(p.points * v_part / p.amount);
            IF v_points > 0 THEN
                PERFORM ledger.transfer(ledger.build_reference('payment', v_refund.id, 'loyalty_return'),
                                        orders.points_issuing_account(v_tenant),
                                        orders.points_account(v_tenant, v_order.customer_id), v_points,
                                        format('loyalty points returned by a refund of order %s', v_order.number),
                                        jsonb_build_object('order_id', v_order.id, 'refund_id', v_refund.id));
            END IF;
        END IF;
        v_refunds := v_refunds || jsonb_build_array(jsonb_build_object(
            'id', v_refund.id, 'refund_of', v_refund.refund_of, 'method', v_refund.method,
            'amount', v_refund.amount::text, 'ledger_transaction_id', v_refund.ledger_transaction_id));
    END LOOP;
    -- the goods: restocked lines back into stock at the named location, else where the line's stock was reserved
    FOR l IN SELECT (e ->> 'line_id')::bigint AS line_id, (e ->> 'quantity')::integer AS quantity, li.variant_id
               FROM jsonb_array_elements(v_lines) e JOIN orders.line li ON li.id = (e ->> 'line_id')::bigint
              WHERE (e ->> 'restock')::boolean
              ORDER BY li.variant_id, li.id
    LOOP
        v_location := coalesce(p_location_id,
                               (SELECT s.location_id FROM inventory.reservation r JOIN inventory.stock s ON s.id = r.stock_id
                                 WHERE r.tenant_id = v_tenant AND r.ref_module = 'orders' AND r.ref_entity = 'line'
                                   AND r.ref_id = l.line_id::text
                                 ORDER BY r.id DESC LIMIT 1));
        IF v_location IS NULL THEN
            PERFORM core.raise('ORDERS_INVALID_INPUT',
                               format('location_id: line %s has no reservation to restock at; name the location', l.line_id));
        END IF;
        PERFORM inventory.receive_in(v_tenant, l.variant_id, v_location, l.quantity, NULL, 'RETURN', 'orders', 'refund',
                                     v_first::text, btrim(p_reason));
        v_restocked := v_restocked || jsonb_build_array(jsonb_build_object('line_id', l.line_id, 'variant_id', l.variant_id,
                                                                           'location_id', v_location, 'quantity', l.quantity));
    END LOOP;
    SELECT * INTO v_order FROM orders.sales_order o WHERE o.id = p_order_id;
    IF v_order.financial_status = 'REFUNDED' AND v_order.status = 'FULFILLED' THEN
        UPDATE orders.sales_order o SET status = 'REFUNDED', updated_at = now() WHERE o.id = p_order_id
        RETURNING * INTO v_order;
    END IF;
    RETURN jsonb_build_object('order_id', v_order.id, 'status', v_order.status, 'financial_status', v_order.financial_status,
                              'amount_paid', v_order.amount_paid::text, 'amount_refunded', v_order.amount_refunded::text,
                              'refunds', v_refunds, 'restocked', v_restocked);
END
$$;
COMMENT ON FUNCTION orders.refund_order(bigint, numeric, text, jsonb, text, bigint, bigint) IS
'Refund (part of) an order: p_amount split over its payments not yet refunded, newest first, each through
orders.apply_refund — back to where the payment came from (ORIGINAL; a points payment also gets its points back in
proportion) or to the customer''s store credit (STORE_CREDIT, method STORE_CREDIT); p_lines [{line_id, quantity,
restock}] records the units returned (summed per line) and puts restock lines back in stock (inventory RETURN movement,
reference orders/refund/<first refund id>) at p_location_id or where the line was reserved. More money than paid and not
refunded, or more units than bought and not refunded: ORDERS_REFUND_EXCEEDS, nothing written. A FULFILLED order whose
payments are all refunded becomes REFUNDED. Returns the order''s amounts and status, the refunds and what was
restocked. Staff with orders.manage (the back office names the tenant). Errors: ORDERS_REFUND_EXCEEDS,
ORDERS_INVALID_INPUT, ORDERS_UNKNOWN_ORDER, INVENTORY_NOT_TRACKED, INVENTORY_MAX_QUANTITY, IDENTITY_PERMISSION_DENIED.
Locks the order, then ledger accounts, then stock. Assumes READ COMMITTED.';

COMMIT;
