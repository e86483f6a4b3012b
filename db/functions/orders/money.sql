-- Deploy mercato:functions/orders/money to pg
-- The money of orders, in one place: the tenant's sales account and channel clearing accounts, and the two internal
-- steps every means of payment goes through — orders.apply_payment (money from a debit account to the tenant's sales
-- account, the payment row, the order's amount_paid and financial status) and orders.apply_refund (back from the sales
-- account, the refund row and its lines, amount_refunded and financial status). Money moves only through
-- ledger.transfer; these functions never add numbers the ledger has not moved.
--
-- Lock order: the order row (FOR UPDATE) first, then what ledger.transfer locks (account rows, slots of the hot sales
-- account). Ledger references are derived from the order's state under its lock (order:<id>:payment:<n>,
-- order:<id>:refund:<n>), so a retry of the same step names the same key. READ COMMITTED.
-- Internal: granted to no API role; the means of payment (external, store credit, points) and refunds call them after
-- deciding the tenant and the caller's right.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.tenant_currency(p_tenant_id bigint)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text;
BEGIN
    SELECT t.currency INTO v FROM identity.tenant t WHERE t.id = p_tenant_id;
    IF v IS NULL THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('tenant %s has no currency yet (set it first)', p_tenant_id));
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION orders.tenant_currency(bigint) IS
'The tenant''s currency, which every order, price and payment of the tenant is in; ORDERS_INVALID_INPUT while it is
unset. Internal.';

CREATE OR REPLACE FUNCTION orders.revenue_account(p_tenant_id bigint)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN ledger.open_account('TENANT', p_tenant_id::text, 'REVENUE', orders.tenant_currency(p_tenant_id), p_slots => 16);
COMMENT ON FUNCTION orders.revenue_account(bigint) IS
'The tenant''s sales account (ledger owner TENANT/<tenant id>, purpose REVENUE, the tenant''s currency), opened on first
use: every order payment credits it, every refund debits it. A hot account (16 slots): concurrent payments of one shop
do not queue on one row. Internal.';

CREATE OR REPLACE FUNCTION orders.channel_account(p_tenant_id bigint, p_source text)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN ledger.open_account('TENANT_CHANNEL', p_tenant_id::text || ':' || p_source, 'CLEARING',
                           orders.tenant_currency(p_tenant_id), p_allow_negative => true);
COMMENT ON FUNCTION orders.channel_account(bigint, text) IS
'The clearing account of money a tenant collects on an external channel (owner TENANT_CHANNEL/<tenant>:<source>,
purpose CLEARING, may go negative: its balance is what the channel owes the shop, negated), opened on first use.
EXTERNAL payments are debited from it; their refunds go back to it. Internal.';

CREATE OR REPLACE FUNCTION orders.apply_payment(p_tenant_id bigint, p_order_id bigint, p_method text, p_amount numeric,
                                                p_debit_account_id bigint, p_points bigint DEFAULT NULL,
                                                p_external_reference text DEFAULT NULL, p_actor bigint DEFAULT NULL)
RETURNS orders.payment
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    o       orders.sales_order;
    v_n     bigint;
    v_tx    bigint;
    v_paid  numeric;
    r       orders.payment;
