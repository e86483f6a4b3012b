-- Deploy mercato:functions/payments/escrow to pg
-- Goods escrow (docs/payments.md, "Shops, wallet payments and goods escrow"): the transition trigger every writer goes
-- through, money into escrow with each wallet payment (payments.hold_in_escrow), the one settlement step that releases
-- to the merchant (minus the PAYMENT fee: payments.fee_quote, the revenue account, payments.record_fee) and refunds the
-- buyer through orders.apply_refund (payments.settle_escrow), and the entry points: the buyer confirms delivery or
-- opens a dispute, an admin (payments.manage) resolves it with a split, the job releases what is due.
--
-- Lock order, every path: the order row (FOR UPDATE, as orders.apply_payment takes it) -> the escrow row -> the ledger's
-- accounts (ascending id, the ledger's rule). Concurrent confirm / dispute / auto-release of one escrow queue on the
-- order row; the first moves the state, the others find it moved (PAYMENTS_ESCROW_STATE): released exactly once (and
-- the ledger's unique reference payments:escrow:<id>:release would refuse a second posting). READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.metadata_id(p_metadata jsonb, p_key text)
RETURNS bigint
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_metadata IS NULL OR NOT (p_metadata ? p_key) THEN
        RETURN NULL;
    ELSIF jsonb_typeof(p_metadata -> p_key) IS DISTINCT FROM 'number'
          OR (p_metadata ->> p_key) !~ '^[1-9][0-9]{0,17}$' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('metadata.%s must be an id (a positive integer)', p_key));
    END IF;
    RETURN (p_metadata ->> p_key)::bigint;
END
$$;
COMMENT ON FUNCTION payments.metadata_id(jsonb, text) IS
'The object id a payment intent''s metadata names under p_key (order_id, invoice_id, installment_id): NULL when the key
is absent; a JSON number that is a positive integer of at most 18 digits otherwise. Shared by the intent joins
(order_intents, invoice_intents, installment_intents). Internal. Error: PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.escrow_transition_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (NEW.shop_id, NEW.tenant_id, NEW.order_id, NEW.buyer_user_id, NEW.account_id, NEW.currency, NEW.order_total,
        NEW.auto_release_days, NEW.policy_version, NEW.created_at)
       IS DISTINCT FROM (OLD.shop_id, OLD.tenant_id, OLD.order_id, OLD.buyer_user_id, OLD.account_id, OLD.currency,
                         OLD.order_total, OLD.auto_release_days, OLD.policy_version, OLD.created_at) THEN
        PERFORM core.raise('PAYMENTS_IMMUTABLE', format('escrow %s: its order, buyer, account and terms never change', OLD.id));
    END IF;
    IF OLD.status IN ('RELEASED', 'RESOLVED', 'REFUNDED') THEN
        PERFORM core.raise('PAYMENTS_ESCROW_STATE', format('escrow %s is %s: final', OLD.id, OLD.status));
    END IF;
    IF NOT ((OLD.status = 'HELD' AND NEW.status IN ('HELD', 'DISPUTED', 'RELEASED', 'REFUNDED'))
            OR (OLD.status = 'DISPUTED' AND NEW.status IN ('DISPUTED', 'RESOLVED', 'REFUNDED'))) THEN
        PERFORM core.raise('PAYMENTS_ESCROW_STATE', format('escrow %s: %s -> %s is not allowed', OLD.id, OLD.status, NEW.status));
    END IF;
    IF NEW.amount_held < OLD.amount_held OR (NEW.amount_held <> OLD.amount_held AND NOT (OLD.status = 'HELD' AND NEW.status = 'HELD')) THEN
        PERFORM core.raise('PAYMENTS_ESCROW_STATE', format('escrow %s: money is added only while HELD, never taken', OLD.id));
    END IF;
    IF NEW.status = 'RELEASED' AND (OLD.funded_at IS NULL OR NEW.buyer_amount <> 0) THEN
        PERFORM core.raise('PAYMENTS_ESCROW_NOT_FUNDED', format('escrow %s holds %s of %s', OLD.id, OLD.amount_held, OLD.order_total));
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.escrow_transition_trg() IS
'BEFORE UPDATE of payments.goods_escrow, whoever writes (the owner included): the order, buyer, account and terms never
change (PAYMENTS_IMMUTABLE); HELD -> HELD (money added), DISPUTED, RELEASED (only once funded: PAYMENTS_ESCROW_NOT_FUNDED,
nothing to the buyer), REFUNDED; DISPUTED -> RESOLVED, REFUNDED; RELEASED, RESOLVED, REFUNDED are final (PAYMENTS_ESCROW_STATE):
an escrow is released once. Sets updated_at.';

CREATE TRIGGER goods_escrow_transition BEFORE UPDATE ON payments.goods_escrow
    FOR EACH ROW EXECUTE FUNCTION payments.escrow_transition_trg();

CREATE OR REPLACE FUNCTION payments.escrow_doc(p_escrow_id bigint)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT jsonb_build_object('id', e.id, 'shop_id', e.shop_id, 'order_id', e.order_id, 'buyer_user_id', e.buyer_user_id,
           'account_id', e.account_id, 'currency', e.currency, 'order_total', e.order_total::text,
           'amount_held', e.amount_held::text, 'status', e.status, 'auto_release_days', e.auto_release_days,
           'policy_version', e.policy_version, 'funded_at', e.funded_at, 'release_after', e.release_after,
           'disputed_at', e.disputed_at, 'dispute_reason', e.dispute_reason, 'released_at', e.released_at,
           'released_by', e.released_by, 'buyer_amount', e.buyer_amount::text,
           'merchant_amount', e.merchant_amount::text, 'fee', e.fee::text, 'resolution_note', e.resolution_note,
           'balance', (SELECT b.balance::text FROM ledger.account_balance(e.account_id) b))
  FROM payments.goods_escrow e WHERE e.id = p_escrow_id
$$;
COMMENT ON FUNCTION payments.escrow_doc(bigint) IS
'An escrow as JSON (amounts as text), with the balance of its ledger ESCROW account. Internal.';

CREATE OR REPLACE FUNCTION payments.hold_in_escrow(p_shop payments.shop, p_payment orders.payment, p_buyer_user_id bigint)
RETURNS payments.goods_escrow
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy masterdata.policy_version := masterdata.policy_in_force('PAYMENTS_ESCROW');
    v_days   integer;
    v_total  numeric;
    e        payments.goods_escrow;
BEGIN
    v_days := CASE WHEN jsonb_typeof(v_policy.body -> 'auto_release_days') = 'number'
                   THEN (v_policy.body ->> 'auto_release_days')::numeric END;
    IF v_days IS NULL OR v_days NOT BETWEEN 1 AND 365 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('policy PAYMENTS_ESCROW version %s: auto_release_days must be 1 to 365', v_policy.version));
    END IF;
    SELECT o.total_price INTO v_total FROM orders.sales_order o
     WHERE o.id = p_payment.order_id AND o.tenant_id = p_payment.tenant_id;
    INSERT INTO payments.goods_escrow (shop_id, tenant_id, order_id, buyer_user_id, account_id, currency, order_total,
                                       auto_release_days, policy_version)
    VALUES (p_shop.id, p_shop.tenant_id, p_payment.order_id, p_buyer_user_id,
            ledger.open_account('SHOP_ORDER', p_payment.order_id::text, 'ESCROW', p_payment.currency), p_payment.currency,
            v_total, v_days, v_policy.version)
    ON CONFLICT (order_id, tenant_id) DO NOTHING;
    SELECT * INTO e FROM payments.goods_escrow g
     WHERE g.order_id = p_payment.order_id AND g.tenant_id = p_payment.tenant_id FOR UPDATE;
    IF e.status <> 'HELD' THEN
        PERFORM core.raise('PAYMENTS_ESCROW_STATE', format('escrow %s is %s: it takes no more money', e.id, e.status));
    END IF;
    -- the payment credited the shop's sales account (orders.apply_payment); the same transaction moves it into escrow
    PERFORM ledger.transfer(ledger.build_reference('payments:escrow', e.id, 'hold', p_payment.id::text),
                            orders.revenue_account(p_shop.tenant_id), e.account_id, p_payment.amount,
                            format('order %s payment %s held in escrow %s', p_payment.order_id, p_payment.id, e.id));
    UPDATE payments.goods_escrow g
       SET amount_held = g.amount_held + p_payment.amount,
           funded_at = CASE WHEN g.amount_held + p_payment.amount = g.order_total THEN now() END,
           release_after = CASE WHEN g.amount_held + p_payment.amount = g.order_total
                                THEN now() + make_interval(days => g.auto_release_days) END
     WHERE g.id = e.id
    RETURNING * INTO e;
    RETURN e;
