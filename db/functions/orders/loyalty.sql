-- Deploy mercato:functions/orders/loyalty to pg
-- Loyalty points (issue 18): a ledger in the unit QPT (schemas/orders/loyalty). The tenant's points-issuing account
-- (owner TENANT/<tenant>, EXTERNAL, QPT, may go negative: the points outstanding) credits a customer's points account
-- (owner CUSTOMER/<customer>, MAIN, QPT, never below zero) when an order becomes FULFILLED: floor(net paid x
-- points_per_unit) of the rule in force, posted once per order under the ledger reference order:<order id>:loyalty_earn.
-- Redeeming (pay_with_points) moves the points back to the issuing account and pays the order their value (points x
-- point_value) through orders.apply_payment, debiting the tenant's loyalty funding account (owner
-- TENANT_LOYALTY/<tenant>, EXTERNAL, tenant currency, may go negative: what redeemed points cost the shop), all in one
-- transaction. customer_balances reads both balances from the ledger.
--
-- Lock order: the order row (apply_payment), then ledger accounts (ascending id within each posting). Redemptions of one
-- tenant queue on its funding account row. All functions assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.points_account(p_tenant_id bigint, p_customer_id bigint)
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
RETURN ledger.open_account('CUSTOMER', (orders.customer_of_tenant(p_tenant_id, p_customer_id)).id::text, 'MAIN', 'QPT');
COMMENT ON FUNCTION orders.points_account(bigint, bigint) IS
'The customer''s loyalty points account (owner CUSTOMER/<customer id>, MAIN, QPT, never below zero), opened on first use.
Internal. Errors: ORDERS_UNKNOWN_CUSTOMER.';

CREATE OR REPLACE FUNCTION orders.points_issuing_account(p_tenant_id bigint)
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
RETURN ledger.open_account('TENANT', p_tenant_id::text, 'EXTERNAL', 'QPT', true);
COMMENT ON FUNCTION orders.points_issuing_account(bigint) IS
'The tenant''s points-issuing account (owner TENANT/<tenant id>, EXTERNAL, QPT, may go negative: minus the points its
customers hold). Internal.';

CREATE OR REPLACE FUNCTION orders.loyalty_funding_account(p_tenant_id bigint)
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
RETURN ledger.open_account('TENANT_LOYALTY', p_tenant_id::text, 'EXTERNAL', orders.tenant_currency(p_tenant_id), true);
COMMENT ON FUNCTION orders.loyalty_funding_account(bigint) IS
'The tenant''s loyalty funding account (owner TENANT_LOYALTY/<tenant id>, EXTERNAL, tenant currency, may go negative):
debited by every points payment with the points'' money value. Internal.';

CREATE OR REPLACE FUNCTION orders.loyalty_rule_at(p_tenant_id bigint, p_at timestamptz DEFAULT now())
RETURNS orders.loyalty_rule
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT r FROM orders.loyalty_rule r WHERE r.tenant_id = p_tenant_id AND r.effective_from <= p_at
         ORDER BY r.effective_from DESC LIMIT 1);
COMMENT ON FUNCTION orders.loyalty_rule_at(bigint, timestamptz) IS
'The tenant''s loyalty rule in force at p_at (NULL when none). Internal.';

CREATE OR REPLACE FUNCTION orders.set_loyalty_rule(p_points_per_unit numeric, p_point_value numeric,
                                                   p_effective_from timestamptz DEFAULT NULL,
                                                   p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := identity.role_admin_tenant(p_tenant_id, 'orders.manage');
    v_minor  integer;
    v_row    orders.loyalty_rule;
BEGIN
    SELECT c.minor_units INTO v_minor FROM masterdata.currency c WHERE c.code = orders.tenant_currency(v_tenant);
    IF p_points_per_unit IS NULL OR p_points_per_unit < 0 OR p_points_per_unit >= 1000000 OR scale(p_points_per_unit) > 6 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'points_per_unit: 0 to 999999 with at most 6 decimals');
    ELSIF p_point_value IS NULL OR p_point_value < 0 OR p_point_value >= 1000000 OR scale(p_point_value) > v_minor THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT',
                           format('point_value: 0 to 999999 with at most %s decimals (the tenant currency''s)', v_minor));
    ELSIF p_effective_from < now() THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'effective_from: now or later (a rule never changes the past)');
    END IF;
    INSERT INTO orders.loyalty_rule (tenant_id, effective_from, points_per_unit, point_value, actor_user_id)
    VALUES (v_tenant, coalesce(p_effective_from, now()), p_points_per_unit, p_point_value, identity.current_user_id())
    ON CONFLICT ON CONSTRAINT loyalty_rule_pkey DO NOTHING
    RETURNING * INTO v_row;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'effective_from: the tenant already has a rule from this time');
    END IF;
    RETURN jsonb_build_object('tenant_id', v_row.tenant_id, 'effective_from', v_row.effective_from,
                              'points_per_unit', v_row.points_per_unit::text, 'point_value', v_row.point_value::text);
