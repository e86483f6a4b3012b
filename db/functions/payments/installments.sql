-- Deploy mercato:functions/payments/installments to pg
-- Installment plans (docs/payments.md, "Installments"): the exact split, the transition triggers of plans and
-- installments for every writer, the plan made by the buyer on its unpaid shop order, each installment paid from the
-- buyer's wallet into the order's goods escrow (payments.pay_with_wallet: orders.apply_payment WALLET, then
-- payments.hold_in_escrow) with its late fee to the platform's revenue, the job that auto-debits what is due and marks
-- LATE (with the policy's fee) what it cannot, and the cancellation that refunds what was paid minus the policy's fee
-- (payments.settle_escrow: the buyer's part through orders.apply_refund, the fee to the merchant).
--
-- Lock order, every path: the order row -> the plan row -> the installment rows (ascending id) -> the escrow row -> the
-- ledger's accounts. READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.split_amount(p_total numeric, p_parts integer, p_minor_units integer)
RETURNS numeric[]
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT array_agg(CASE WHEN i < p_parts THEN trunc(p_total / p_parts, p_minor_units)
                              ELSE p_total - trunc(p_total / p_parts, p_minor_units) * (p_parts - 1) END ORDER BY i)
          FROM generate_series(1, p_parts) AS i);
COMMENT ON FUNCTION payments.split_amount(numeric, integer, integer) IS
'p_total split into p_parts amounts exactly to the minor unit: each the quotient truncated to p_minor_units decimals,
the remainder on the last (100.00 in 3: 33.33, 33.33, 33.34; 100 UGX in 3: 33, 33, 34); they always sum to p_total.';

CREATE OR REPLACE FUNCTION payments.installment_terms(p_currency text, p_at timestamptz DEFAULT now(),
                                                      OUT late_fee numeric, OUT cancellation_fee_percent numeric,
                                                      OUT policy_version integer)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy masterdata.policy_version := masterdata.policy_in_force('PAYMENTS_INSTALLMENTS', p_at);
    v_terms  jsonb := v_policy.body -> p_currency;
BEGIN
    IF jsonb_typeof(v_terms -> 'late_fee') IS DISTINCT FROM 'string'
       OR jsonb_typeof(v_terms -> 'cancellation_fee_percent') IS DISTINCT FROM 'string'
       OR (v_terms ->> 'late_fee') !~ '^[0-9]{1,12}(\.[0-9]{1,4})?$'
       OR (v_terms ->> 'cancellation_fee_percent') !~ '^[0-9]{1,3}(\.[0-9]{1,4})?$'
       OR scale((v_terms ->> 'late_fee')::numeric) > masterdata.currency_minor_units(p_currency)
       OR (v_terms ->> 'cancellation_fee_percent')::numeric > 100 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('policy PAYMENTS_INSTALLMENTS version %s defines no terms for %s',
                                                            v_policy.version, p_currency));
    END IF;
    late_fee := (v_terms ->> 'late_fee')::numeric;
    cancellation_fee_percent := (v_terms ->> 'cancellation_fee_percent')::numeric;
    policy_version := v_policy.version;
END
$$;
COMMENT ON FUNCTION payments.installment_terms(text, timestamptz) IS
'The installment terms of a currency in the policy PAYMENTS_INSTALLMENTS in force: the late fee (an amount of the
currency) and the cancellation fee percent, with the version. Internal. Errors: PAYMENTS_INVALID_INPUT (the policy
does not cover the currency), MASTERDATA_NO_POLICY_IN_FORCE.';

