-- Deploy mercato:functions/payments/funding to pg
-- Funding sessions (top-up; docs/payments.md, "Funding sessions"): created by the wallet's user or an organization's
-- ADMIN with an amount, a rail and a payer (the phone number of an M-Pesa STK push), the FUNDING fee snapshotted and
-- the instruction sent through the outbox; the rail's confirmed result completes it with one ledger posting (the
-- rail's clearing account -> the wallet, the fee -> revenue) exactly once, fails it, or flags a mismatch; a stale one
-- expires by a job.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.check_rail_request(p_rail_code text, p_currency text, p_amount numeric,
                                                       p_account text, p_what text)
RETURNS payments.rail
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rail payments.rail;
BEGIN
    SELECT * INTO v_rail FROM payments.rail WHERE code = p_rail_code AND status = 'ACTIVE';
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_RAIL', format('no active rail %s', p_rail_code));
    ELSIF v_rail.currency <> p_currency THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('rail %s moves %s, the wallet holds %s', p_rail_code,
                                                            v_rail.currency, p_currency));
    ELSIF (p_amount > 0 AND p_amount < 1e12) IS NOT TRUE
          OR scale(p_amount) > masterdata.currency_minor_units(p_currency) THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('amount must be positive in %s''s minor units', p_currency));
    ELSIF v_rail.kind = 'UNSIGNED' AND p_amount <> trunc(p_amount) THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('rail %s moves whole amounts only', p_rail_code));
    ELSIF v_rail.kind = 'UNSIGNED' AND (p_account ~ '^254[17][0-9]{8}$') IS NOT TRUE THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('%s must be a Kenyan mobile number as 2547XXXXXXXX', p_what));
    ELSIF (p_account ~ '^[A-Za-z0-9-]{4,64}$') IS NOT TRUE THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('%s must be 4 to 64 of A-Z, a-z, 0-9 and -', p_what));
    END IF;
    RETURN v_rail;
END
$$;
COMMENT ON FUNCTION payments.check_rail_request(text, text, numeric, text, text) IS
'Internal: the ACTIVE rail of a request in the wallet''s currency, a positive amount in the currency''s minor units
(whole shillings on M-Pesa), an account the rail takes (a 2547/2541 mobile number on M-Pesa, an account number on a
bank). Errors: PAYMENTS_UNKNOWN_RAIL, PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.funding_json(p_session payments.funding_session)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- PL/pgSQL, not SQL: a SQL function with SET is never inlined and would plan its query at every call
    RETURN to_jsonb(p_session) - 'intent_share_id' || jsonb_build_object(
        'amount', p_session.amount::text, 'fee', p_session.fee::text,
        'instruction_state', (SELECT i.state FROM payments.rail_instruction i
                               WHERE i.subject_type = 'FUNDING' AND i.subject_id = p_session.id),
        'intent_share_id', p_session.intent_share_id);
END
$$;
COMMENT ON FUNCTION payments.funding_json(payments.funding_session) IS
'Internal: a funding session as the API answers it (amounts as text, the state of its rail instruction).';

