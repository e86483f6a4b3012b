-- Deploy mercato:functions/contracts/reads to pg
-- Reading contracts as a party: one contract with its snapshots, lines and assignments, or the list of contracts
-- the caller is party to. A provider never sees a contract's total (the other providers' prices).

BEGIN;

-- Reads ---------------------------------------------------------------------------------------------

CREATE FUNCTION contracts.get_contract(p_contract_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v          contracts.contract;
    v_user     bigint := (identity.current_actor()).user_id;
    v_provider bigint;
BEGIN
    SELECT * INTO v FROM contracts.contract WHERE id = p_contract_id;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_CONTRACT', format('contract %s', p_contract_id));
    END IF;
    IF NOT parties.is_marketplace_admin() THEN
        IF v_user IS NULL THEN
            PERFORM identity.require_user();
        END IF;
        IF NOT parties.acts_for_business(v.business_id) THEN
            SELECT pp.provider_id INTO v_provider FROM contracts.party_provider pp
             WHERE pp.contract_id = p_contract_id AND parties.acts_for_provider(pp.provider_id)
             LIMIT 1;
            IF v_provider IS NULL THEN
                PERFORM core.raise('CONTRACTS_FORBIDDEN', format('contract %s', p_contract_id));
            END IF;
        END IF;
    END IF;
    -- A provider sees its own lines, never the header's total: on a split award the total minus its own lines is the
    -- other providers' price.
    RETURN to_jsonb(v) || CASE WHEN v_provider IS NULL THEN '{}'::jsonb ELSE '{"total_amount": null}'::jsonb END
        || jsonb_build_object(
            'business', (SELECT to_jsonb(b) - 'snapshot' FROM contracts.party_business b WHERE b.contract_id = p_contract_id),
            'providers', (SELECT coalesce(jsonb_agg(to_jsonb(p) - 'snapshot' ORDER BY p.provider_id), '[]')
                            FROM contracts.party_provider p
                           WHERE p.contract_id = p_contract_id AND (v_provider IS NULL OR p.provider_id = v_provider)),
            'lines', (SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.id), '[]') FROM contracts.contract_line l
                       WHERE l.contract_id = p_contract_id AND (v_provider IS NULL OR l.provider_id = v_provider)),
            'assignments', (SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.id), '[]') FROM contracts.assignment a
                             WHERE a.contract_id = p_contract_id AND (v_provider IS NULL OR a.provider_id = v_provider)));
END
$$;
COMMENT ON FUNCTION contracts.get_contract(bigint) IS
'A contract with its party snapshots, lines (escrow bookkeeping included) and assignments, as JSON. The business
owner and marketplace admins see everything; a provider of the contract sees only its own terms, lines and
assignments, and total_amount null (it would reveal the other providers'' prices). Errors: CONTRACTS_UNKNOWN_CONTRACT, CONTRACTS_FORBIDDEN, IDENTITY_NOT_AUTHENTICATED. Assumes READ COMMITTED.';

CREATE FUNCTION contracts.list_contracts(p_status text DEFAULT NULL, p_limit integer DEFAULT 100)
RETURNS SETOF contracts.contract
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_admin    boolean := parties.is_marketplace_admin();
    v_business bigint;
    v_provider bigint;
BEGIN
    IF NOT v_admin THEN
        PERFORM identity.require_user();
        v_business := parties.my_business_id();   -- the organizations the caller acts for (the "org" claim or its only one)
        v_provider := parties.my_provider_id();
    END IF;
    RETURN QUERY
    SELECT c.id, c.contract_number, c.rfq_id, c.business_id, c.currency, c.start_date, c.end_date,
           CASE WHEN v_admin OR c.business_id = v_business THEN c.total_amount END::numeric(20,4),
           c.status, c.commission_policy_version_id, c.business_wallet_account_id, c.created_at, c.activated_at,
           c.ended_at, c.end_reason
      FROM contracts.contract c
     WHERE (p_status IS NULL OR c.status = p_status)
       AND (v_admin
            OR c.business_id = v_business
            OR EXISTS (SELECT 1 FROM contracts.party_provider pp WHERE pp.contract_id = c.id AND pp.provider_id = v_provider))
     ORDER BY c.id DESC
     LIMIT least(greatest(coalesce(p_limit, 100), 1), 1000);
END
$$;
COMMENT ON FUNCTION contracts.list_contracts(text, integer) IS
'Contracts the caller is a party to (acting for the business or a provider, parties.my_business_id / my_provider_id), newest first, optionally by status; a
marketplace admin sees all. total_amount is null for a provider (it would reveal the other providers'' prices). p_limit is clamped to 1..1000. Errors: IDENTITY_NOT_AUTHENTICATED. Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