END
$$;
COMMENT ON FUNCTION payments.hold_in_escrow(payments.shop, orders.payment, bigint) IS
'Hold a WALLET payment of a shop order in its goods escrow, in the payment''s transaction (the order row already locked
by orders.apply_payment): open the escrow on the first payment (its ledger ESCROW account SHOP_ORDER/<order id>, the
auto-release days of the policy PAYMENTS_ESCROW in force), move the amount from the shop''s sales account into it
(reference payments:escrow:<id>:hold:<payment id>), add it to amount_held, and once the order''s total is held start
the auto-release clock. Internal. Errors: PAYMENTS_ESCROW_STATE (a disputed or settled escrow takes no money),
PAYMENTS_INVALID_INPUT (a malformed policy), the ledger''s. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.lock_escrow(p_escrow_id bigint, p_skip_locked boolean DEFAULT false)
RETURNS payments.goods_escrow
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_order  bigint;
    v_tenant bigint;
    e        payments.goods_escrow;
BEGIN
    SELECT g.order_id, g.tenant_id INTO v_order, v_tenant FROM payments.goods_escrow g WHERE g.id = p_escrow_id;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_ESCROW', format('escrow %s', p_escrow_id));
    END IF;
    IF p_skip_locked THEN
        PERFORM 1 FROM orders.sales_order o WHERE o.id = v_order AND o.tenant_id = v_tenant FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
        SELECT * INTO e FROM payments.goods_escrow g WHERE g.id = p_escrow_id FOR UPDATE SKIP LOCKED;
    ELSE
        PERFORM 1 FROM orders.sales_order o WHERE o.id = v_order AND o.tenant_id = v_tenant FOR UPDATE;
        SELECT * INTO e FROM payments.goods_escrow g WHERE g.id = p_escrow_id FOR UPDATE;
    END IF;
    RETURN e;
