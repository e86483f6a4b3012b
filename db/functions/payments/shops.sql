-- Deploy mercato:functions/payments/shops to pg
-- Shops (docs/payments.md, "Shops, wallet payments and goods escrow"): the back office opens a merchant's shop (a tenant
-- of the shared catalog and orders modules, through identity's own functions: create_tenant, set_tenant_currency,
-- assign_role TENANT_ADMIN to the merchant's owners, who then run its catalog and orders with the orders module's
-- staff functions naming the tenant); a signed-in payments user places a shop order as that tenant's customer
-- (orders.place_in: catalog prices, ONLINE_STORE, published products) and pays it from its wallet
-- (orders.apply_payment, method WALLET, debiting the wallet), the money held in goods escrow in the same transaction
-- (payments.hold_in_escrow). Lock order: [the buyer's customer link: a transaction advisory lock] -> the order row
-- (apply_payment) -> the escrow row -> the ledger's accounts. READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.open_shop(p_organization_id bigint, p_code text, p_name text DEFAULT NULL,
                                              p_currency text DEFAULT 'KES')
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor  identity.actor := identity.require_permission('payments.manage');
    v_org    identity.organization;
    v_tenant bigint;
    v_owner  bigint;
    v_shop   payments.shop;
BEGIN
    SELECT * INTO v_org FROM identity.organization o WHERE o.id = p_organization_id AND o.kind = 'MERCHANT' FOR UPDATE;
    IF NOT FOUND OR v_org.status <> 'ACTIVE' THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('merchant %s', p_organization_id));
    END IF;
    SELECT * INTO v_shop FROM payments.shop s WHERE s.organization_id = v_org.id;
    IF FOUND THEN
        PERFORM core.raise('PAYMENTS_SHOP_EXISTS', format('merchant %s has shop %s (tenant %s)', v_org.id, v_shop.id,
                                                          v_shop.tenant_id));
    END IF;
    v_tenant := identity.create_tenant(p_code, coalesce(p_name, v_org.name),
                                       jsonb_build_object('payments_merchant_id', v_org.id));
    PERFORM identity.set_tenant_currency(v_tenant, coalesce(p_currency, 'KES'));
    FOR v_owner IN SELECT m.user_id FROM identity.membership m
                    WHERE m.organization_id = v_org.id AND m.role = 'OWNER' AND m.status = 'ACTIVE' ORDER BY m.user_id LOOP
        PERFORM identity.assign_role(v_owner, 'TENANT_ADMIN', v_tenant);
    END LOOP;
    INSERT INTO payments.shop (organization_id, tenant_id, currency, opened_by)
    SELECT v_org.id, v_tenant, t.currency, v_actor.user_id FROM identity.tenant t WHERE t.id = v_tenant
    RETURNING * INTO v_shop;
    RETURN jsonb_build_object('shop_id', v_shop.id, 'organization_id', v_shop.organization_id,
                              'tenant_id', v_shop.tenant_id, 'currency', v_shop.currency);
END
$$;
COMMENT ON FUNCTION payments.open_shop(bigint, text, text, text) IS
'Open a merchant''s shop (payments.manage, or the back office): a new tenant (code p_code, name p_name or the
merchant''s) in p_currency (KES by default) through identity.create_tenant and set_tenant_currency, the merchant''s
OWNERs made its TENANT_ADMIN (catalog.manage, orders.manage, inventory.manage: they name the tenant, being platform
users) through identity.assign_role, and the link payments.shop. One shop per merchant. Returns {shop_id,
organization_id, tenant_id, currency}. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_UNKNOWN_ORGANIZATION,
PAYMENTS_SHOP_EXISTS, IDENTITY_INVALID_INPUT, IDENTITY_TENANT_CODE_TAKEN, MASTERDATA_UNKNOWN_CURRENCY.';