BEGIN
    IF p_amount IS NULL OR p_amount <= 0 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'amount: must be greater than 0');
    ELSIF p_debit_account_id IS NULL THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'debit account: required');
    END IF;
    SELECT * INTO o FROM orders.sales_order s WHERE s.id = p_order_id AND s.tenant_id = p_tenant_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    END IF;
    IF scale(p_amount) > masterdata.currency_minor_units(o.currency) THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('amount: %s has more decimals than %s allows', p_amount, o.currency));
    END IF;
    IF o.status IN ('CANCELLED', 'REFUNDED') OR o.financial_status IN ('VOIDED', 'REFUNDED', 'PARTIALLY_REFUNDED', 'PAID') THEN
        PERFORM core.raise('ORDERS_NOT_PAYABLE', format('order %s is %s, %s', o.id, o.status, o.financial_status));
    END IF;
    IF p_amount > o.total_price - o.amount_paid THEN
        PERFORM core.raise('ORDERS_PAYMENT_EXCEEDS',
                           format('order %s owes %s %s; %s offered', o.id, o.total_price - o.amount_paid, o.currency, p_amount));
    END IF;
    IF p_external_reference IS NOT NULL AND EXISTS (
           SELECT 1 FROM orders.payment p
            WHERE p.tenant_id = p_tenant_id AND p.method = p_method AND p.external_reference = p_external_reference
              AND p.kind = 'PAYMENT') THEN
        PERFORM core.raise('ORDERS_PAYMENT_TAKEN', format('%s payment %s', p_method, p_external_reference));
    END IF;
    SELECT count(*) + 1 INTO v_n FROM orders.payment p WHERE p.order_id = o.id AND p.tenant_id = p_tenant_id AND p.kind = 'PAYMENT';
    v_tx := ledger.transfer(ledger.build_reference('order', o.id, 'payment', v_n::text), p_debit_account_id,
                            orders.revenue_account(p_tenant_id), p_amount,
                            format('order %s payment %s (%s)', o.number, v_n, p_method));
    BEGIN
        INSERT INTO orders.payment (tenant_id, order_id, kind, method, amount, currency, points, external_reference,
                                    ledger_transaction_id, actor_user_id)
        VALUES (p_tenant_id, o.id, 'PAYMENT', p_method, p_amount, o.currency, p_points, p_external_reference, v_tx, p_actor)
        RETURNING * INTO r;
    EXCEPTION WHEN unique_violation THEN
        -- a concurrent transaction recorded the same external payment first (payment_external_reference_key)
        PERFORM core.raise('ORDERS_PAYMENT_TAKEN', format('%s payment %s', p_method, p_external_reference));
    END;
    v_paid := o.amount_paid + p_amount;
    UPDATE orders.sales_order s
       SET amount_paid = v_paid,
           financial_status = CASE WHEN v_paid = s.total_price THEN 'PAID' ELSE 'PARTIALLY_PAID' END,
           status = CASE WHEN v_paid = s.total_price AND s.status = 'PENDING' THEN 'PROCESSING' ELSE s.status END,
           processed_at = CASE WHEN v_paid = s.total_price AND s.status = 'PENDING' THEN now() ELSE s.processed_at END,
           updated_at = now()
     WHERE s.id = o.id;
    RETURN r;
END
$$;
COMMENT ON FUNCTION orders.apply_payment(bigint, bigint, text, numeric, bigint, bigint, text, bigint) IS
'Pay part or all of an order: lock the order, refuse an order that takes no payment (ORDERS_NOT_PAYABLE: cancelled,
refunded, voided, already paid) or more than it owes (ORDERS_PAYMENT_EXCEEDS) or an external reference already recorded
(ORDERS_PAYMENT_TAKEN); move the amount in the ledger from p_debit_account_id to the tenant''s sales account
(reference order:<id>:payment:<n>), record the payment, set amount_paid and the financial status (PARTIALLY_PAID, PAID),
and move a PENDING order to PROCESSING once paid in full. Internal: the means of payment call it after deciding the
tenant and the caller''s right. Errors: ORDERS_INVALID_INPUT, ORDERS_UNKNOWN_ORDER, ORDERS_NOT_PAYABLE,
ORDERS_PAYMENT_EXCEEDS, ORDERS_PAYMENT_TAKEN, and the ledger''s (LEDGER_INSUFFICIENT_FUNDS, …). Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.apply_refund(p_tenant_id bigint, p_payment_id bigint, p_amount numeric,
                                               p_reason text, p_credit_account_id bigint DEFAULT NULL,
                                               p_lines jsonb DEFAULT '[]', p_method text DEFAULT NULL,
                                               p_actor bigint DEFAULT NULL)
RETURNS orders.payment
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    o          orders.sales_order;
    p          orders.payment;
    v_done     numeric;
    v_credit   bigint := p_credit_account_id;
    v_n        bigint;
    v_tx       bigint;
    v_refunded numeric;
    v_bad      text;
    r          orders.payment;