END
$$;
COMMENT ON FUNCTION payments.lock_escrow(bigint, boolean) IS
'Lock an escrow the way every path does: its order row first (as orders.apply_payment and apply_refund take it), then
the escrow row; returns the escrow as it is under the locks (NULL with p_skip_locked when either is busy). Internal.
Errors: PAYMENTS_UNKNOWN_ESCROW.';

CREATE OR REPLACE FUNCTION payments.settle_escrow(p_escrow payments.goods_escrow, p_buyer_amount numeric, p_by text,
                                                  p_note text DEFAULT NULL, p_actor bigint DEFAULT NULL)
RETURNS payments.goods_escrow
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org      bigint := (SELECT s.organization_id FROM payments.shop s WHERE s.id = p_escrow.shop_id);
    v_merchant numeric := p_escrow.amount_held - p_buyer_amount;
    v_left     numeric := p_buyer_amount;
    v_fee      numeric := 0;
    v_rule     bigint;
    v_ref      text := ledger.build_reference('payments:escrow', p_escrow.id, 'release');
    v_wallet   bigint;
    v_part     numeric;
    p          record;
    e          payments.goods_escrow;
BEGIN
    IF p_buyer_amount IS NULL OR p_buyer_amount < 0 OR p_buyer_amount > p_escrow.amount_held
       OR scale(p_buyer_amount) > masterdata.currency_minor_units(p_escrow.currency) THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('buyer_amount: 0 to %s %s, in its minor units', p_escrow.amount_held, p_escrow.currency));
    END IF;
    IF v_merchant > 0 THEN
        SELECT q.fee, q.fee_rule_id INTO v_fee, v_rule
          FROM payments.fee_quote('PAYMENT', 'WALLET', v_org, p_escrow.currency, v_merchant) q;
    END IF;
    -- the state first (the trigger refuses a second settlement before any money moves), with the fee snapshot
    UPDATE payments.goods_escrow g
       SET status = CASE p_by WHEN 'ADMIN' THEN 'RESOLVED' WHEN 'CANCEL' THEN 'REFUNDED' WHEN 'MERCHANT' THEN 'REFUNDED'
                         ELSE 'RELEASED' END,
           released_at = now(), released_by = p_by, buyer_amount = p_buyer_amount, merchant_amount = v_merchant,
           fee = v_fee, fee_rule_id = v_rule, release_after = NULL, resolved_by = p_actor, resolution_note = p_note
     WHERE g.id = p_escrow.id
    RETURNING * INTO e;
    -- the buyer's part: back to the shop's sales account, then refunded through the orders module, newest payment first
    IF p_buyer_amount > 0 THEN
        PERFORM ledger.transfer(ledger.build_reference('payments:escrow', e.id, 'refund'), e.account_id,
                                orders.revenue_account(e.tenant_id), p_buyer_amount,
                                format('escrow %s: %s back to the buyer', e.id, p_buyer_amount));
        FOR p IN SELECT x.id, x.method,
                        x.amount - coalesce((SELECT sum(r.amount) FROM orders.payment r
                                              WHERE r.refund_of = x.id AND r.tenant_id = x.tenant_id), 0) AS rest
                   FROM orders.payment x
                  WHERE x.order_id = e.order_id AND x.tenant_id = e.tenant_id AND x.kind = 'PAYMENT'
                    AND x.method IN ('WALLET', 'PAYMENT_INTENT')
                  ORDER BY x.id DESC LOOP
            EXIT WHEN v_left = 0;
            CONTINUE WHEN p.rest <= 0;
            v_part := least(p.rest, v_left);
            -- a WALLET payment goes back to the wallet it came from; a PAYMENT_INTENT one came through the merchant's
            -- wallet (the capture) and goes to the buyer's wallet, never back to the merchant
            PERFORM orders.apply_refund(e.tenant_id, p.id, v_part,
                                        coalesce(p_note, format('goods escrow %s %s', e.id, lower(e.status))),
                                        p_credit_account_id => CASE WHEN p.method = 'PAYMENT_INTENT'
                                            THEN payments.wallet_for('USER', e.buyer_user_id, e.currency) END,
                                        p_actor => p_actor);
            v_left := v_left - v_part;
        END LOOP;
        IF v_left <> 0 THEN
            PERFORM core.raise('PAYMENTS_ESCROW_STATE', format('escrow %s: %s more than its payments', e.id, v_left));
        END IF;
    END IF;
    -- the merchant's part: to its wallet, the PAYMENT fee to the platform's revenue, one posting
    IF v_merchant > 0 THEN
        v_wallet := payments.wallet_for('ORG', v_org, e.currency);
        IF v_fee > 0 AND v_fee < v_merchant THEN
            PERFORM ledger.post(v_ref, jsonb_build_array(
                jsonb_build_object('account_id', e.account_id, 'amount', v_merchant::text, 'side', 'DEBIT'),
                jsonb_build_object('account_id', v_wallet, 'amount', (v_merchant - v_fee)::text, 'side', 'CREDIT'),
                jsonb_build_object('account_id', payments.revenue_account(e.currency), 'amount', v_fee::text, 'side', 'CREDIT')),
                format('escrow %s released to merchant %s, fee %s', e.id, v_org, v_fee));
        ELSIF v_fee > 0 THEN
            PERFORM ledger.transfer(v_ref, e.account_id, payments.revenue_account(e.currency), v_merchant,
                                    format('escrow %s: all of it is the fee', e.id));
        ELSE
            PERFORM ledger.transfer(v_ref, e.account_id, v_wallet, v_merchant,
                                    format('escrow %s released to merchant %s', e.id, v_org));
        END IF;
        IF v_fee > 0 THEN
            PERFORM payments.record_fee(v_ref, 'PAYMENT', 'WALLET', v_org, e.currency, v_merchant, v_fee, v_rule,
                                        'goods_escrow', e.id);
        END IF;
    END IF;
    RETURN e;