CREATE OR REPLACE FUNCTION payments.create_funding_session(p_wallet_id bigint, p_rail_code text, p_amount numeric,
                                                           p_payer text, p_intent_share_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_wallet  payments.wallet := payments.require_wallet(p_wallet_id, 'ADMIN');
    v_actor   identity.actor := identity.current_actor();
    v_rail    payments.rail;
    v_limits  jsonb;
    v_pending numeric;
    v_quote   record;
    v_row     payments.funding_session;
BEGIN
    v_rail := payments.check_rail_request(p_rail_code, v_wallet.currency, p_amount, p_payer, 'payer');
    PERFORM 1 FROM payments.wallet WHERE account_id = p_wallet_id FOR UPDATE;   -- one top-up of a wallet at a time
    v_limits := payments.wallet_limits(p_wallet_id);
    SELECT coalesce(sum(f.amount - f.fee), 0) INTO v_pending FROM payments.funding_session f
     WHERE f.wallet_id = p_wallet_id AND f.finished_at IS NULL;
    v_quote := payments.fee_quote('FUNDING', p_rail_code, v_wallet.organization_id, v_wallet.currency, p_amount);
    IF (SELECT b.balance FROM ledger.account_balance(p_wallet_id) b) + v_pending + p_amount - v_quote.fee
       > (v_limits ->> 'max_balance')::numeric THEN
        PERFORM core.raise('PAYMENTS_LIMIT_EXCEEDED',
                           format('wallet %s: balance, pending top-ups and %s would exceed the maximum balance %s at KYC level %s',
                                  p_wallet_id, p_amount - v_quote.fee, v_limits ->> 'max_balance', v_limits ->> 'kyc_level'));
    END IF;
    INSERT INTO payments.funding_session (wallet_id, rail_code, amount, currency, payer, fee, fee_rule_id,
                                          intent_share_id, created_by, expires_at)
    VALUES (p_wallet_id, p_rail_code, p_amount, v_wallet.currency, p_payer, v_quote.fee, v_quote.fee_rule_id,
            p_intent_share_id, v_actor.user_id,
            now() + make_interval(mins => masterdata.setting_number('PAYMENTS_FUNDING_SESSION_MINUTES')::integer))
    RETURNING * INTO v_row;
    PERFORM payments.send_instruction(p_rail_code, 'COLLECT', 'FUNDING', v_row.id, p_amount, p_payer);
    RETURN payments.funding_json(v_row);
END
$$;
COMMENT ON FUNCTION payments.create_funding_session(bigint, text, numeric, text, bigint) IS
'Top up a wallet from a rail: the wallet''s user or its organization''s ADMIN/OWNER (or the back office) names the
rail, the amount and the payer (a 2547XXXXXXXX phone number for an M-Pesa STK push, an account number for a bank).
Checked: an ACTIVE rail in the wallet''s currency, the amount, the payer, and the wallet''s maximum balance for its
KYC level (balance + pending top-ups + this credit). The FUNDING fee is quoted now and snapshotted; the session is
PENDING and its instruction goes out through the outbox (channel RAIL) in the same transaction. An accepted STK push
is not a payment: only the rail''s confirmed result completes the session. p_intent_share_id: the payment intent share
this top-up funds, if any. Returns the session. Errors: IDENTITY_NOT_AUTHENTICATED, PAYMENTS_UNKNOWN_WALLET,
PAYMENTS_UNKNOWN_RAIL, PAYMENTS_INVALID_INPUT, PAYMENTS_LIMIT_EXCEEDED, PAYMENTS_LIMITS_UNDEFINED. Locks the wallet''s
registry row (one top-up of a wallet at a time); assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.complete_funding(p_session_id bigint)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_s    payments.funding_session;
    v_rail payments.rail;
    v_ref  text := 'payments:funding:' || p_session_id || ':complete';
    v_legs jsonb;
BEGIN
    SELECT * INTO v_s FROM payments.funding_session WHERE id = p_session_id FOR UPDATE;
    IF v_s.status <> 'PENDING' THEN
        RETURN format('funding session %s is %s: a confirmed payment for it needs review', p_session_id, v_s.status);
    END IF;
    SELECT * INTO v_rail FROM payments.rail WHERE code = v_s.rail_code;
    v_legs := jsonb_build_array(
        jsonb_build_object('account_id', v_rail.clearing_account_id, 'amount', v_s.amount::text, 'side', 'DEBIT'),
        jsonb_build_object('account_id', v_s.wallet_id, 'amount', (v_s.amount - v_s.fee)::text, 'side', 'CREDIT'));
    IF v_s.fee > 0 THEN
        v_legs := v_legs || jsonb_build_object('account_id', payments.revenue_account(v_s.currency),
                                               'amount', v_s.fee::text, 'side', 'CREDIT');
    END IF;
    IF v_s.amount - v_s.fee = 0 THEN
        v_legs := v_legs - 1;
    END IF;
    PERFORM ledger.post(v_ref, v_legs, format('top-up %s from %s', p_session_id, v_s.rail_code));
    IF v_s.fee > 0 THEN
        PERFORM payments.record_fee(v_ref, 'FUNDING', v_s.rail_code,
                                    (SELECT w.organization_id FROM payments.wallet w WHERE w.account_id = v_s.wallet_id),
                                    v_s.currency, v_s.amount, v_s.fee, v_s.fee_rule_id, 'funding_session', p_session_id);
    END IF;
    UPDATE payments.funding_session SET status = 'COMPLETED', finished_at = now() WHERE id = p_session_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.complete_funding(bigint) IS
'Internal, on the rail''s confirmed success: one ledger posting (reference payments:funding:<id>:complete, unique)
debits the rail''s clearing account by the amount and credits the wallet with amount - fee and the platform''s
revenue with the fee (payments.record_fee); the session COMPLETED. Returns NULL when applied, else why not (the
session is no longer PENDING: the caller quarantines the event). Locks the session row.';

CREATE OR REPLACE FUNCTION payments.finish_funding(p_session_id bigint, p_status text, p_code text, p_reason text)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE payments.funding_session
       SET status = p_status, failure_code = left(p_code, 64), failure_reason = left(p_reason, 500), finished_at = now()
     WHERE id = p_session_id AND status = 'PENDING';
    IF NOT FOUND THEN
        RETURN format('funding session %s is no longer PENDING', p_session_id);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.finish_funding(bigint, text, text, text) IS
'Internal: a PENDING funding session FAILED (the rail''s confirmed failure: 1032 cancelled by the user, 1037 timed out,
1 insufficient funds…), EXPIRED or FLAGGED (a confirmed amount or account that does not match: nothing credited),
with the rail''s code and reason. Returns NULL when applied, else why not.';