CREATE OR REPLACE FUNCTION payments.installment_plan_transition_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (NEW.shop_id, NEW.tenant_id, NEW.order_id, NEW.buyer_user_id, NEW.currency, NEW.total, NEW.installments,
        NEW.interval_days, NEW.policy_version, NEW.late_fee, NEW.cancellation_fee_percent, NEW.created_at)
       IS DISTINCT FROM (OLD.shop_id, OLD.tenant_id, OLD.order_id, OLD.buyer_user_id, OLD.currency, OLD.total,
                         OLD.installments, OLD.interval_days, OLD.policy_version, OLD.late_fee,
                         OLD.cancellation_fee_percent, OLD.created_at) THEN
        PERFORM core.raise('PAYMENTS_IMMUTABLE', format('installment plan %s: its order and terms never change', OLD.id));
    ELSIF OLD.status <> 'ACTIVE' THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('installment plan %s is %s: final', OLD.id, OLD.status));
    ELSIF NEW.amount_paid < OLD.amount_paid OR (NEW.status = 'CANCELLED' AND NEW.amount_paid <> OLD.amount_paid)
          OR (NEW.status = 'COMPLETED' AND NEW.amount_paid <> NEW.total) THEN
        -- the last installment's payment completes the plan in the same UPDATE; a cancellation pays nothing
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('installment plan %s: what was paid only grows while ACTIVE', OLD.id));
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.installment_plan_transition_trg() IS
'BEFORE UPDATE of payments.installment_plan, whoever writes: the order and terms never change (PAYMENTS_IMMUTABLE);
ACTIVE -> COMPLETED | CANCELLED, both final (PAYMENTS_PLAN_STATE); amount_paid only grows while ACTIVE (the last payment completes the plan: COMPLETED exactly at the total; a cancellation pays nothing). Sets
updated_at.';

CREATE OR REPLACE FUNCTION payments.installment_transition_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (NEW.plan_id, NEW.tenant_id, NEW.seq, NEW.amount, NEW.due_at, NEW.created_at)
       IS DISTINCT FROM (OLD.plan_id, OLD.tenant_id, OLD.seq, OLD.amount, OLD.due_at, OLD.created_at) THEN
        PERFORM core.raise('PAYMENTS_IMMUTABLE', format('installment %s: its plan, amount and due date never change', OLD.id));
    ELSIF OLD.status IN ('PAID', 'CANCELLED') THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('installment %s is %s: final', OLD.id, OLD.status));
    ELSIF OLD.reminded_at IS NOT NULL AND NEW.reminded_at IS DISTINCT FROM OLD.reminded_at THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('installment %s: its buyer is reminded once', OLD.id));
    ELSIF NEW.status = OLD.status THEN
        -- no move: only the reminder is recorded
        IF (NEW.late_fee, NEW.late_at, NEW.paid_at, NEW.paid_by, NEW.payment_id)
           IS DISTINCT FROM (OLD.late_fee, OLD.late_at, OLD.paid_at, OLD.paid_by, OLD.payment_id)
           OR NEW.reminded_at IS NOT DISTINCT FROM OLD.reminded_at THEN
            PERFORM core.raise('PAYMENTS_PLAN_STATE', format('installment %s: %s -> %s is not allowed', OLD.id,
                                                             OLD.status, NEW.status));
        END IF;
    ELSIF NOT ((OLD.status = 'DUE' AND NEW.status IN ('PAID', 'LATE', 'CANCELLED'))
               OR (OLD.status = 'LATE' AND NEW.status IN ('PAID', 'CANCELLED'))) THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('installment %s: %s -> %s is not allowed', OLD.id, OLD.status,
                                                         NEW.status));
    ELSIF NEW.late_fee <> OLD.late_fee AND NOT (OLD.status = 'DUE' AND NEW.status = 'LATE') THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('installment %s: the late fee is set once, when it goes LATE', OLD.id));
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.installment_transition_trg() IS
'BEFORE UPDATE of payments.installment, whoever writes: plan, amount and due date never change (PAYMENTS_IMMUTABLE);
DUE -> PAID | LATE | CANCELLED, LATE -> PAID | CANCELLED; PAID and CANCELLED are final (PAYMENTS_PLAN_STATE): an
installment is paid once; the late fee is set once, going LATE; an open installment that does not move only records
its reminder (reminded_at), once. Sets updated_at.';

CREATE TRIGGER installment_plan_transition BEFORE UPDATE ON payments.installment_plan
    FOR EACH ROW EXECUTE FUNCTION payments.installment_plan_transition_trg();
CREATE TRIGGER installment_transition BEFORE UPDATE ON payments.installment
    FOR EACH ROW EXECUTE FUNCTION payments.installment_transition_trg();