END
$$;
COMMENT ON FUNCTION payments.settle_escrow(payments.goods_escrow, numeric, text, text, bigint) IS
'Settle a locked escrow once (its state first: the transition trigger refuses a second settlement before any money
moves): p_buyer_amount back to the buyer (escrow -> the shop''s sales account -> orders.apply_refund of the order''s
WALLET and PAYMENT_INTENT payments, newest first: a WALLET one to the wallet it came from, a PAYMENT_INTENT one to the
buyer''s wallet), the rest to the merchant''s wallet minus the PAYMENT
fee quoted now (payments.fee_quote, rail WALLET) credited to the platform''s revenue in the same posting (reference
payments:escrow:<id>:release) and recorded (payments.record_fee). p_by: BUYER or AUTO (RELEASED, nothing to the buyer),
ADMIN (RESOLVED), CANCEL and MERCHANT (REFUNDED). Internal. Errors: PAYMENTS_INVALID_INPUT, PAYMENTS_ESCROW_STATE,
PAYMENTS_ESCROW_NOT_FUNDED, the orders'' and the ledger''s. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.escrow_for_caller(p_escrow_id bigint, p_as text)
RETURNS payments.goods_escrow
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e       payments.goods_escrow;
    v_actor identity.actor;
    v_may   boolean;
