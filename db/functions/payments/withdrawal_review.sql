-- Deploy mercato:functions/payments/withdrawal_review to pg
-- The back office resolves a FLAGGED withdrawal (docs/payments.md, "Reviewing a flagged withdrawal"): the rail
-- confirmed another amount or account, so the hold on the wallet stayed. After asking the provider out of band, a
-- payments administrator says what happened: PAID (the payout went out: the hold is captured as a confirmed success
-- captures it, fee included) or NOT_PAID (it did not: the hold is released), with a reason. Once, under the
-- withdrawal's row lock; audited with the reason; the merchant hears of it as of any final state (functions/payments/
-- rail_events).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.resolve_flagged_withdrawal(p_withdrawal_id bigint, p_outcome text, p_reason text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_outcome text := upper(btrim(p_outcome));
    v_w       payments.withdrawal;
    v_after   payments.withdrawal;
BEGIN
    PERFORM identity.require_permission('payments.manage');
    IF v_outcome IS NULL OR v_outcome NOT IN ('PAID', 'NOT_PAID') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'outcome must be PAID or NOT_PAID');
    ELSIF (length(btrim(p_reason)) BETWEEN 3 AND 500) IS NOT TRUE THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'a resolution needs a reason of 3 to 500 characters');
    END IF;
    SELECT * INTO v_w FROM payments.withdrawal WHERE id = p_withdrawal_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_WITHDRAWAL', format('withdrawal %s', p_withdrawal_id));
    ELSIF v_w.status <> 'FLAGGED' THEN
        PERFORM core.raise('PAYMENTS_WITHDRAWAL_STATE', format('withdrawal %s is %s, not FLAGGED', p_withdrawal_id, v_w.status));
    END IF;
    IF v_outcome = 'PAID' THEN
        PERFORM payments.settle_withdrawal(v_w, 'COMPLETED', NULL, NULL);
    ELSE
        PERFORM payments.settle_withdrawal(v_w, 'FAILED', 'REVIEWED_NOT_PAID', btrim(p_reason));
    END IF;
    SELECT * INTO v_after FROM payments.withdrawal WHERE id = p_withdrawal_id;
    PERFORM audit.record('payments', 'payments.withdrawal', p_withdrawal_id::text, 'FLAG_RESOLVED',
                         jsonb_build_object('status', v_w.status, 'failure_code', v_w.failure_code,
                                            'failure_reason', v_w.failure_reason),
                         jsonb_build_object('status', v_after.status, 'outcome', v_outcome, 'reason', btrim(p_reason)));
    RETURN payments.withdrawal_json(v_after) || jsonb_build_object('outcome', v_outcome);
END
$$;
COMMENT ON FUNCTION payments.resolve_flagged_withdrawal(bigint, text, text) IS
'The back office (payments.manage) resolves a FLAGGED withdrawal with a reason (3 to 500 characters): PAID captures its
hold as a confirmed success would (the amount to the rail''s clearing account, the fee to revenue), COMPLETED;
NOT_PAID releases it, FAILED (failure_code REVIEWED_NOT_PAID). Audited (FLAG_RESOLVED, with the reason). Errors:
IDENTITY_NOT_AUTHENTICATED, IDENTITY_PERMISSION_DENIED, PAYMENTS_INVALID_INPUT, PAYMENTS_UNKNOWN_WITHDRAWAL,
PAYMENTS_WITHDRAWAL_STATE (not FLAGGED: a second resolution included). Locks the withdrawal; assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION payments.resolve_flagged_withdrawal(bigint, text, text) FROM PUBLIC;

COMMIT;
