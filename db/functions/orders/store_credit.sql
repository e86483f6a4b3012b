-- Deploy mercato:functions/orders/store_credit to pg
-- Store credit (issue 18): a customer's store credit is a ledger account, never a column: owner CUSTOMER/<customer id>,
-- purpose MAIN, in the tenant's currency, opened on first use (ledger.open_account is idempotent) and never below zero
-- (the ledger's conditional UPDATE refuses with LEDGER_INSUFFICIENT_FUNDS). Goodwill credit comes from the tenant's
-- promotions account (owner TENANT, purpose EXTERNAL, allow_negative: what the shop gave away); a refund to store
-- credit (functions/orders/refunds) credits the same account; paying with it goes through orders.apply_payment
-- (functions/orders/money), which locks the order and posts customer account -> the tenant's revenue account.
--
-- Lock order: the order row (apply_payment), then ledger accounts in ascending id (the ledger's rule). Concurrent
-- spenders of one customer's credit queue on its account row, and the conditional UPDATE decides: the balance never
-- goes below zero. All functions assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.customer_of_tenant(p_tenant_id bigint, p_customer_id bigint)
RETURNS orders.customer
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row orders.customer;
BEGIN
    SELECT * INTO v_row FROM orders.customer c WHERE c.id = p_customer_id AND c.tenant_id = p_tenant_id;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_CUSTOMER', format('customer %s', p_customer_id));
    END IF;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION orders.customer_of_tenant(bigint, bigint) IS
'The customer of the tenant (no row lock: money is decided by the ledger''s account locks). Internal. Errors:
ORDERS_UNKNOWN_CUSTOMER.';

CREATE OR REPLACE FUNCTION orders.store_credit_account(p_tenant_id bigint, p_customer_id bigint)
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
RETURN ledger.open_account('CUSTOMER', (orders.customer_of_tenant(p_tenant_id, p_customer_id)).id::text, 'MAIN',
                           orders.tenant_currency(p_tenant_id));
COMMENT ON FUNCTION orders.store_credit_account(bigint, bigint) IS
'The customer''s store-credit ledger account (owner CUSTOMER/<customer id>, MAIN, the tenant''s currency, never below
zero), opened on first use. Internal. Errors: ORDERS_UNKNOWN_CUSTOMER, ORDERS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION orders.promotions_account(p_tenant_id bigint)
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
RETURN ledger.open_account('TENANT', p_tenant_id::text, 'EXTERNAL', orders.tenant_currency(p_tenant_id), true);
COMMENT ON FUNCTION orders.promotions_account(bigint) IS
'The tenant''s promotions account (owner TENANT/<tenant id>, EXTERNAL, tenant currency, may go negative): the source of
goodwill store credit; its negative balance is what the shop has given away. Internal.';

CREATE OR REPLACE FUNCTION orders.payer_of_order(p_order_id bigint, p_tenant_id bigint,
                                                 OUT tenant_id bigint, OUT customer_id bigint, OUT actor_user_id bigint)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
BEGIN
    IF NOT identity.is_service() THEN
        v_actor := identity.require_user();
        actor_user_id := v_actor.user_id;
        -- the customer-user paying its own order needs no permission
        SELECT o.tenant_id, o.customer_id INTO tenant_id, customer_id
          FROM orders.sales_order o JOIN orders.customer c ON c.id = o.customer_id AND c.tenant_id = o.tenant_id
         WHERE o.id = p_order_id AND o.tenant_id = v_actor.tenant_id AND c.user_id = v_actor.user_id
           AND (p_tenant_id IS NULL OR p_tenant_id = v_actor.tenant_id);
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    tenant_id := identity.role_admin_tenant(p_tenant_id, 'orders.manage');
    SELECT o.customer_id INTO customer_id FROM orders.sales_order o WHERE o.id = p_order_id AND o.tenant_id = payer_of_order.tenant_id;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    ELSIF customer_id IS NULL THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('order %s has no customer', p_order_id));
    END IF;