BEGIN
    SELECT * INTO e FROM payments.goods_escrow g WHERE g.id = p_escrow_id;
    IF FOUND AND identity.is_service() AND p_as IN ('ADMIN', 'READ') THEN
        RETURN e;
    END IF;
    v_actor := identity.require_user();
    IF e.id IS NULL THEN
        v_may := false;
    ELSIF p_as = 'BUYER' THEN
        v_may := e.buyer_user_id = v_actor.user_id;
    ELSIF p_as = 'ADMIN' THEN
        v_may := identity.has_permission(v_actor.user_id, 'payments.manage');
    ELSE
        v_may := e.buyer_user_id = v_actor.user_id
                 OR identity.acts_for((SELECT s.organization_id FROM payments.shop s WHERE s.id = e.shop_id), 'STAFF')
                 OR identity.has_permission(v_actor.user_id, 'payments.manage');
    END IF;
    IF v_may THEN
        RETURN e;
    END IF;
    IF e.id IS NOT NULL AND p_as = 'ADMIN' THEN
        PERFORM core.raise('IDENTITY_PERMISSION_DENIED', 'permission payments.manage');
    END IF;
    PERFORM core.raise('PAYMENTS_UNKNOWN_ESCROW', format('escrow %s', p_escrow_id));
END
$$;
COMMENT ON FUNCTION payments.escrow_for_caller(bigint, text) IS
'The escrow if the caller may act on it as p_as: BUYER (its buyer), ADMIN (payments.manage, or the back office), READ
(the buyer, the merchant''s members, payments.manage, the back office). Internal. Errors: PAYMENTS_UNKNOWN_ESCROW (also
for somebody else''s), IDENTITY_PERMISSION_DENIED, IDENTITY_NOT_AUTHENTICATED.';