CREATE OR REPLACE FUNCTION payments.shop_customer_for(p_shop payments.shop, p_user_id bigint)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    SELECT c.customer_id INTO v_id FROM payments.shop_customer c WHERE c.shop_id = p_shop.id AND c.user_id = p_user_id;
    IF FOUND THEN
        RETURN v_id;
    END IF;
    -- two first orders of one buyer at once make one customer
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(format('payments.shop_customer:%s:%s', p_shop.id,
                                                                                 p_user_id), 0));
    SELECT c.customer_id INTO v_id FROM payments.shop_customer c WHERE c.shop_id = p_shop.id AND c.user_id = p_user_id;
    IF FOUND THEN
        RETURN v_id;
    END IF;
    v_id := (orders.customer_write(p_shop.tenant_id, NULL,
                 jsonb_build_object('last_name', (SELECT left(btrim(u.display_name), 100) FROM identity.user_account u
                                                   WHERE u.id = p_user_id),
                                    'metadata', jsonb_build_object('payments_user_id', p_user_id)),
                 ARRAY['last_name', 'metadata'])).id;
    INSERT INTO payments.shop_customer (shop_id, user_id, tenant_id, customer_id)
    VALUES (p_shop.id, p_user_id, p_shop.tenant_id, v_id);
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION payments.shop_customer_for(payments.shop, bigint) IS
'The orders.customer standing for a payments user in a shop''s tenant, created on first use through
orders.customer_write (last name from the user''s display name, metadata payments_user_id) and linked in
payments.shop_customer; concurrent first calls make one (a transaction advisory lock on the pair). Internal.';

CREATE OR REPLACE FUNCTION payments.place_shop_order(p_shop_id bigint, p_order jsonb, p_expected jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
    v_shop  payments.shop;
    v_id    bigint;
BEGIN
    SELECT * INTO v_shop FROM payments.shop s WHERE s.id = p_shop_id;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_SHOP', format('shop %s', p_shop_id));
    END IF;
    v_id := orders.place_in(v_shop.tenant_id, false, payments.shop_customer_for(v_shop, v_actor.user_id), p_order,
                            p_expected);
    RETURN orders.order_doc(v_id) || jsonb_build_object('shop_id', v_shop.id);
END
$$;
COMMENT ON FUNCTION payments.place_shop_order(bigint, jsonb, jsonb) IS
'A signed-in user places an order in a shop as its customer (orders.place_in as a customer: ONLINE_STORE, catalog
prices, published products; p_order as api.place_order''s, without customer_id, price, discount, shipping or
channel_data); every line reserved, the number the shop''s next. Returns the order with its lines and the shop id.
Errors: PAYMENTS_UNKNOWN_SHOP and those of orders.place_order (ORDERS_INVALID_INPUT, ORDERS_UNKNOWN_VARIANT,
ORDERS_TOTALS_MISMATCH, INVENTORY_INSUFFICIENT, IDENTITY_PERMISSION_DENIED, …). Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.shop_order_of_buyer(p_order_id bigint, OUT shop payments.shop, OUT buyer_user_id bigint,
                                                        OUT owing numeric)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    SELECT c.user_id, o.total_price - o.amount_paid INTO buyer_user_id, owing
      FROM orders.sales_order o
      JOIN payments.shop s ON s.tenant_id = o.tenant_id
      JOIN payments.shop_customer c ON c.shop_id = s.id AND c.customer_id = o.customer_id AND c.tenant_id = o.tenant_id
     WHERE o.id = p_order_id AND c.user_id = v_actor.user_id;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    END IF;
    SELECT * INTO shop FROM payments.shop s
     WHERE s.tenant_id = (SELECT o.tenant_id FROM orders.sales_order o WHERE o.id = p_order_id);
END
$$;
COMMENT ON FUNCTION payments.shop_order_of_buyer(bigint) IS
'The shop, buyer and amount still owed of a shop order the caller placed (ORDERS_UNKNOWN_ORDER for any other order).
Internal.';