CREATE OR REPLACE FUNCTION payments.plan_doc(p_plan_id bigint)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT jsonb_build_object('id', p.id, 'shop_id', p.shop_id, 'order_id', p.order_id, 'buyer_user_id', p.buyer_user_id,
           'currency', p.currency, 'total', p.total::text, 'installments', p.installments,
           'interval_days', p.interval_days, 'status', p.status, 'policy_version', p.policy_version,
           'late_fee', p.late_fee::text, 'cancellation_fee_percent', p.cancellation_fee_percent::text,
           'amount_paid', p.amount_paid::text, 'cancel_fee', p.cancel_fee::text, 'cancel_refund', p.cancel_refund::text,
           'cancelled_at', p.cancelled_at, 'completed_at', p.completed_at,
           'escrow_id', (SELECT e.id FROM payments.goods_escrow e WHERE e.order_id = p.order_id AND e.tenant_id = p.tenant_id),
           'schedule', (SELECT jsonb_agg(jsonb_build_object('id', i.id, 'seq', i.seq, 'amount', i.amount::text,
                                                            'due_at', i.due_at, 'status', i.status,
                                                            'late_fee', i.late_fee::text, 'paid_at', i.paid_at,
                                                            'paid_by', i.paid_by, 'payment_id', i.payment_id)
                                         ORDER BY i.seq)
                          FROM payments.installment i WHERE i.plan_id = p.id AND i.tenant_id = p.tenant_id))
  FROM payments.installment_plan p WHERE p.id = p_plan_id
$$;
COMMENT ON FUNCTION payments.plan_doc(bigint) IS
'An installment plan as JSON with its schedule (amounts as text) and its escrow. Internal.';

CREATE OR REPLACE FUNCTION payments.create_installment_plan(p_order_id bigint, p_installments integer,
                                                            p_interval_days integer DEFAULT 30,
                                                            p_first_due_at timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b       record := payments.shop_order_of_buyer(p_order_id);
    o       orders.sales_order;
    t       record;
    v_first timestamptz := coalesce(p_first_due_at, now());
    v_plan  bigint;
BEGIN
    IF p_installments IS NULL OR p_installments NOT BETWEEN 2 AND 60 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'installments: 2 to 60');
    ELSIF p_interval_days IS NULL OR p_interval_days NOT BETWEEN 1 AND 366 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'interval_days: 1 to 366');
    ELSIF v_first < now() - interval '1 minute' OR v_first > now() + interval '366 days' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'first_due_at: from now to 366 days ahead');
    END IF;
    SELECT * INTO o FROM orders.sales_order s WHERE s.id = p_order_id AND s.tenant_id = (b.shop).tenant_id FOR UPDATE;
    IF o.amount_paid <> 0 OR o.status NOT IN ('PENDING') OR o.financial_status <> 'PENDING'
       OR EXISTS (SELECT 1 FROM payments.installment_plan p WHERE p.order_id = o.id AND p.tenant_id = o.tenant_id) THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('order %s is %s, %s, paid %s: a plan is made on an unpaid order, once',
                                                         o.id, o.status, o.financial_status, o.amount_paid));
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(payments.split_amount(o.total_price, p_installments, masterdata.currency_minor_units(o.currency))) a
                WHERE a <= 0) THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('installments: %s %s cannot be split in %s positive parts',
                                                            o.total_price, o.currency, p_installments));
    END IF;
    t := payments.installment_terms(o.currency);
    INSERT INTO payments.installment_plan (shop_id, tenant_id, order_id, buyer_user_id, currency, total, installments,
                                           interval_days, policy_version, late_fee, cancellation_fee_percent)
    VALUES ((b.shop).id, o.tenant_id, o.id, b.buyer_user_id, o.currency, o.total_price, p_installments, p_interval_days,
            t.policy_version, t.late_fee, t.cancellation_fee_percent)
    RETURNING id INTO v_plan;
    INSERT INTO payments.installment (plan_id, tenant_id, seq, amount, due_at)
    SELECT v_plan, o.tenant_id, a.i, a.amount, v_first + make_interval(days => p_interval_days * (a.i::integer - 1))
      FROM unnest(payments.split_amount(o.total_price, p_installments, masterdata.currency_minor_units(o.currency)))
           WITH ORDINALITY AS a(amount, i);
    RETURN payments.plan_doc(v_plan);