CREATE OR REPLACE FUNCTION payments.confirm_delivery(p_escrow_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e payments.goods_escrow := payments.escrow_for_caller(p_escrow_id, 'BUYER');
BEGIN
    e := payments.lock_escrow(e.id);
    IF e.status <> 'HELD' THEN
        PERFORM core.raise('PAYMENTS_ESCROW_STATE', format('escrow %s is %s', e.id, e.status));
    ELSIF e.funded_at IS NULL THEN
        PERFORM core.raise('PAYMENTS_ESCROW_NOT_FUNDED', format('escrow %s holds %s of %s', e.id, e.amount_held, e.order_total));
    END IF;
    PERFORM payments.settle_escrow(e, 0, 'BUYER', NULL, identity.current_user_id());
    RETURN payments.escrow_doc(e.id);
END
$$;
COMMENT ON FUNCTION payments.confirm_delivery(bigint) IS
'The buyer confirms delivery: its HELD, fully funded escrow is released to the merchant''s wallet minus the PAYMENT fee
(payments.settle_escrow). Once: a second confirmation, or one after a dispute or the auto-release, is
PAYMENTS_ESCROW_STATE. Returns the escrow. Errors: PAYMENTS_UNKNOWN_ESCROW, PAYMENTS_ESCROW_STATE,
PAYMENTS_ESCROW_NOT_FUNDED. Locks the order, then the escrow, then the ledger accounts. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.open_dispute(p_escrow_id bigint, p_reason text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e payments.goods_escrow := payments.escrow_for_caller(p_escrow_id, 'BUYER');
BEGIN
    IF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'reason: 1 to 500 characters');
    END IF;
    e := payments.lock_escrow(e.id);
    IF e.status <> 'HELD' THEN
        PERFORM core.raise('PAYMENTS_ESCROW_STATE', format('escrow %s is %s', e.id, e.status));
    END IF;
    UPDATE payments.goods_escrow g
       SET status = 'DISPUTED', disputed_at = now(), dispute_reason = btrim(p_reason), release_after = NULL
     WHERE g.id = e.id;
    RETURN payments.escrow_doc(e.id);
END
$$;
COMMENT ON FUNCTION payments.open_dispute(bigint, text) IS
'The buyer disputes its HELD escrow before release (reason 1-500 characters): DISPUTED freezes every release, the
buyer''s confirmation and the automatic one included, until an admin resolves it. Returns the escrow. Errors:
PAYMENTS_UNKNOWN_ESCROW, PAYMENTS_ESCROW_STATE (released, or already disputed), PAYMENTS_INVALID_INPUT. Assumes READ
COMMITTED.';

CREATE OR REPLACE FUNCTION payments.resolve_dispute(p_escrow_id bigint, p_buyer_amount numeric, p_note text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e payments.goods_escrow := payments.escrow_for_caller(p_escrow_id, 'ADMIN');
BEGIN
    IF p_note IS NULL OR length(btrim(p_note)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'note: 1 to 500 characters');
    END IF;
    e := payments.lock_escrow(e.id);
    IF e.status <> 'DISPUTED' THEN
        PERFORM core.raise('PAYMENTS_ESCROW_STATE', format('escrow %s is %s: only a disputed escrow is resolved', e.id, e.status));
    END IF;
    PERFORM payments.settle_escrow(e, p_buyer_amount, 'ADMIN', btrim(p_note), identity.current_user_id());
    RETURN payments.escrow_doc(e.id);
END
$$;
COMMENT ON FUNCTION payments.resolve_dispute(bigint, numeric, text) IS
'Resolve a DISPUTED escrow (payments.manage, or the back office): p_buyer_amount (0 to all of it) is refunded to the
buyer''s wallet through the order''s refunds, the rest released to the merchant minus the PAYMENT fee; the two add up to
what was held (CHECK goods_escrow_settled_check). Once. Returns the escrow. Errors: IDENTITY_PERMISSION_DENIED,
PAYMENTS_UNKNOWN_ESCROW, PAYMENTS_ESCROW_STATE, PAYMENTS_INVALID_INPUT. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.refund_escrow(p_escrow_id bigint, p_reason text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e payments.goods_escrow := payments.escrow_for_caller(p_escrow_id, 'READ');
BEGIN
    IF NOT identity.acts_for((SELECT s.organization_id FROM payments.shop s WHERE s.id = e.shop_id), 'ADMIN') THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_ESCROW', format('escrow %s', p_escrow_id));
    ELSIF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'reason: 1 to 500 characters');
    END IF;
    e := payments.lock_escrow(e.id);
    IF e.status NOT IN ('HELD', 'DISPUTED') THEN
        PERFORM core.raise('PAYMENTS_ESCROW_STATE', format('escrow %s is %s', e.id, e.status));
    END IF;
    PERFORM payments.settle_escrow(e, e.amount_held, 'MERCHANT', btrim(p_reason), identity.current_user_id());
    RETURN payments.escrow_doc(e.id);
END
$$;
COMMENT ON FUNCTION payments.refund_escrow(bigint, text) IS
'The merchant (its ADMIN or OWNER) refunds a HELD or DISPUTED escrow in full (it cannot deliver, or concedes the
dispute): everything held goes back to the buyer''s wallet through the order''s refunds; REFUNDED, once; the order may
then be cancelled by the shop. Returns the escrow. Errors: PAYMENTS_UNKNOWN_ESCROW (also for the merchant''s STAFF and
anyone else), PAYMENTS_ESCROW_STATE, PAYMENTS_INVALID_INPUT. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.release_due_escrows(p_limit integer DEFAULT 500)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id   bigint;
    v_done integer := 0;
    e      payments.goods_escrow;
BEGIN
    FOR v_id IN SELECT g.id FROM payments.goods_escrow g
                 WHERE g.release_after <= now() AND g.status = 'HELD'
                 ORDER BY g.release_after, g.id LIMIT greatest(coalesce(p_limit, 500), 1) LOOP
        BEGIN
            e := payments.lock_escrow(v_id, true);
            -- under the locks: still HELD and due (a dispute or a confirmation may have come first)
            IF e.id IS NOT NULL AND e.status = 'HELD' AND e.release_after <= now() THEN
                PERFORM payments.settle_escrow(e, 0, 'AUTO');
                v_done := v_done + 1;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            -- one escrow that cannot be released (a frozen wallet…) does not stop the others; it is retried next run
            RAISE WARNING 'payments.release_due_escrows: escrow %: %', v_id, SQLERRM;
        END;
    END LOOP;
    RETURN v_done;
END
$$;
COMMENT ON FUNCTION payments.release_due_escrows(integer) IS
'The job payments.escrow_auto_release: release to their merchants (minus the PAYMENT fee) up to p_limit HELD escrows
whose release_after has passed, oldest first; an escrow locked by a concurrent confirmation or dispute is skipped and
judged again under the locks (a DISPUTED one never released). Returns how many were released. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.get_escrow(p_escrow_id bigint)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN payments.escrow_doc((payments.escrow_for_caller(p_escrow_id, 'READ')).id);
COMMENT ON FUNCTION payments.get_escrow(bigint) IS
'An escrow with its ledger balance: for its buyer, its merchant''s members, payments.manage and the back office.
Errors: PAYMENTS_UNKNOWN_ESCROW.';

REVOKE ALL ON FUNCTION payments.metadata_id(jsonb, text), payments.escrow_transition_trg(), payments.escrow_doc(bigint),
    payments.hold_in_escrow(payments.shop, orders.payment, bigint), payments.lock_escrow(bigint, boolean),
    payments.settle_escrow(payments.goods_escrow, numeric, text, text, bigint), payments.escrow_for_caller(bigint, text),
    payments.confirm_delivery(bigint), payments.open_dispute(bigint, text), payments.resolve_dispute(bigint, numeric, text),
    payments.refund_escrow(bigint, text),
    payments.release_due_escrows(integer), payments.get_escrow(bigint) FROM PUBLIC;

COMMIT;