BEGIN
    IF p_amount IS NULL OR p_amount <= 0 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'amount: must be greater than 0');
    ELSIF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'reason: 1-500 characters required');
    ELSIF p_lines IS NULL OR jsonb_typeof(p_lines) <> 'array' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'lines: a JSON array of {line_id, quantity, restock}');
    END IF;
    SELECT * INTO p FROM orders.payment x WHERE x.id = p_payment_id AND x.tenant_id = p_tenant_id AND x.kind = 'PAYMENT';
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('payment %s: no such payment in the tenant', p_payment_id));
    END IF;
    SELECT * INTO o FROM orders.sales_order s WHERE s.id = p.order_id AND s.tenant_id = p_tenant_id FOR UPDATE;
    IF scale(p_amount) > masterdata.currency_minor_units(o.currency) THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('amount: %s has more decimals than %s allows', p_amount, o.currency));
    END IF;
    SELECT coalesce(sum(x.amount), 0) INTO v_done FROM orders.payment x
     WHERE x.refund_of = p.id AND x.tenant_id = p_tenant_id;
    IF p_amount > p.amount - v_done THEN
        PERFORM core.raise('ORDERS_REFUND_EXCEEDS',
                           format('payment %s: %s %s left to refund; %s asked', p.id, p.amount - v_done, o.currency, p_amount));
    END IF;
    -- the lines: each named once, of this order, within what was bought and not yet refunded
    SELECT format('line %s: %s', x.e->>'line_id', CASE
               WHEN x.lid IS NULL THEN 'not a line of this order'
               WHEN x.q IS NULL OR x.q <> floor(x.q) OR x.q <= 0 THEN 'quantity must be a positive whole number'
               WHEN x.q > x.left_qty THEN format('%s left to refund', x.left_qty)
               ELSE 'named twice' END)
      INTO v_bad
      FROM (SELECT a.i, a.e, l.id AS lid, l.quantity - l.refunded_quantity AS left_qty,
                   CASE WHEN jsonb_typeof(a.e->'quantity') = 'number' THEN (a.e->>'quantity')::numeric END AS q,
                   count(*) OVER (PARTITION BY a.e->'line_id') AS times
              FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS a(e, i)
              LEFT JOIN orders.line l
                ON jsonb_typeof(a.e->'line_id') = 'number' AND (a.e->>'line_id')::numeric BETWEEN 1 AND 9e18
               AND l.id = (a.e->>'line_id')::numeric AND l.order_id = o.id AND l.tenant_id = p_tenant_id) x
     WHERE x.lid IS NULL OR x.q IS NULL OR x.q <> floor(x.q) OR x.q <= 0 OR x.q > x.left_qty OR x.times > 1
     ORDER BY x.i LIMIT 1;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise(CASE WHEN v_bad LIKE '%left to refund' THEN 'ORDERS_REFUND_EXCEEDS' ELSE 'ORDERS_INVALID_INPUT' END,
                           v_bad);
    END IF;
    IF v_credit IS NULL THEN
        -- back to where it came from: the account the payment's transfer debited
        SELECT e.account_id INTO v_credit FROM ledger.entry e
         WHERE e.transaction_id = p.ledger_transaction_id AND e.amount < 0 LIMIT 1;
    END IF;
    SELECT count(*) + 1 INTO v_n FROM orders.payment x WHERE x.order_id = o.id AND x.tenant_id = p_tenant_id AND x.kind = 'REFUND';
    v_tx := ledger.transfer(ledger.build_reference('order', o.id, 'refund', v_n::text), orders.revenue_account(p_tenant_id),
                            v_credit, p_amount, format('order %s refund %s of payment %s', o.number, v_n, p.id));
    INSERT INTO orders.payment (tenant_id, order_id, kind, method, amount, currency, ledger_transaction_id, refund_of,
                                reason, actor_user_id)
    VALUES (p_tenant_id, o.id, 'REFUND', coalesce(p_method, p.method), p_amount, o.currency, v_tx, p.id, btrim(p_reason),
            p_actor)
    RETURNING * INTO r;
    INSERT INTO orders.refund_line (payment_id, tenant_id, line_id, quantity, restock)
    SELECT r.id, p_tenant_id, (e->>'line_id')::bigint, (e->>'quantity')::integer, coalesce((e->>'restock')::boolean, false)
      FROM jsonb_array_elements(p_lines) e;
    UPDATE orders.line l
       SET refunded_quantity = l.refunded_quantity + (e->>'quantity')::integer
      FROM jsonb_array_elements(p_lines) e
     WHERE l.id = (e->>'line_id')::bigint AND l.tenant_id = p_tenant_id;
    v_refunded := o.amount_refunded + p_amount;
    UPDATE orders.sales_order s
       SET amount_refunded = v_refunded,
           financial_status = CASE WHEN v_refunded = s.amount_paid THEN 'REFUNDED' ELSE 'PARTIALLY_REFUNDED' END,
           updated_at = now()
     WHERE s.id = o.id;
    RETURN r;
END
$$;
COMMENT ON FUNCTION orders.apply_refund(bigint, bigint, numeric, text, bigint, jsonb, text, bigint) IS
'Refund part or all of one payment: lock its order, refuse more than is left of the payment or more units of a line
than were bought and not yet refunded (ORDERS_REFUND_EXCEEDS), move the amount in the ledger from the tenant''s sales
account to p_credit_account_id (NULL: back to the account the payment came from; reference order:<id>:refund:<n>),
record the refund (method p_method, default the payment''s) and its lines [{line_id, quantity, restock}], add the lines''
refunded quantities, set amount_refunded and the financial status (PARTIALLY_REFUNDED, REFUNDED). Restocking is the
caller''s (inventory.receive_in, kind RETURN). Internal. Errors: ORDERS_INVALID_INPUT, ORDERS_REFUND_EXCEEDS, and the
ledger''s. Assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION orders.tenant_currency(bigint), orders.revenue_account(bigint), orders.channel_account(bigint, text),
    orders.apply_payment(bigint, bigint, text, numeric, bigint, bigint, text, bigint),
    orders.apply_refund(bigint, bigint, numeric, text, bigint, jsonb, text, bigint) FROM PUBLIC;

COMMIT;
