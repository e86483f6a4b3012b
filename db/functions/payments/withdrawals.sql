-- Deploy mercato:functions/payments/withdrawals to pg
-- Withdrawals (docs/payments.md, "Withdrawals"): the wallet's user or an organization's ADMIN asks for a payout to a
-- rail; the limits (daily withdrawals per UTC day for the owner's KYC level) are checked, a ledger hold covers amount
-- + WITHDRAWAL fee, and the instruction goes out through the outbox. The rail's confirmed success captures the hold
-- (the amount to the rail's clearing account, the fee to revenue); its confirmed failure releases it.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.withdrawal_json(p_w payments.withdrawal)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN to_jsonb(p_w) || jsonb_build_object(
    'amount', p_w.amount::text, 'fee', p_w.fee::text,
    'instruction_state', (SELECT i.state FROM payments.rail_instruction i
                           WHERE i.subject_type = 'WITHDRAWAL' AND i.subject_id = p_w.id));
COMMENT ON FUNCTION payments.withdrawal_json(payments.withdrawal) IS
'Internal: a withdrawal as the API answers it (amounts as text, the state of its rail instruction).';

CREATE OR REPLACE FUNCTION payments.request_withdrawal(p_wallet_id bigint, p_rail_code text, p_amount numeric,
                                                       p_destination text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_wallet payments.wallet := payments.require_wallet(p_wallet_id, 'ADMIN');
    v_actor  identity.actor := identity.current_actor();
    v_limits jsonb;
    v_today  numeric;
    v_quote  record;
    v_id     bigint;
    v_hold   bigint;
    v_row    payments.withdrawal;
BEGIN
    PERFORM payments.check_rail_request(p_rail_code, v_wallet.currency, p_amount, p_destination, 'destination');
    PERFORM 1 FROM payments.wallet WHERE account_id = p_wallet_id FOR UPDATE;   -- the daily sum, one request at a time
    v_limits := payments.wallet_limits(p_wallet_id);
    SELECT coalesce(sum(w.amount), 0) INTO v_today FROM payments.withdrawal w
     WHERE w.wallet_id = p_wallet_id AND w.status <> 'FAILED'
       AND w.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    IF v_today + p_amount > (v_limits ->> 'daily_withdrawal')::numeric THEN
        PERFORM core.raise('PAYMENTS_LIMIT_EXCEEDED',
                           format('wallet %s: %s withdrawn today (UTC) and %s more exceed the daily withdrawal limit %s at KYC level %s',
                                  p_wallet_id, v_today, p_amount, v_limits ->> 'daily_withdrawal', v_limits ->> 'kyc_level'));
    END IF;
    v_quote := payments.fee_quote('WITHDRAWAL', p_rail_code, v_wallet.organization_id, v_wallet.currency, p_amount);
    IF (SELECT b.available FROM ledger.account_balance(p_wallet_id) b) < p_amount + v_quote.fee THEN
        PERFORM core.raise('PAYMENTS_INSUFFICIENT_FUNDS',
                           format('wallet %s: %s + fee %s exceed what is available', p_wallet_id, p_amount, v_quote.fee));
    END IF;
    v_id := nextval(pg_get_serial_sequence('payments.withdrawal', 'id'));
    v_hold := ledger.create_hold('payments:withdrawal:' || v_id || ':hold', p_wallet_id, p_amount + v_quote.fee, NULL,
                                 format('withdrawal %s to %s', v_id, p_rail_code));
    INSERT INTO payments.withdrawal (id, wallet_id, rail_code, amount, currency, destination, fee, fee_rule_id, hold_id,
                                     created_by)
    OVERRIDING SYSTEM VALUE
    VALUES (v_id, p_wallet_id, p_rail_code, p_amount, v_wallet.currency, p_destination, v_quote.fee, v_quote.fee_rule_id,
            v_hold, v_actor.user_id)
    RETURNING * INTO v_row;
    PERFORM payments.send_instruction(p_rail_code, 'PAYOUT', 'WITHDRAWAL', v_id, p_amount, p_destination);
    RETURN payments.withdrawal_json(v_row);
END
$$;
COMMENT ON FUNCTION payments.request_withdrawal(bigint, text, numeric, text) IS
'Withdraw from a wallet to a rail: the wallet''s user or its organization''s ADMIN/OWNER (or the back office) names the
rail, the amount and the destination (a 2547XXXXXXXX phone number for M-Pesa B2C, an account number for a bank).
Checked: an ACTIVE rail in the wallet''s currency, the amount, the destination, the daily withdrawal limit of the
owner''s KYC level (withdrawals not FAILED since 00:00 UTC + this one), and the available balance for amount + the
WITHDRAWAL fee (quoted now and snapshotted). A ledger hold (payments:withdrawal:<id>:hold) covers amount + fee; the
instruction goes out through the outbox (channel RAIL) in the same transaction. Returns the withdrawal. Errors:
IDENTITY_NOT_AUTHENTICATED, PAYMENTS_UNKNOWN_WALLET, PAYMENTS_UNKNOWN_RAIL, PAYMENTS_INVALID_INPUT,
PAYMENTS_LIMIT_EXCEEDED, PAYMENTS_LIMITS_UNDEFINED, PAYMENTS_INSUFFICIENT_FUNDS. Locks the wallet''s registry row (the
daily sum is checked one request at a time); assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.settle_withdrawal(p_w payments.withdrawal, p_status text, p_code text, p_reason text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ref  text := 'payments:withdrawal:' || p_w.id || ':capture';
    v_dest jsonb;
BEGIN
    IF p_status = 'COMPLETED' THEN
        v_dest := jsonb_build_array(jsonb_build_object(
            'account_id', (SELECT r.clearing_account_id FROM payments.rail r WHERE r.code = p_w.rail_code),
            'amount', p_w.amount::text));
        IF p_w.fee > 0 THEN
            v_dest := v_dest || jsonb_build_object('account_id', payments.revenue_account(p_w.currency), 'amount', p_w.fee::text);
        END IF;
        PERFORM ledger.capture_hold(v_ref, p_w.hold_id, v_dest, format('withdrawal %s to %s', p_w.id, p_w.rail_code));
        IF p_w.fee > 0 THEN
            PERFORM payments.record_fee(v_ref, 'WITHDRAWAL', p_w.rail_code,
                                        (SELECT x.organization_id FROM payments.wallet x WHERE x.account_id = p_w.wallet_id),
                                        p_w.currency, p_w.amount, p_w.fee, p_w.fee_rule_id, 'withdrawal', p_w.id);
        END IF;
        UPDATE payments.withdrawal SET status = 'COMPLETED', finished_at = now() WHERE id = p_w.id;
    ELSE
        IF p_status = 'FAILED' THEN
            PERFORM ledger.release_hold('payments:withdrawal:' || p_w.id || ':release', p_w.hold_id);
        END IF;
        UPDATE payments.withdrawal
           SET status = p_status, failure_code = left(p_code, 64), failure_reason = left(p_reason, 500), finished_at = now()
         WHERE id = p_w.id;
    END IF;
END
$$;
COMMENT ON FUNCTION payments.settle_withdrawal(payments.withdrawal, text, text, text) IS
'Internal, the caller holding the withdrawal''s row lock: COMPLETED captures the hold (reference
payments:withdrawal:<id>:capture, unique: the amount to the rail''s clearing account, the fee to the platform''s revenue,
payments.record_fee); FAILED releases it (payments:withdrawal:<id>:release); FLAGGED keeps it, for review. Used by the
rail''s confirmed answers and by the back office''s review of a flagged withdrawal (payments.resolve_flagged_withdrawal).';

CREATE OR REPLACE FUNCTION payments.complete_withdrawal(p_withdrawal_id bigint)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_w payments.withdrawal;
BEGIN
    SELECT * INTO v_w FROM payments.withdrawal WHERE id = p_withdrawal_id FOR UPDATE;
    IF v_w.status <> 'PENDING' THEN
        RETURN format('withdrawal %s is %s: a confirmed payout for it needs review', p_withdrawal_id, v_w.status);
    END IF;
    PERFORM payments.settle_withdrawal(v_w, 'COMPLETED', NULL, NULL);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.complete_withdrawal(bigint) IS
'Internal, on the rail''s confirmed success: the hold captured (payments.settle_withdrawal); COMPLETED.
Returns NULL when applied, else why not (no longer PENDING: the caller quarantines the event). Locks the row.';

CREATE OR REPLACE FUNCTION payments.finish_withdrawal(p_withdrawal_id bigint, p_status text, p_code text, p_reason text)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_w payments.withdrawal;
BEGIN
    SELECT * INTO v_w FROM payments.withdrawal WHERE id = p_withdrawal_id FOR UPDATE;
    IF v_w.status <> 'PENDING' THEN
        RETURN format('withdrawal %s is no longer PENDING', p_withdrawal_id);
    END IF;
    PERFORM payments.settle_withdrawal(v_w, p_status, p_code, p_reason);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.finish_withdrawal(bigint, text, text, text) IS
'Internal: a PENDING withdrawal FAILED on the rail''s confirmed failure (its hold released) or FLAGGED (a confirmed
amount or account that does not match: the hold stays, for review by payments.resolve_flagged_withdrawal), through
payments.settle_withdrawal. Returns NULL when applied, else why not.';

CREATE OR REPLACE FUNCTION payments.get_withdrawal(p_withdrawal_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row payments.withdrawal;
BEGIN
    SELECT * INTO v_row FROM payments.withdrawal WHERE id = p_withdrawal_id;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_WITHDRAWAL', format('withdrawal %s', p_withdrawal_id));
    END IF;
    BEGIN
        PERFORM payments.require_wallet(v_row.wallet_id, 'STAFF');
    EXCEPTION WHEN SQLSTATE 'PT404' THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_WITHDRAWAL', format('withdrawal %s', p_withdrawal_id));
    END;
    RETURN payments.withdrawal_json(v_row);
END
$$;
COMMENT ON FUNCTION payments.get_withdrawal(bigint) IS
'A withdrawal of a wallet the caller may read (its user, its organization''s members, the back office): status,
amount, fee, rail, destination, failure code and reason, its instruction''s state. Errors: IDENTITY_NOT_AUTHENTICATED,
PAYMENTS_UNKNOWN_WITHDRAWAL (also for another''s).';

REVOKE ALL ON FUNCTION payments.withdrawal_json(payments.withdrawal),
    payments.request_withdrawal(bigint, text, numeric, text), payments.complete_withdrawal(bigint),
    payments.settle_withdrawal(payments.withdrawal, text, text, text),
    payments.finish_withdrawal(bigint, text, text, text), payments.get_withdrawal(bigint) FROM PUBLIC;

COMMIT;