CREATE OR REPLACE FUNCTION payments.pay_with_wallet(p_shop payments.shop, p_order_id bigint, p_amount numeric,
                                                    p_buyer_user_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_payment orders.payment;
    e         payments.goods_escrow;
BEGIN
    v_payment := orders.apply_payment(p_shop.tenant_id, p_order_id, 'WALLET', p_amount,
                                      payments.wallet_for('USER', p_buyer_user_id, p_shop.currency),
                                      p_actor => identity.current_user_id());
    e := payments.hold_in_escrow(p_shop, v_payment, p_buyer_user_id);
    RETURN jsonb_build_object('payment_id', v_payment.id, 'order_id', p_order_id, 'amount', v_payment.amount::text,
                              'currency', v_payment.currency, 'escrow_id', e.id, 'escrow_status', e.status,
                              'amount_held', e.amount_held::text, 'funded', e.funded_at IS NOT NULL,
                              'release_after', e.release_after);
END
$$;
COMMENT ON FUNCTION payments.pay_with_wallet(payments.shop, bigint, numeric, bigint) IS
'Pay a shop order from the buyer''s wallet, one transaction: orders.apply_payment (method WALLET, debiting the buyer''s
wallet in the shop''s currency: too little is LEDGER_INSUFFICIENT_FUNDS and nothing is written), then the amount held in
the order''s goods escrow (payments.hold_in_escrow): the merchant receives nothing until release. Internal (the shop
order''s payment and the installments call it). Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.pay_shop_order(p_order_id bigint, p_amount numeric DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b      record := payments.shop_order_of_buyer(p_order_id);
    v_plan bigint;
BEGIN
    IF p_amount IS NOT NULL AND (p_amount <= 0 OR p_amount >= 1e15) THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'amount: a positive amount below 10^15, or null for all that is owed');
    END IF;
    SELECT p.id INTO v_plan FROM payments.installment_plan p
     WHERE p.order_id = p_order_id AND p.tenant_id = (b.shop).tenant_id AND p.status <> 'CANCELLED';
    IF v_plan IS NOT NULL THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('order %s is paid through its installment plan %s', p_order_id, v_plan));
    ELSIF b.owing <= 0 THEN
        PERFORM core.raise('ORDERS_NOT_PAYABLE', format('order %s owes nothing', p_order_id));
    END IF;
    RETURN payments.pay_with_wallet(b.shop, p_order_id, coalesce(p_amount, b.owing), b.buyer_user_id);
END
$$;
COMMENT ON FUNCTION payments.pay_shop_order(bigint, numeric) IS
'The buyer pays its shop order from its wallet (p_amount, default all that is owed): orders.apply_payment with method
WALLET, the money held in the order''s goods escrow until delivery is confirmed, the auto-release date passes or a
dispute is resolved. Returns the payment and the escrow (id, status, amount held, funded, release_after). Errors:
ORDERS_UNKNOWN_ORDER (not the caller''s shop order), PAYMENTS_PLAN_STATE (an order on an installment plan is paid
through it), ORDERS_NOT_PAYABLE, ORDERS_PAYMENT_EXCEEDS, ORDERS_INVALID_INPUT,
PAYMENTS_INVALID_INPUT, PAYMENTS_ESCROW_STATE, LEDGER_INSUFFICIENT_FUNDS. Locks the order, the escrow, then the ledger
accounts. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.get_shop_order(p_order_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_shop  payments.shop;
    v_buyer bigint;
BEGIN
    SELECT s.* INTO v_shop FROM orders.sales_order o JOIN payments.shop s ON s.tenant_id = o.tenant_id WHERE o.id = p_order_id;
    SELECT c.user_id INTO v_buyer FROM orders.sales_order o
      JOIN payments.shop_customer c ON c.customer_id = o.customer_id AND c.tenant_id = o.tenant_id
     WHERE o.id = p_order_id;
    IF v_shop.id IS NULL OR NOT (identity.is_service()
           OR v_buyer = (identity.require_user()).user_id
           OR identity.acts_for(v_shop.organization_id, 'STAFF')
           OR identity.has_permission(identity.current_user_id(), 'payments.manage')) THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    END IF;
    RETURN orders.order_doc(p_order_id) || jsonb_build_object(
        'shop_id', v_shop.id,
        'escrow', (SELECT payments.escrow_doc(e.id) FROM payments.goods_escrow e
                    WHERE e.order_id = p_order_id AND e.tenant_id = v_shop.tenant_id),
        'installment_plan_id', (SELECT p.id FROM payments.installment_plan p
                                 WHERE p.order_id = p_order_id AND p.tenant_id = v_shop.tenant_id));
END
$$;
COMMENT ON FUNCTION payments.get_shop_order(bigint) IS
'A shop order with its lines and payments (orders.order_doc), its shop, its goods escrow (or null) and its installment
plan id (or null): for its buyer, the merchant''s members, payments.manage and the back office (ORDERS_UNKNOWN_ORDER for
anyone else and for an order of no shop).';

REVOKE ALL ON FUNCTION payments.open_shop(bigint, text, text, text), payments.shop_customer_for(payments.shop, bigint),
    payments.place_shop_order(bigint, jsonb, jsonb), payments.shop_order_of_buyer(bigint),
    payments.pay_with_wallet(payments.shop, bigint, numeric, bigint), payments.pay_shop_order(bigint, numeric),
    payments.get_shop_order(bigint) FROM PUBLIC;

COMMIT;
