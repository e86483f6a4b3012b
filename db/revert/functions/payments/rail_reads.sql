-- Revert mercato:functions/payments/rail_reads from pg
-- The two reads as functions/payments/funding and functions/payments/withdrawals define them, then the helper dropped.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

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

DROP FUNCTION payments.may_read_wallet(bigint);

COMMIT;