END
$$;
COMMENT ON FUNCTION orders.set_loyalty_rule(numeric, numeric, timestamptz, bigint) IS
'Add the tenant''s loyalty rule from p_effective_from (now when NULL; never in the past): points_per_unit points per 1
unit of the tenant''s currency paid on a fulfilled order, and point_value (tenant currency, its minor units at most)
paid per point redeemed. Rules are appended, never changed. Staff with orders.manage (the back office names the
tenant). Errors: ORDERS_INVALID_INPUT, IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.loyalty_earn_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ref    text := ledger.build_reference('order', NEW.id, 'loyalty_earn');
    v_rule   orders.loyalty_rule := orders.loyalty_rule_at(NEW.tenant_id);
    v_net    numeric;
    v_points bigint;
BEGIN
    IF v_rule IS NULL OR EXISTS (SELECT 1 FROM ledger.transaction t WHERE t.reference = v_ref) THEN
        RETURN NULL;    -- no programme, or earned already (the order was FULFILLED before)
    END IF;
    -- net money paid: payments less their refunds, points payments excluded (points do not earn points)
    SELECT coalesce(sum(CASE p.kind WHEN 'PAYMENT' THEN p.amount ELSE -p.amount END), 0) INTO v_net
      FROM orders.payment p LEFT JOIN orders.payment src ON src.id = p.refund_of
     WHERE p.order_id = NEW.id AND p.tenant_id = NEW.tenant_id AND coalesce(src.method, p.method) <> 'LOYALTY_POINTS';
    v_points := floor(v_net * v_rule.points_per_unit);
    IF v_points > 0 THEN
        PERFORM ledger.transfer(v_ref, orders.points_issuing_account(NEW.tenant_id),
                                orders.points_account(NEW.tenant_id, NEW.customer_id), v_points,
                                format('loyalty points earned on order %s', NEW.number),
                                jsonb_build_object('order_id', NEW.id, 'customer_id', NEW.customer_id));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION orders.loyalty_earn_trg() IS
'AFTER UPDATE OF fulfillment_status on orders.sales_order, when an order with a customer becomes FULFILLED: the
customer earns floor(net paid x points_per_unit) points of the rule in force (net paid = payments less refunds, points
payments excluded), posted from the tenant''s points-issuing account under the reference order:<order
id>:loyalty_earn: once per order, even when the order becomes FULFILLED again (the reference exists: nothing is posted).';

CREATE TRIGGER sales_order_loyalty_earn AFTER UPDATE OF fulfillment_status ON orders.sales_order
    FOR EACH ROW WHEN (NEW.fulfillment_status = 'FULFILLED' AND OLD.fulfillment_status <> 'FULFILLED'
                       AND NEW.customer_id IS NOT NULL)
    EXECUTE FUNCTION orders.loyalty_earn_trg();