END
$$;
COMMENT ON FUNCTION payments.create_installment_plan(bigint, integer, integer, timestamptz) IS
'The buyer puts its unpaid shop order on an installment plan: p_installments (2-60) amounts split exactly to the minor
unit (payments.split_amount: the remainder on the last), the first due at p_first_due_at (default now), then every
p_interval_days (1-366); the late fee and cancellation percent of the policy PAYMENTS_INSTALLMENTS in force are kept on
the plan. The goods stay in escrow until the plan is paid. Returns the plan with its schedule. Errors:
ORDERS_UNKNOWN_ORDER, PAYMENTS_PLAN_STATE (paid, or already planned), PAYMENTS_INVALID_INPUT. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.lock_open_installment(p_installment_id bigint, OUT plan payments.installment_plan,
                                                          OUT inst payments.installment)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT * INTO inst FROM payments.installment x WHERE x.id = p_installment_id;
    SELECT * INTO plan FROM payments.installment_plan x WHERE x.id = inst.plan_id;
    IF inst.id IS NULL OR plan.id IS NULL THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_PLAN', format('installment %s', p_installment_id));
    END IF;
    PERFORM 1 FROM orders.sales_order o WHERE o.id = plan.order_id AND o.tenant_id = plan.tenant_id FOR UPDATE;
    SELECT * INTO plan FROM payments.installment_plan x WHERE x.id = inst.plan_id FOR UPDATE;
    SELECT * INTO inst FROM payments.installment x WHERE x.id = p_installment_id FOR UPDATE;
    IF plan.status <> 'ACTIVE' OR NOT inst.open THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('installment %s is %s (plan %s)', inst.id, inst.status, plan.status));
    END IF;
END
$$;
COMMENT ON FUNCTION payments.lock_open_installment(bigint) IS
'Lock an installment the way every payment path does (the order row, the plan row, the installment row) and return
the plan and the installment as they are under the locks; the plan must be ACTIVE and the installment open (DUE or
LATE). Internal. Errors: PAYMENTS_UNKNOWN_PLAN, PAYMENTS_PLAN_STATE. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.finish_installment(p_plan payments.installment_plan, p_inst payments.installment,
                                                       p_pay jsonb, p_by text, p_fee_from bigint)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org bigint := (SELECT s.organization_id FROM payments.shop s WHERE s.id = p_plan.shop_id);
    v_ref text;
BEGIN
    IF p_inst.late_fee > 0 THEN
        v_ref := ledger.build_reference('payments:installment', p_inst.id, 'late_fee');
        PERFORM ledger.transfer(v_ref, p_fee_from, payments.revenue_account(p_plan.currency), p_inst.late_fee,
                                format('late fee of installment %s of plan %s', p_inst.seq, p_plan.id));
        PERFORM payments.record_fee(v_ref, 'PAYMENT', 'WALLET', v_org, p_plan.currency, p_inst.amount, p_inst.late_fee,
                                    NULL, 'installment', p_inst.id);
    END IF;
    UPDATE payments.installment x SET status = 'PAID', paid_at = now(), paid_by = p_by,
                                      payment_id = (p_pay ->> 'payment_id')::bigint
     WHERE x.id = p_inst.id;
    UPDATE payments.installment_plan x
       SET amount_paid = x.amount_paid + p_inst.amount,
           status = CASE WHEN x.amount_paid + p_inst.amount = x.total THEN 'COMPLETED' ELSE x.status END,
           completed_at = CASE WHEN x.amount_paid + p_inst.amount = x.total THEN now() END
     WHERE x.id = p_plan.id;
    RETURN p_pay || jsonb_build_object('installment_id', p_inst.id, 'late_fee', p_inst.late_fee::text, 'plan_id', p_plan.id);
END
$$;
COMMENT ON FUNCTION payments.finish_installment(payments.installment_plan, payments.installment, jsonb, text, bigint) IS
'The end every installment payment shares, once its amount is in the order''s escrow (p_pay: the payment and escrow):
its late fee (if LATE) from p_fee_from to the platform''s revenue recorded as a fee (reference
payments:installment:<id>:late_fee), the installment PAID by p_by with its payment, the plan''s amount_paid (COMPLETED
once all is paid). Internal: the installment and plan locked by payments.lock_open_installment.';