END
$$;
COMMENT ON FUNCTION orders.payer_of_order(bigint, bigint) IS
'Who may pay an order from a customer''s accounts: the customer-user whose order it is, or staff with orders.manage
(the back office names the tenant). Returns the tenant, the order''s customer and the acting user. Internal. Errors:
ORDERS_UNKNOWN_ORDER, ORDERS_INVALID_INPUT (no customer), IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH.';

CREATE OR REPLACE FUNCTION orders.issue_store_credit(p_customer_id bigint, p_amount numeric, p_reason text,
                                                     p_idempotency_key text DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant  bigint := identity.role_admin_tenant(p_tenant_id, 'orders.manage');
    v_account bigint;
    v_tx      bigint;
BEGIN
    IF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'reason: 1 to 500 characters');
    ELSIF p_idempotency_key IS NOT NULL AND p_idempotency_key !~ '^[A-Za-z0-9._:-]{1,100}$' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'idempotency_key: 1 to 100 of A-Z a-z 0-9 . _ : -');
    ELSIF p_amount IS NULL OR p_amount <= 0 OR p_amount >= 1e12 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'amount: greater than 0');
    END IF;
    v_account := orders.store_credit_account(v_tenant, p_customer_id);
    v_tx := ledger.transfer(ledger.build_reference('customer', p_customer_id, 'store_credit',
                                                   coalesce(p_idempotency_key, gen_random_uuid()::text)),
                            orders.promotions_account(v_tenant), v_account, p_amount, btrim(p_reason),
                            jsonb_build_object('customer_id', p_customer_id, 'actor_user_id', identity.current_user_id()));
    RETURN jsonb_build_object('customer_id', p_customer_id, 'account_id', v_account, 'transaction_id', v_tx,
                              'balance', (SELECT b.balance::text FROM ledger.account_balance(v_account) b));
END
$$;
COMMENT ON FUNCTION orders.issue_store_credit(bigint, numeric, text, text, bigint) IS
'Issue goodwill store credit to a customer: a ledger transfer from the tenant''s promotions account to the customer''s
store-credit account (opened on first use), with the reason as memo. p_idempotency_key makes a retry post once
(reference customer:<customer id>:store_credit:<key>; the same key with another amount is LEDGER_IDEMPOTENCY_CONFLICT).
Returns the account, the transaction and the new balance. Staff with orders.manage (the back office names the tenant).
Errors: ORDERS_INVALID_INPUT, ORDERS_UNKNOWN_CUSTOMER, LEDGER_AMOUNT_PRECISION, LEDGER_IDEMPOTENCY_CONFLICT,
IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.pay_with_store_credit(p_order_id bigint, p_amount numeric, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_payer   record := orders.payer_of_order(p_order_id, p_tenant_id);
    v_payment orders.payment;
BEGIN
    IF p_amount IS NULL OR p_amount <= 0 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'amount: greater than 0');
    END IF;
    v_payment := orders.apply_payment(p_tenant_id => v_payer.tenant_id, p_order_id => p_order_id,
                                      p_method => 'STORE_CREDIT', p_amount => p_amount,
                                      p_debit_account_id => orders.store_credit_account(v_payer.tenant_id, v_payer.customer_id),
                                      p_actor => v_payer.actor_user_id);
    RETURN to_jsonb(v_payment) || jsonb_build_object('amount', v_payment.amount::text);
END
$$;
COMMENT ON FUNCTION orders.pay_with_store_credit(bigint, numeric, bigint) IS
'Pay (part of) an order from its customer''s store credit: orders.apply_payment with method STORE_CREDIT debiting the
customer''s store-credit account, crediting the tenant''s revenue. A balance too small is the ledger''s refusal and
nothing is written. Returns the payment. The customer-user paying its own order, or staff with orders.manage (the back
office names the tenant). Errors: LEDGER_INSUFFICIENT_FUNDS, ORDERS_NOT_PAYABLE, ORDERS_PAYMENT_EXCEEDS,
ORDERS_UNKNOWN_ORDER, ORDERS_INVALID_INPUT, LEDGER_AMOUNT_PRECISION, IDENTITY_PERMISSION_DENIED. Locks the order, then
the accounts in id order; concurrent spenders of one customer''s credit never overdraw it. Assumes READ COMMITTED.';

COMMIT;