CREATE OR REPLACE FUNCTION payments.expire_funding_sessions(p_limit integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n integer;
BEGIN
    WITH due AS (
        SELECT f.id FROM payments.funding_session f
         WHERE f.finished_at IS NULL AND f.expires_at <= now()
         ORDER BY f.expires_at
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    )
    UPDATE payments.funding_session f
       SET status = 'EXPIRED', failure_code = 'EXPIRED', failure_reason = 'no confirmed result in time', finished_at = now()
      FROM due
     WHERE f.id = due.id AND f.status = 'PENDING';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION payments.expire_funding_sessions(integer) IS
'Job payments.expire_funding_sessions: PENDING funding sessions past expires_at (PAYMENTS_FUNDING_SESSION_MINUTES after
creation) become EXPIRED, at most p_limit per run; sessions being settled are skipped (SKIP LOCKED) and taken next
time if still due. A confirmed payment arriving after expiry is quarantined for review, not credited. Returns how many.';

CREATE OR REPLACE FUNCTION payments.get_funding_session(p_session_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row payments.funding_session;
BEGIN
    SELECT * INTO v_row FROM payments.funding_session WHERE id = p_session_id;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_FUNDING_SESSION', format('funding session %s', p_session_id));
    END IF;
    BEGIN
        PERFORM payments.require_wallet(v_row.wallet_id, 'STAFF');
    EXCEPTION WHEN SQLSTATE 'PT404' THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_FUNDING_SESSION', format('funding session %s', p_session_id));
    END;
    RETURN payments.funding_json(v_row);
END
$$;
COMMENT ON FUNCTION payments.get_funding_session(bigint) IS
'A funding session of a wallet the caller may read (its user, its organization''s members, the back office): status,
amount, fee, rail, payer, failure code and reason, its instruction''s state. Errors: IDENTITY_NOT_AUTHENTICATED,
PAYMENTS_UNKNOWN_FUNDING_SESSION (also for another''s).';

REVOKE ALL ON FUNCTION payments.check_rail_request(text, text, numeric, text, text),
    payments.funding_json(payments.funding_session),
    payments.create_funding_session(bigint, text, numeric, text, bigint), payments.complete_funding(bigint),
    payments.finish_funding(bigint, text, text, text), payments.expire_funding_sessions(integer),
    payments.get_funding_session(bigint) FROM PUBLIC;

COMMIT;
