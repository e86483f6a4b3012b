-- Deploy mercato:functions/payments/intent_funding to pg
-- The join between funding sessions (rails) and the EXTERNAL shares of payment intents (docs/payments.md, "Split
-- payments"): a top-up that names a share must be the payer's, for that share's rail and amount, while the share awaits
-- funding (checked for every writer by a trigger before the session is written), and the session's end settles the
-- share in the same transaction: COMPLETED holds the share's amount on the credited wallet, FAILED / EXPIRED / FLAGGED
-- fail the share (the intent's attempt unwinds).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- NOT VALID: every new or changed row is checked; the rows written before this change carry no share (the column was
-- only ever written by this change's callers), and validating here would hold a lock that blocks reads. No index: a
-- share is never deleted, and sessions are found by id.
ALTER TABLE payments.funding_session
    ADD CONSTRAINT funding_session_intent_share_id_fkey FOREIGN KEY (intent_share_id)
        REFERENCES payments.intent_share (id) NOT VALID;

CREATE OR REPLACE FUNCTION payments.funding_session_share_check_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s payments.intent_share;
    v payments.payment_intent;
    w payments.wallet;
BEGIN
    SELECT * INTO s FROM payments.intent_share WHERE id = NEW.intent_share_id;
    SELECT * INTO v FROM payments.payment_intent WHERE id = s.intent_id;
    SELECT * INTO w FROM payments.wallet WHERE account_id = NEW.wallet_id;
    IF s.source IS DISTINCT FROM 'EXTERNAL' OR s.status <> 'PENDING' OR s.attempt <> v.attempt
       OR v.status <> 'PROCESSING' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('intent share %s does not await funding', NEW.intent_share_id));
    ELSIF w.owner_type <> 'USER' OR w.user_id IS DISTINCT FROM v.payer_user_id THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('intent share %s is funded into a wallet of the intent''s payer', s.id));
    ELSIF s.rail IS DISTINCT FROM NEW.rail_code OR s.amount <> NEW.amount OR v.currency <> NEW.currency THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('intent share %s is %s %s on %s', s.id, s.amount, v.currency, s.rail));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.funding_session_share_check_trg() IS
'Trigger (BEFORE INSERT of a funding session naming an intent share): the share is EXTERNAL, PENDING in the intent''s
current attempt (the intent PROCESSING), the session''s wallet is a USER wallet of the intent''s payer, and rail,
amount and currency are the share''s. Error: PAYMENTS_INVALID_INPUT naming the share.';

CREATE TRIGGER funding_session_share_check BEFORE INSERT ON payments.funding_session
    FOR EACH ROW WHEN (NEW.intent_share_id IS NOT NULL)
    EXECUTE FUNCTION payments.funding_session_share_check_trg();

CREATE OR REPLACE FUNCTION payments.funding_session_share_settle_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.status = 'COMPLETED' THEN
        BEGIN
            PERFORM payments.external_share_funded(NEW.intent_share_id, NEW.wallet_id);
        EXCEPTION WHEN SQLSTATE 'PT402' OR SQLSTATE 'PT423' THEN
            -- the wallet cannot hold the share (a FUNDING fee took part of the top-up and nothing else is there, or
            -- it is frozen): the money stays in the wallet and the share fails, so that the intent is not left waiting
            PERFORM payments.external_share_failed(NEW.intent_share_id,
                                                   format('funding session %s completed but the share could not be held: %s',
                                                          NEW.id, SQLERRM));
        END;
    ELSE
        PERFORM payments.external_share_failed(NEW.intent_share_id,
                                               format('funding session %s %s%s', NEW.id, lower(NEW.status),
                                                      coalesce(': ' || NEW.failure_reason, '')));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.funding_session_share_settle_trg() IS
'Trigger (AFTER a funding session naming an intent share leaves PENDING), in the session''s transaction: COMPLETED ->
payments.external_share_funded (the share''s amount held on the credited wallet; the intent settles when every share
is held); when that hold is refused (insufficient funds, a frozen wallet) or the session FAILED, EXPIRED or was
FLAGGED -> payments.external_share_failed with the reason (the attempt unwinds; the top-up, if any, stays in the
wallet).';

CREATE TRIGGER funding_session_share_settle AFTER UPDATE OF status ON payments.funding_session
    FOR EACH ROW WHEN (NEW.intent_share_id IS NOT NULL AND OLD.status = 'PENDING' AND NEW.status <> 'PENDING')
    EXECUTE FUNCTION payments.funding_session_share_settle_trg();

REVOKE ALL ON FUNCTION payments.funding_session_share_check_trg(), payments.funding_session_share_settle_trg()
    FROM PUBLIC;

COMMIT;
