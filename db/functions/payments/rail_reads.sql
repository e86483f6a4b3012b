-- Deploy mercato:functions/payments/rail_reads to pg
-- One access check for the reads of the rails' subjects (docs/payments.md, "Funding sessions and withdrawals"):
-- payments.get_funding_session and payments.get_withdrawal ask payments.may_read_wallet instead of each catching
-- payments.require_wallet's 404 in its own copy of the same block. Behaviour unchanged: another's session or
-- withdrawal is answered exactly as a missing one.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.may_read_wallet(p_wallet_id bigint)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_wallet_id IS NULL THEN
        RETURN false;
    END IF;
    PERFORM payments.require_wallet(p_wallet_id, 'STAFF');
    RETURN true;
EXCEPTION WHEN SQLSTATE 'PT404' THEN
    RETURN false;
END
$$;
COMMENT ON FUNCTION payments.may_read_wallet(bigint) IS
'Internal: whether the caller may read what belongs to a wallet (its user, its organization''s members from STAFF up,
the back office), through payments.require_wallet: false for NULL (no such row) and for another''s wallet, so a reader
answers both alike with its own 404 code. An anonymous caller still gets IDENTITY_NOT_AUTHENTICATED.';

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
    IF NOT payments.may_read_wallet(v_row.wallet_id) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_FUNDING_SESSION', format('funding session %s', p_session_id));
    END IF;
    RETURN payments.funding_json(v_row);
END
$$;
COMMENT ON FUNCTION payments.get_funding_session(bigint) IS
'A funding session of a wallet the caller may read (its user, its organization''s members, the back office): status,
amount, fee, rail, payer, failure code and reason, its instruction''s state. Errors: IDENTITY_NOT_AUTHENTICATED,
PAYMENTS_UNKNOWN_FUNDING_SESSION (also for another''s: payments.may_read_wallet).';

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
    IF NOT payments.may_read_wallet(v_row.wallet_id) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_WITHDRAWAL', format('withdrawal %s', p_withdrawal_id));
    END IF;
    RETURN payments.withdrawal_json(v_row);
END
$$;
COMMENT ON FUNCTION payments.get_withdrawal(bigint) IS
'A withdrawal of a wallet the caller may read (its user, its organization''s members, the back office): status,
amount, fee, rail, destination, failure code and reason, its instruction''s state. Errors: IDENTITY_NOT_AUTHENTICATED,
PAYMENTS_UNKNOWN_WITHDRAWAL (also for another''s: payments.may_read_wallet).';

REVOKE ALL ON FUNCTION payments.may_read_wallet(bigint), payments.get_funding_session(bigint),
    payments.get_withdrawal(bigint) FROM PUBLIC;

COMMIT;
