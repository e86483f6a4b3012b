-- Deploy mercato:schemas/payments/installments to pg
-- Installment plans (issue 19; docs/payments.md, "Installments"): a plan on a shop order splits its total into N
-- installments exactly to the minor unit (the remainder on the last), due every interval; each is paid from the buyer's
-- wallet (auto-debit by the job on its due date, or early by hand) into the order's goods escrow, which is releasable
-- only once the plan is paid (lay-away). An installment unpaid on its due date is LATE with the late fee of the policy
-- PAYMENTS_INSTALLMENTS; a cancelled plan refunds what was paid minus the policy's cancellation fee. Moves by trigger.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE TABLE payments.installment_plan (
    id                       bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT installment_plan_pkey PRIMARY KEY,
    shop_id                  bigint NOT NULL CONSTRAINT installment_plan_shop_id_fkey REFERENCES payments.shop (id),
    tenant_id                bigint NOT NULL,
    order_id                 bigint NOT NULL,
    buyer_user_id            bigint NOT NULL
                             CONSTRAINT installment_plan_buyer_user_id_fkey REFERENCES identity.user_account (id),
    currency                 char(3) NOT NULL CONSTRAINT installment_plan_currency_fkey REFERENCES masterdata.currency (code),
    total                    numeric NOT NULL CONSTRAINT installment_plan_total_check CHECK (total > 0),
    installments             integer NOT NULL CONSTRAINT installment_plan_installments_check CHECK (installments BETWEEN 2 AND 60),
    interval_days            integer NOT NULL CONSTRAINT installment_plan_interval_days_check CHECK (interval_days BETWEEN 1 AND 366),
    status                   text NOT NULL DEFAULT 'ACTIVE'
                             CONSTRAINT installment_plan_status_check CHECK (status IN ('ACTIVE', 'COMPLETED', 'CANCELLED')),
    policy_version           integer NOT NULL,
    late_fee                 numeric NOT NULL CONSTRAINT installment_plan_late_fee_check CHECK (late_fee >= 0),
    cancellation_fee_percent numeric NOT NULL CONSTRAINT installment_plan_cancellation_fee_percent_check
                             CHECK (cancellation_fee_percent >= 0 AND cancellation_fee_percent <= 100),
    amount_paid              numeric NOT NULL DEFAULT 0
                             CONSTRAINT installment_plan_amount_paid_check CHECK (amount_paid >= 0 AND amount_paid <= total),
    cancel_fee               numeric CONSTRAINT installment_plan_cancel_fee_check CHECK (cancel_fee >= 0 AND cancel_fee <= amount_paid),
    cancel_refund            numeric CONSTRAINT installment_plan_cancel_refund_check CHECK (cancel_refund >= 0),
    cancelled_at             timestamptz,
    completed_at             timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT installment_plan_order_id_fkey FOREIGN KEY (order_id, tenant_id) REFERENCES orders.sales_order (id, tenant_id),
    CONSTRAINT installment_plan_order_id_key UNIQUE (order_id, tenant_id),
    CONSTRAINT installment_plan_id_tenant_id_key UNIQUE (id, tenant_id),
    CONSTRAINT installment_plan_cancelled_check CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)
        AND (cancelled_at IS NULL) = (cancel_fee IS NULL) AND (cancel_fee IS NULL) = (cancel_refund IS NULL)
        AND (cancel_fee IS NULL OR cancel_fee + cancel_refund = amount_paid)),
    CONSTRAINT installment_plan_completed_check CHECK ((status = 'COMPLETED') = (completed_at IS NOT NULL)
        AND (status <> 'COMPLETED' OR amount_paid = total))
) WITH (fillfactor = 80);
COMMENT ON TABLE payments.installment_plan IS
'An installment plan on a shop order (one per order): its total in N installments every interval_days, the terms of the
policy PAYMENTS_INSTALLMENTS in force when it was made (late fee, cancellation fee percent, version), what was paid;
ACTIVE -> COMPLETED (every installment paid) or CANCELLED (what was paid refunded minus cancel_fee = paid x the
cancellation percent, rounded to the minor unit). Moves only along payments.installment_plan_transition_trg.';