CREATE OR REPLACE FUNCTION orders.pay_with_points(p_order_id bigint, p_points bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_payer   record := orders.payer_of_order(p_order_id, p_tenant_id);
    v_rule    orders.loyalty_rule;
    v_payment orders.payment;
BEGIN
    IF p_points IS NULL OR p_points <= 0 OR p_points >= 1e12 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'points: a whole number greater than 0');
    END IF;
    v_rule := orders.loyalty_rule_at(v_payer.tenant_id);
    IF v_rule IS NULL OR v_rule.point_value = 0 THEN
        PERFORM core.raise('ORDERS_NO_LOYALTY_RULE', format('tenant %s', v_payer.tenant_id));
    END IF;
    v_payment := orders.apply_payment(p_tenant_id => v_payer.tenant_id, p_order_id => p_order_id,
                                      p_method => 'LOYALTY_POINTS', p_amount => p_points * v_rule.point_value,
                                      p_debit_account_id => orders.loyalty_funding_account(v_payer.tenant_id),
                                      p_points => p_points, p_actor => v_payer.actor_user_id);
    -- the points themselves go back to the tenant; too few is the ledger's refusal and undoes the payment too
    PERFORM ledger.transfer(ledger.build_reference('payment', v_payment.id, 'loyalty_redeem'),
                            orders.points_account(v_payer.tenant_id, v_payer.customer_id),
                            orders.points_issuing_account(v_payer.tenant_id), p_points,
                            format('loyalty points redeemed on order %s', p_order_id),
                            jsonb_build_object('order_id', p_order_id, 'payment_id', v_payment.id));
    RETURN to_jsonb(v_payment) || jsonb_build_object('amount', v_payment.amount::text);
END
$$;
COMMENT ON FUNCTION orders.pay_with_points(bigint, bigint, bigint) IS
'Pay (part of) an order with the customer''s loyalty points: their value (points x point_value of the rule in force)
is paid through orders.apply_payment (method LOYALTY_POINTS, the points recorded) from the tenant''s loyalty funding
account, and the points move from the customer''s points account back to the tenant''s issuing account (reference
payment:<payment id>:loyalty_redeem), in one transaction: too few points is the ledger''s refusal and nothing is
written. Returns the payment. The customer-user paying its own order, or staff with orders.manage. Errors:
ORDERS_NO_LOYALTY_RULE, LEDGER_INSUFFICIENT_FUNDS, ORDERS_NOT_PAYABLE, ORDERS_PAYMENT_EXCEEDS, ORDERS_UNKNOWN_ORDER,
ORDERS_INVALID_INPUT, IDENTITY_PERMISSION_DENIED. Locks the order, then the accounts. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.customer_balances(p_customer_id bigint DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor    identity.actor;
    v_tenant   bigint;
    v_customer orders.customer;
    v_currency text;
    v_credit   numeric;
    v_points   numeric;
BEGIN
    IF p_customer_id IS NULL THEN
        v_actor := orders.my_tenant_user();
        SELECT * INTO v_customer FROM orders.customer c WHERE c.tenant_id = v_actor.tenant_id AND c.user_id = v_actor.user_id;
        IF NOT FOUND THEN
            PERFORM core.raise('ORDERS_UNKNOWN_CUSTOMER', 'you are no customer of your tenant (create_my_customer)');
        END IF;
    ELSE
        v_tenant := identity.role_admin_tenant(p_tenant_id, 'orders.manage');
        v_customer := orders.customer_of_tenant(v_tenant, p_customer_id);
    END IF;
    SELECT t.currency INTO v_currency FROM identity.tenant t WHERE t.id = v_customer.tenant_id;
    SELECT b.balance INTO v_credit
      FROM ledger.account a, LATERAL ledger.account_balance(a.id) b
     WHERE a.owner_type = 'CUSTOMER' AND a.owner_id = v_customer.id::text AND a.purpose = 'MAIN' AND a.currency = v_currency;
    SELECT b.balance INTO v_points
      FROM ledger.account a, LATERAL ledger.account_balance(a.id) b
     WHERE a.owner_type = 'CUSTOMER' AND a.owner_id = v_customer.id::text AND a.purpose = 'MAIN' AND a.currency = 'QPT';
    RETURN jsonb_build_object('customer_id', v_customer.id, 'currency', v_currency,
                              'store_credit', coalesce(v_credit, 0)::text, 'points', coalesce(v_points, 0)::bigint,
                              'total_spent', v_customer.total_spent::text, 'order_count', v_customer.order_count);
END
$$;
COMMENT ON FUNCTION orders.customer_balances(bigint, bigint) IS
'A customer''s store credit (tenant currency) and loyalty points, read from their ledger accounts (0 before the first
use), with total_spent and order_count. p_customer_id NULL: the signed-in user''s own customer; otherwise staff with
orders.manage (the back office names the tenant). Errors: ORDERS_UNKNOWN_CUSTOMER, IDENTITY_PERMISSION_DENIED.';

COMMIT;
