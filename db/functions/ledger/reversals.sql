-- Deploy mercato:functions/ledger/reversals to pg
-- Correct a posted transaction by posting its mirror image, at most once (reverse). The trigger that lets reversed_by
-- be set only once is transaction_reversed_once (functions/ledger/guards).
--
-- Concurrency, locks and idempotency: see the header of functions/ledger/posting.

BEGIN;

-- ------------------------------------------------------------------------------------------------
-- Reversal
-- ------------------------------------------------------------------------------------------------

CREATE FUNCTION ledger.reverse(p_reference text, p_transaction_id bigint, p_memo text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_hash     uuid;
    v_orig     ledger.transaction;
    v_tx       bigint;
    v_ids      bigint[];
    v_amounts  numeric[];
    v_currency text[];
BEGIN
    PERFORM ledger.check_reference(p_reference);
    PERFORM ledger.check_memo(p_memo);
    v_hash := md5(concat_ws('|', 'REVERSAL', p_transaction_id, quote_nullable(p_memo)))::uuid;
    -- Lock the original first: concurrent reversals of one transaction queue here.
    SELECT * INTO v_orig FROM ledger.transaction WHERE id = p_transaction_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('LEDGER_UNKNOWN_TRANSACTION', format('transaction %s', p_transaction_id));
    END IF;
    IF EXISTS (SELECT 1 FROM ledger.transaction WHERE reference = p_reference) THEN
        RETURN ledger.replay(p_reference, v_hash);
    END IF;
    IF v_orig.kind = 'REVERSAL' THEN
        PERFORM core.raise('LEDGER_NOT_REVERSIBLE', format('transaction %s reverses %s', v_orig.id, v_orig.reversal_of));
    ELSIF v_orig.reversed_by IS NOT NULL THEN
        PERFORM core.raise('LEDGER_ALREADY_REVERSED', format('transaction %s was reversed by %s', v_orig.id, v_orig.reversed_by));
    END IF;
    INSERT INTO ledger.transaction (reference, kind, request_hash, memo, reversal_of)
    VALUES (p_reference, 'REVERSAL', v_hash, p_memo, p_transaction_id)
    RETURNING id INTO v_tx;
    SELECT array_agg(e.account_id ORDER BY e.account_id), array_agg(-e.total ORDER BY e.account_id),
           array_agg(a.currency::text ORDER BY e.account_id)
      INTO v_ids, v_amounts, v_currency
      FROM (SELECT account_id, sum(amount) AS total FROM ledger.entry WHERE transaction_id = p_transaction_id
             GROUP BY account_id HAVING sum(amount) <> 0) e
      JOIN ledger.account a ON a.id = e.account_id;
    PERFORM ledger.apply_legs(v_tx, v_ids, v_amounts, v_currency);
    UPDATE ledger.transaction SET reversed_by = v_tx WHERE id = p_transaction_id;
    RETURN v_tx;
END
$$;
COMMENT ON FUNCTION ledger.reverse(text, bigint, text) IS
'Correct a posted transaction by posting its mirror image; returns the reversal''s id. The two are linked both
ways (reversal_of / reversed_by); a transaction is reversed at most once and a reversal cannot be reversed.
The accounts it credited must still have the funds. Idempotent on p_reference.
Errors: LEDGER_UNKNOWN_TRANSACTION, LEDGER_ALREADY_REVERSED, LEDGER_NOT_REVERSIBLE, LEDGER_INSUFFICIENT_FUNDS,
LEDGER_ACCOUNT_FROZEN, LEDGER_IDEMPOTENCY_CONFLICT. Locks the original transaction, then accounts in ascending id order.
Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
