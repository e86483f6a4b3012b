-- Deploy mercato:functions/payments/installment_reminders to pg
-- Due-installment reminders (docs/payments.md, "Installment reminders"): the job payments.installment_reminders
-- (hourly) enqueues one outbox message to the buyer of every DUE installment whose due date is within the
-- reminder_days of the policy PAYMENTS_INSTALLMENTS in force (a top-level integer, 1 to 60; absent or 0: no
-- reminders) and not yet past, in the transaction that records it on the installment (reminded_at): each installment
-- is reminded once (the transition trigger refuses a second reminded_at; the message's dedupe key
-- payments.installment_reminder:<id> would too). SMS to the buyer's phone, else EMAIL to its e-mail; a buyer with neither
-- is recorded as reminded with no message (nothing to send to).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.installment_reminder_days(p_at timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy masterdata.policy_version := masterdata.policy_in_force('PAYMENTS_INSTALLMENTS', p_at);
BEGIN
    IF NOT (v_policy.body ? 'reminder_days') THEN
        RETURN 0;
    ELSIF jsonb_typeof(v_policy.body -> 'reminder_days') IS DISTINCT FROM 'number'
          OR (v_policy.body ->> 'reminder_days') !~ '^[0-9]{1,2}$' OR (v_policy.body ->> 'reminder_days')::integer > 60 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('policy PAYMENTS_INSTALLMENTS version %s: reminder_days must be 0 to 60', v_policy.version));
    END IF;
    RETURN (v_policy.body ->> 'reminder_days')::integer;
END
$$;
COMMENT ON FUNCTION payments.installment_reminder_days(timestamptz) IS
'How many days before its due date the buyer is reminded of an installment: reminder_days of the policy
PAYMENTS_INSTALLMENTS in force (0 to 60; absent: 0, no reminders). Internal. Errors: PAYMENTS_INVALID_INPUT (malformed),
MASTERDATA_NO_POLICY_IN_FORCE.';

CREATE OR REPLACE FUNCTION payments.remind_due_installments(p_limit integer DEFAULT 500)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_days integer := payments.installment_reminder_days();
    v_sent integer := 0;
    r      record;
    v_chan text;
    v_to   text;
BEGIN
    IF v_days = 0 THEN
        RETURN 0;
    END IF;
    FOR r IN SELECT i.id, i.seq, i.amount, i.due_at, p.id AS plan_id, p.order_id, p.currency, p.installments,
                    s.organization_id, o.name AS shop_name, u.phone, u.email, u.tenant_id AS user_tenant_id
               FROM payments.installment i
               JOIN payments.installment_plan p ON p.id = i.plan_id AND p.tenant_id = i.tenant_id
               JOIN payments.shop s ON s.id = p.shop_id
               JOIN identity.organization o ON o.id = s.organization_id
               JOIN identity.user_account u ON u.id = p.buyer_user_id
              WHERE i.open AND i.status = 'DUE' AND i.reminded_at IS NULL AND p.status = 'ACTIVE'
                AND i.due_at > now() AND i.due_at <= now() + make_interval(days => v_days)
              ORDER BY i.due_at, i.id
              LIMIT greatest(coalesce(p_limit, 500), 1)
                FOR UPDATE OF i SKIP LOCKED LOOP
        v_chan := CASE WHEN r.phone IS NOT NULL THEN 'SMS' WHEN r.email IS NOT NULL THEN 'EMAIL' END;
        v_to := coalesce(r.phone, r.email);
        IF v_chan IS NOT NULL THEN
            PERFORM outbox.enqueue(v_chan, v_to, 'payments.installment_reminder',
                                   jsonb_build_object('installment_id', r.id, 'plan_id', r.plan_id, 'order_id', r.order_id,
                                                      'seq', r.seq, 'of', r.installments, 'amount', r.amount::text,
                                                      'currency', r.currency, 'due_at', r.due_at,
                                                      'merchant_id', r.organization_id, 'shop', r.shop_name),
                                   NULL, 'payments.installment_reminder:' || r.id, r.user_tenant_id);
            v_sent := v_sent + 1;
        END IF;
        UPDATE payments.installment i SET reminded_at = now() WHERE i.id = r.id;
    END LOOP;
    RETURN v_sent;
END
$$;
COMMENT ON FUNCTION payments.remind_due_installments(integer) IS
'The job payments.installment_reminders: for up to p_limit DUE installments of ACTIVE plans not yet reminded, due
within the policy''s reminder_days and not yet past (soonest first; rows locked by a payment are skipped and judged next
run), enqueue the reminder to the buyer (SMS to its phone, else EMAIL; template payments.installment_reminder, params
installment, plan, order, seq, of, amount, currency, due_at, merchant, shop; dedupe key
payments.installment_reminder:<id>) and record reminded_at in the same transaction: once per installment. Returns how
many messages were enqueued. Assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION payments.installment_reminder_days(timestamptz), payments.remind_due_installments(integer) FROM PUBLIC;

SELECT jobs.register('payments.installment_reminders', '7 * * * *', 'payments.remind_due_installments(integer)',
    'Installments: remind each buyer once, by SMS or e-mail through the outbox, of an installment due within the '
    'PAYMENTS_INSTALLMENTS reminder_days (payments.remind_due_installments).');

COMMIT;