CREATE OR REPLACE FUNCTION payments.settle_installment(p_installment_id bigint, p_by text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    x      record := payments.lock_open_installment(p_installment_id);
    v_shop payments.shop;
BEGIN
    SELECT * INTO v_shop FROM payments.shop s WHERE s.id = (x.plan).shop_id;
    RETURN payments.finish_installment(x.plan, x.inst,
                                       payments.pay_with_wallet(v_shop, (x.plan).order_id, (x.inst).amount,
                                                                (x.plan).buyer_user_id),
                                       p_by, payments.wallet_for('USER', (x.plan).buyer_user_id, (x.plan).currency));
END
$$;
COMMENT ON FUNCTION payments.settle_installment(bigint, text) IS
'Pay one open installment of an ACTIVE plan from the buyer''s wallet (p_by BUYER or AUTO), locking the order, the plan,
the installment (payments.lock_open_installment): payments.pay_with_wallet (orders.apply_payment WALLET into the
order''s escrow), then payments.finish_installment (its late fee, if LATE, from the wallet to the platform''s revenue,
PAID, the plan''s amount_paid; COMPLETED once all is paid: the escrow is then funded and releasable). Internal. Errors:
PAYMENTS_PLAN_STATE, LEDGER_INSUFFICIENT_FUNDS and those of pay_with_wallet. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.pay_installment(p_installment_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    IF NOT EXISTS (SELECT 1 FROM payments.installment i JOIN payments.installment_plan p ON p.id = i.plan_id
                    WHERE i.id = p_installment_id AND p.buyer_user_id = v_actor.user_id) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_PLAN', format('installment %s', p_installment_id));
    END IF;
    RETURN payments.settle_installment(p_installment_id, 'BUYER');
END
$$;
COMMENT ON FUNCTION payments.pay_installment(bigint) IS
'The buyer pays one of its installments now (early, or late with its late fee) from its wallet. Returns the payment,
the escrow and the installment. Errors: PAYMENTS_UNKNOWN_PLAN, PAYMENTS_PLAN_STATE (paid, cancelled),
LEDGER_INSUFFICIENT_FUNDS. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.collect_due_installments(p_limit integer DEFAULT 500)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id   bigint;
    v_paid integer := 0;
BEGIN
    FOR v_id IN SELECT i.id FROM payments.installment i
                 WHERE i.open AND i.due_at <= now()
                 ORDER BY i.due_at, i.id LIMIT greatest(coalesce(p_limit, 500), 1) LOOP
        BEGIN
            -- the order row without waiting: one being paid by its buyer or through an intent is judged next run (a
            -- run holds the ledger accounts of what it paid until it commits: waiting here could deadlock)
            PERFORM 1 FROM orders.sales_order o
              JOIN payments.installment_plan p ON p.order_id = o.id AND p.tenant_id = o.tenant_id
              JOIN payments.installment i ON i.plan_id = p.id
             WHERE i.id = v_id
               FOR UPDATE OF o SKIP LOCKED;
            CONTINUE WHEN NOT FOUND;
            BEGIN
                PERFORM payments.settle_installment(v_id, 'AUTO');
                v_paid := v_paid + 1;
            EXCEPTION WHEN OTHERS THEN
                -- not paid on its due date (an empty wallet, a frozen one…): LATE with the plan's late fee, once
                UPDATE payments.installment i
                   SET status = 'LATE', late_at = now(),
                       late_fee = least(p.late_fee, i.amount)
                  FROM payments.installment_plan p
                 WHERE i.id = v_id AND p.id = i.plan_id AND p.status = 'ACTIVE' AND i.status = 'DUE' AND p.late_fee > 0;
                UPDATE payments.installment i SET status = 'LATE', late_at = now()
                  FROM payments.installment_plan p
                 WHERE i.id = v_id AND p.id = i.plan_id AND p.status = 'ACTIVE' AND i.status = 'DUE' AND p.late_fee = 0;
            END;
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'payments.collect_due_installments: installment %: %', v_id, SQLERRM;
        END;
    END LOOP;
    RETURN v_paid;
END
$$;
COMMENT ON FUNCTION payments.collect_due_installments(integer) IS
'The job payments.installments_auto_debit: for up to p_limit open installments past their due date (of ACTIVE plans),
oldest first, debit the buyer''s wallet (payments.settle_installment, AUTO); one that cannot be paid goes LATE with the
plan''s late fee (the policy''s, at most the installment) and is tried again on the next run, its fee collected with it.
An installment whose order row is locked (its buyer or an intent paying it now) is skipped, neither paid nor LATE, and
judged on the next run. Returns how many were paid. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.cancel_installment_plan(p_plan_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor  identity.actor := identity.current_actor();
    p        payments.installment_plan;
    e        payments.goods_escrow;
    v_fee    numeric;
BEGIN
    SELECT * INTO p FROM payments.installment_plan x WHERE x.id = p_plan_id;
    IF NOT FOUND OR NOT (identity.is_service() OR p.buyer_user_id = (identity.require_user()).user_id
                         OR identity.has_permission(v_actor.user_id, 'payments.manage')) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_PLAN', format('plan %s', p_plan_id));
    END IF;
    PERFORM 1 FROM orders.sales_order o WHERE o.id = p.order_id AND o.tenant_id = p.tenant_id FOR UPDATE;
    SELECT * INTO p FROM payments.installment_plan x WHERE x.id = p_plan_id FOR UPDATE;
    IF p.status <> 'ACTIVE' THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('plan %s is %s', p.id, p.status));
    END IF;
    PERFORM 1 FROM payments.installment i WHERE i.plan_id = p.id AND i.tenant_id = p.tenant_id ORDER BY i.id FOR UPDATE;
    v_fee := round(p.amount_paid * p.cancellation_fee_percent / 100, masterdata.currency_minor_units(p.currency));
    IF p.amount_paid > 0 THEN
        SELECT * INTO e FROM payments.goods_escrow g WHERE g.order_id = p.order_id AND g.tenant_id = p.tenant_id FOR UPDATE;
        IF e.status <> 'HELD' THEN
            PERFORM core.raise('PAYMENTS_PLAN_STATE', format('plan %s: its escrow %s is %s', p.id, e.id, e.status));
        END IF;
        PERFORM payments.settle_escrow(e, p.amount_paid - v_fee, 'CANCEL',
                                       format('installment plan %s cancelled', p.id), v_actor.user_id);
    END IF;
    UPDATE payments.installment i SET status = 'CANCELLED' WHERE i.plan_id = p.id AND i.tenant_id = p.tenant_id AND i.open;
    UPDATE payments.installment_plan x
       SET status = 'CANCELLED', cancelled_at = now(), cancel_fee = v_fee, cancel_refund = p.amount_paid - v_fee
     WHERE x.id = p.id;
    RETURN payments.plan_doc(p.id);
END
$$;
COMMENT ON FUNCTION payments.cancel_installment_plan(bigint) IS
'Cancel an ACTIVE installment plan (its buyer, payments.manage, the back office): what was paid is refunded to the
buyer''s wallet minus the cancellation fee (what was paid x the plan''s policy percent, rounded to the minor unit),
which goes to the merchant (minus the PAYMENT fee): the order''s escrow settled once as REFUNDED
(payments.settle_escrow, the refund through orders.apply_refund); open installments CANCELLED. Returns the plan.
Errors: PAYMENTS_UNKNOWN_PLAN, PAYMENTS_PLAN_STATE (finished, or its escrow disputed). Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.get_installment_plan(p_plan_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p payments.installment_plan;
BEGIN
    SELECT * INTO p FROM payments.installment_plan x WHERE x.id = p_plan_id;
    IF FOUND AND identity.is_service() THEN
        RETURN payments.plan_doc(p.id);
    END IF;
    IF NOT FOUND OR NOT (p.buyer_user_id = (identity.require_user()).user_id
                         OR identity.acts_for((SELECT s.organization_id FROM payments.shop s WHERE s.id = p.shop_id), 'STAFF')
                         OR identity.has_permission(identity.current_user_id(), 'payments.manage')) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_PLAN', format('plan %s', p_plan_id));
    END IF;
    RETURN payments.plan_doc(p.id);
END
$$;
COMMENT ON FUNCTION payments.get_installment_plan(bigint) IS
'An installment plan with its schedule and escrow: for its buyer, its merchant''s members, payments.manage and the back
office. Errors: PAYMENTS_UNKNOWN_PLAN.';

REVOKE ALL ON FUNCTION payments.split_amount(numeric, integer, integer), payments.installment_terms(text, timestamptz),
    payments.installment_plan_transition_trg(), payments.installment_transition_trg(), payments.plan_doc(bigint),
    payments.create_installment_plan(bigint, integer, integer, timestamptz), payments.lock_open_installment(bigint),
    payments.finish_installment(payments.installment_plan, payments.installment, jsonb, text, bigint),
    payments.settle_installment(bigint, text),
    payments.pay_installment(bigint), payments.collect_due_installments(integer),
    payments.cancel_installment_plan(bigint), payments.get_installment_plan(bigint) FROM PUBLIC;

COMMIT;
