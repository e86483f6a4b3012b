-- Deploy mercato:functions/contracts/ending to pg
-- How an ACTIVE contract ends: terminated early (live assignments end today) or completed after its end date once
-- every vehicle is back. Both release what can no longer be earned (contracts.release_unearned); what was earned
-- and not yet settled stays held for the next settlement.

BEGIN;

-- Ending --------------------------------------------------------------------------------------------

CREATE FUNCTION contracts.terminate_contract(p_contract_id bigint, p_reason text)
RETURNS contracts.contract
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v          contracts.contract;
    v_released numeric;
BEGIN
    IF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'a reason of 1-500 characters is required');
    END IF;
    SELECT * INTO v FROM contracts.contract WHERE id = p_contract_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_CONTRACT', format('contract %s', p_contract_id));
    END IF;
    PERFORM contracts.require_contract_party(v, true);
    IF v.status <> 'ACTIVE' THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s is %s', p_contract_id, v.status));
    END IF;
    PERFORM 1 FROM contracts.contract_line WHERE contract_id = p_contract_id ORDER BY id FOR UPDATE;
    UPDATE contracts.assignment
       SET status = CASE status WHEN 'ACTIVE' THEN 'RETURNED' ELSE 'CANCELLED' END,
           ended_on = CASE status WHEN 'ACTIVE' THEN greatest(current_date, started_on) END,
           end_reason = 'CONTRACT_TERMINATED'
     WHERE contract_id = p_contract_id AND live;
    UPDATE contracts.contract SET status = 'TERMINATED', ended_at = now(), end_reason = p_reason
     WHERE id = p_contract_id RETURNING * INTO v;
    v_released := contracts.release_unearned(p_contract_id);
    PERFORM audit.record('contracts', 'contract', p_contract_id::text, 'TERMINATED', NULL,
                         jsonb_build_object('reason', p_reason, 'released', v_released));
    RETURN v;
END
$$;
COMMENT ON FUNCTION contracts.terminate_contract(bigint, text) IS
'Terminate an ACTIVE contract early: live assignments end today (ACTIVE -> RETURNED, ended_on today, not billed),
pending ones are cancelled, the contract becomes TERMINATED and everything it can no longer earn is released to the
business; what was earned but not yet settled stays in escrow for the next settlement. Caller: the business owner or
a marketplace admin. Errors: CORE_INVALID_ARGUMENT (reason), CONTRACTS_UNKNOWN_CONTRACT, CONTRACTS_FORBIDDEN,
CONTRACTS_INVALID_STATE. Locks the contract, its lines (ascending id), its assignments, then the wallet.
Assumes READ COMMITTED.';

CREATE FUNCTION contracts.complete_contract(p_contract_id bigint)
RETURNS contracts.contract
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v          contracts.contract;
    v_live     bigint;
    v_released numeric;
BEGIN
    SELECT * INTO v FROM contracts.contract WHERE id = p_contract_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_CONTRACT', format('contract %s', p_contract_id));
    END IF;
    PERFORM contracts.require_contract_party(v, true);
    IF v.status = 'COMPLETED' THEN
        RETURN v;
    ELSIF v.status <> 'ACTIVE' THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s is %s', p_contract_id, v.status));
    ELSIF v.end_date >= current_date THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s runs until %s', p_contract_id, v.end_date),
                           'complete after the end date, or terminate');
    END IF;
    PERFORM 1 FROM contracts.contract_line WHERE contract_id = p_contract_id ORDER BY id FOR UPDATE;
    SELECT count(*) INTO v_live FROM contracts.assignment
     WHERE contract_id = p_contract_id AND live;
    IF v_live > 0 THEN
        PERFORM core.raise('CONTRACTS_ASSIGNMENTS_LIVE', format('contract %s has %s live assignments', p_contract_id, v_live));
    END IF;
    UPDATE contracts.contract SET status = 'COMPLETED', ended_at = now() WHERE id = p_contract_id RETURNING * INTO v;
    v_released := contracts.release_unearned(p_contract_id);
    PERFORM audit.record('contracts', 'contract', p_contract_id::text, 'COMPLETED', NULL,
                         jsonb_build_object('released', v_released));
    RETURN v;
END
$$;
COMMENT ON FUNCTION contracts.complete_contract(bigint) IS
'Complete an ACTIVE contract after its end date once every assignment is RETURNED or CANCELLED: COMPLETED, and
everything not earned is released to the business. Earned but unsettled amounts stay held and the next settlement
pays them (it then resolves the hold), so completion never waits for a settlement run. Caller: the business owner
or a marketplace admin. Idempotent on a completed contract. Errors: CONTRACTS_UNKNOWN_CONTRACT, CONTRACTS_FORBIDDEN,
CONTRACTS_INVALID_STATE, CONTRACTS_ASSIGNMENTS_LIVE. Locks the contract, its lines (ascending id), then the wallet.
Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