CREATE TABLE payments.installment (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT installment_pkey PRIMARY KEY,
    plan_id    bigint NOT NULL,
    tenant_id  bigint NOT NULL,
    seq        integer NOT NULL CONSTRAINT installment_seq_check CHECK (seq BETWEEN 1 AND 60),
    amount     numeric NOT NULL CONSTRAINT installment_amount_check CHECK (amount > 0),
    due_at     timestamptz NOT NULL,
    status     text NOT NULL DEFAULT 'DUE'
               CONSTRAINT installment_status_check CHECK (status IN ('DUE', 'LATE', 'PAID', 'CANCELLED')),
    open       boolean GENERATED ALWAYS AS (status IN ('DUE', 'LATE')) STORED,
    late_fee   numeric NOT NULL DEFAULT 0 CONSTRAINT installment_late_fee_check CHECK (late_fee >= 0 AND late_fee <= amount),
    late_at    timestamptz,
    paid_at    timestamptz,
    paid_by    text CONSTRAINT installment_paid_by_check CHECK (paid_by IN ('BUYER', 'AUTO', 'INTENT')),
    payment_id bigint,
    reminded_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT installment_plan_id_fkey FOREIGN KEY (plan_id, tenant_id) REFERENCES payments.installment_plan (id, tenant_id),
    CONSTRAINT installment_payment_id_fkey FOREIGN KEY (payment_id, tenant_id) REFERENCES orders.payment (id, tenant_id),
    CONSTRAINT installment_plan_id_seq_key UNIQUE (plan_id, seq),
    CONSTRAINT installment_paid_check CHECK ((status = 'PAID') = (paid_at IS NOT NULL)
        AND (paid_at IS NULL) = (payment_id IS NULL) AND (paid_at IS NULL) = (paid_by IS NULL)),
    CONSTRAINT installment_late_check CHECK ((late_at IS NULL) = (late_fee = 0) AND (status <> 'LATE' OR late_at IS NOT NULL))
) WITH (fillfactor = 80);
COMMENT ON TABLE payments.installment IS
'One installment of a plan: its amount (the plan''s total split exactly to the minor unit, the remainder on the last),
due date, status DUE -> PAID | LATE | CANCELLED, LATE -> PAID | CANCELLED (PAID and CANCELLED final; by trigger), the
late fee charged when it went LATE (collected with it, to the platform''s revenue), the order payment that paid it and
who paid it (BUYER from its wallet, AUTO by the job, INTENT through a payment intent), and when its buyer was reminded
of the due date (once). open (generated) flags DUE and LATE for the job''s index.';
CREATE INDEX installment_plan_shop_id_idx ON payments.installment_plan (shop_id);
CREATE INDEX installment_plan_buyer_user_id_idx ON payments.installment_plan (buyer_user_id);
CREATE INDEX installment_payment_id_idx ON payments.installment (payment_id, tenant_id) WHERE payment_id IS NOT NULL;
CREATE INDEX installment_due_at_idx ON payments.installment (due_at) WHERE open;
CREATE TRIGGER installment_plan_no_delete BEFORE DELETE OR TRUNCATE ON payments.installment_plan
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER installment_no_delete BEFORE DELETE OR TRUNCATE ON payments.installment
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER installment_plan_audit AFTER INSERT OR UPDATE ON payments.installment_plan
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER installment_audit AFTER UPDATE ON payments.installment
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON payments.installment_plan, payments.installment FROM PUBLIC;

-- Late and cancellation fees per currency, versioned (a plan keeps the terms of the version in force when it was made).
INSERT INTO masterdata.policy_version (policy_code, version, effective_from, body, note)
VALUES ('PAYMENTS_INSTALLMENTS', 1, '2026-01-01T00:00:00Z',
        '{"reminder_days": 3,
          "KES": {"late_fee": "100.00", "cancellation_fee_percent": "5"},
          "UGX": {"late_fee": "2500", "cancellation_fee_percent": "5"},
          "USD": {"late_fee": "1.00", "cancellation_fee_percent": "5"}}',
        'Installment plans (issue 19): the fee of a late installment (at most the installment) and the percent of what '
        'was paid a cancelled plan keeps, per currency; how many days before its due date the buyer is reminded of an '
        'installment (reminder_days).');

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('PAYMENTS_UNKNOWN_PLAN', 'payments', 'PT404', 'no such installment plan or installment', NULL,
 'No plan or installment with this id, or one the caller may not see (answered alike).'),
('PAYMENTS_PLAN_STATE', 'payments', 'PT409', 'the installment plan or installment is not in a state that allows this',
 NULL, 'A plan on an order already paid or planned, a payment of a paid or cancelled installment, a direct payment of an '
 'order under a plan, a cancellation of a finished plan; the detail says which.');

COMMIT;
