-- Deploy mercato:functions/contracts/creation to pg
-- Contract from an awarded RFQ: immutable snapshots of the business and of every awarded provider (its tier at
-- award time and the commission terms of the COMMISSION_STRATEGY version then in force), one line per award; and
-- cancelling a contract before activation. require_contract_party, who may act on a contract, is shared by the
-- later steps (functions/contracts/escrow, functions/contracts/ending).

BEGIN;

-- Helpers -------------------------------------------------------------------------------------------

CREATE FUNCTION contracts.provider_tier_at(p_provider_id bigint, p_at timestamptz)
RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT coalesce(
        (SELECT c.new_tier FROM parties.tier_change c
          WHERE c.party_type = 'PROVIDER' AND c.party_id = p_provider_id AND c.created_at <= p_at
          ORDER BY c.created_at DESC, c.id DESC LIMIT 1),
        (SELECT c.old_tier FROM parties.tier_change c
          WHERE c.party_type = 'PROVIDER' AND c.party_id = p_provider_id AND c.created_at > p_at
          ORDER BY c.created_at, c.id LIMIT 1),
        (SELECT p.tier_code FROM parties.provider p WHERE p.id = p_provider_id));
END;
COMMENT ON FUNCTION contracts.provider_tier_at(bigint, timestamptz) IS
'The tier a provider had at an instant, from its tier history (parties.tier_change): the last change at or before
p_at, else the tier it left at its first later change, else its current tier. Errors: none. Assumes READ COMMITTED.';

CREATE FUNCTION contracts.award_parties(p_rfq_id bigint, p_at timestamptz, p_policy_version_id bigint, p_currency text)
RETURNS TABLE (provider_id bigint, tier_code text, rate numeric, minimum_amount numeric, maximum_amount numeric,
               minimum_share numeric, wallet_ok boolean)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT p.provider_id, p.tier_code, r.rate, r.minimum_amount, r.maximum_amount, r.minimum_share,
           EXISTS (SELECT 1 FROM parties.provider pr JOIN ledger.account a ON a.id = pr.wallet_account_id
                    WHERE pr.id = p.provider_id AND a.currency = p_currency)
      FROM (SELECT DISTINCT a.provider_id, contracts.provider_tier_at(a.provider_id, p_at) AS tier_code
              FROM marketplace.award a WHERE a.rfq_id = p_rfq_id) p
      LEFT JOIN masterdata.commission_rule r
             ON r.policy_version_id = p_policy_version_id AND r.tier_code = p.tier_code AND r.currency = p_currency
     ORDER BY p.provider_id;
END;
COMMENT ON FUNCTION contracts.award_parties(bigint, timestamptz, bigint, text) IS
'The providers awarded on an RFQ with their tier at p_at, the commission rule of that tier and currency in the given
COMMISSION_STRATEGY version (rate, minimum, maximum, minimum share; rate NULL when there is none) and whether their
wallet is in the currency.
Errors: none. Assumes READ COMMITTED.';

CREATE FUNCTION contracts.require_contract_party(p_contract contracts.contract, p_admin_ok boolean)
RETURNS void
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_business parties.business;
BEGIN
    IF identity.is_service() OR (p_admin_ok AND parties.is_marketplace_admin()) THEN
        RETURN;
    END IF;
    IF NOT parties.acts_for_business(p_contract.business_id, 'ADMIN') THEN
        IF parties.acts_for_business(p_contract.business_id) THEN
            PERFORM core.raise('IDENTITY_ORG_ROLE_REQUIRED',
                               format('contract %s: an ADMIN or OWNER of its business acts on it', p_contract.id));
        END IF;
        v_business := parties.current_business();   -- the caller's own errors first (not authenticated, not a business)
        PERFORM core.raise('CONTRACTS_FORBIDDEN', format('contract %s belongs to another business', p_contract.id));
    END IF;
END
$$;
COMMENT ON FUNCTION contracts.require_contract_party(contracts.contract, boolean) IS
'Refuse unless the caller acts for the contract''s business as ADMIN or OWNER (parties.acts_for_business), is the
service role (back office) or, when p_admin_ok, a marketplace admin. Errors: CONTRACTS_FORBIDDEN,
IDENTITY_ORG_ROLE_REQUIRED (a STAFF member), IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_NOT_A_BUSINESS.';

-- Contract from award -------------------------------------------------------------------------------

CREATE FUNCTION contracts.create_contract(p_rfq_id bigint)
RETURNS contracts.contract
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rfq      marketplace.rfq;
    v_business parties.business;
    v_at       timestamptz;
    v_policy   masterdata.policy_version;
    v_units    smallint;
    v_days     integer;
    v_total    numeric;
    v_bad      text;
    v_contract contracts.contract;
BEGIN
    SELECT * INTO v_rfq FROM marketplace.rfq WHERE id = p_rfq_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_RFQ', format('rfq %s', p_rfq_id));
    END IF;
    IF NOT parties.is_marketplace_admin() AND NOT parties.acts_for_business(v_rfq.business_id, 'ADMIN') THEN
        IF parties.acts_for_business(v_rfq.business_id) THEN
            PERFORM core.raise('IDENTITY_ORG_ROLE_REQUIRED',
                               format('rfq %s: an ADMIN or OWNER of its business makes the contract', p_rfq_id));
        END IF;
        PERFORM parties.current_business();   -- the caller's own errors first (not authenticated, not a business)
        PERFORM core.raise('CONTRACTS_FORBIDDEN', format('rfq %s belongs to another business', p_rfq_id));
    END IF;
    -- A retry (or a concurrent second call) gets the contract already made from this RFQ.
    SELECT * INTO v_contract FROM contracts.contract WHERE rfq_id = p_rfq_id;
    IF FOUND THEN
        RETURN v_contract;
    END IF;
    IF v_rfq.status <> 'AWARDED' OR NOT EXISTS (SELECT 1 FROM marketplace.award WHERE rfq_id = p_rfq_id) THEN
        PERFORM core.raise('CONTRACTS_RFQ_NOT_AWARDED', format('rfq %s is %s', p_rfq_id, v_rfq.status));
    END IF;

    v_at := coalesce(v_rfq.awarded_at, (SELECT max(awarded_at) FROM marketplace.award WHERE rfq_id = p_rfq_id));
    v_policy := masterdata.policy_in_force('COMMISSION_STRATEGY', v_at);
    v_units := masterdata.currency_minor_units(v_rfq.currency);
    v_days := v_rfq.end_date - v_rfq.start_date + 1;

    SELECT * INTO v_business FROM parties.business WHERE id = v_rfq.business_id;
    IF v_business.wallet_account_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM ledger.account a WHERE a.id = v_business.wallet_account_id AND a.currency = v_rfq.currency) THEN
        PERFORM core.raise('CONTRACTS_WALLET_INVALID', format('business %s has no %s wallet', v_business.id, v_rfq.currency));
    END IF;
    SELECT format('award %s: unit price %s', a.id, a.unit_price) INTO v_bad
      FROM marketplace.award a WHERE a.rfq_id = p_rfq_id AND scale(trim_scale(a.unit_price)) > v_units LIMIT 1;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('CONTRACTS_AMOUNT_PRECISION', format('%s; %s allows %s decimals', v_bad, v_rfq.currency, v_units));
    END IF;

    -- Each provider's tier at award time and the commission rule of that tier in the version then in force.
    SELECT format('provider %s, tier %s, %s, policy version %s', n.provider_id, n.tier_code, v_rfq.currency, v_policy.id)
      INTO v_bad FROM contracts.award_parties(p_rfq_id, v_at, v_policy.id, v_rfq.currency) n
     WHERE n.rate IS NULL ORDER BY n.provider_id LIMIT 1;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('CONTRACTS_NO_COMMISSION_RULE', v_bad);
    END IF;
    SELECT format('provider %s has no %s wallet', n.provider_id, v_rfq.currency)
      INTO v_bad FROM contracts.award_parties(p_rfq_id, v_at, v_policy.id, v_rfq.currency) n
     WHERE NOT n.wallet_ok ORDER BY n.provider_id LIMIT 1;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('CONTRACTS_WALLET_INVALID', v_bad);
    END IF;

    SELECT sum(a.quantity_awarded * a.unit_price * v_days) INTO v_total FROM marketplace.award a WHERE a.rfq_id = p_rfq_id;
    INSERT INTO contracts.contract (contract_number, rfq_id, business_id, currency, start_date, end_date, total_amount,
                                    commission_policy_version_id, business_wallet_account_id)
    VALUES (format('CT-%s', lpad(p_rfq_id::text, 8, '0')), p_rfq_id, v_rfq.business_id, v_rfq.currency,
            v_rfq.start_date, v_rfq.end_date, v_total, v_policy.id, v_business.wallet_account_id)
    ON CONFLICT (rfq_id) DO NOTHING
    RETURNING * INTO v_contract;
    IF v_contract.id IS NULL THEN   -- lost a race with a concurrent call: return its contract
        SELECT * INTO v_contract FROM contracts.contract WHERE rfq_id = p_rfq_id;
        RETURN v_contract;
    END IF;

    INSERT INTO contracts.party_business (contract_id, business_id, name, tin_number, kyb_status, tier_code, snapshot)
    VALUES (v_contract.id, v_business.id, v_business.name, v_business.tin_number, v_business.kyb_status,
            v_business.tier_code, to_jsonb(v_business));
    INSERT INTO contracts.party_provider (contract_id, provider_id, name, tin_number, provider_type, tier_code, trust_score,
                                          commission_rate, commission_min, commission_max, commission_min_share,
                                          wallet_account_id, snapshot)
    SELECT v_contract.id, pr.id, pr.name, pr.tin_number, pr.provider_type, n.tier_code, pr.trust_score,
           n.rate, n.minimum_amount, n.maximum_amount, n.minimum_share, pr.wallet_account_id,
           to_jsonb(pr) || jsonb_build_object('tier_at_award', n.tier_code, 'awarded_at', v_at,
                                              'commission_policy_version_id', v_policy.id)
      FROM contracts.award_parties(p_rfq_id, v_at, v_policy.id, v_rfq.currency) n
      JOIN parties.provider pr ON pr.id = n.provider_id
     ORDER BY pr.id;
    INSERT INTO contracts.contract_line (contract_id, award_id, rfq_line_id, provider_id, vehicle_type, engine_type,
                                         with_driver, quantity, unit_price, days, total_amount)
    SELECT v_contract.id, a.id, a.rfq_line_id, a.provider_id, l.vehicle_type, l.engine_type, l.with_driver,
           a.quantity_awarded, a.unit_price, v_days, a.quantity_awarded * a.unit_price * v_days
      FROM marketplace.award a JOIN marketplace.rfq_line l ON l.id = a.rfq_line_id
     WHERE a.rfq_id = p_rfq_id
     ORDER BY l.line_no, a.id;
    PERFORM audit.record('contracts', 'contract', v_contract.id::text, 'CREATED', NULL,
                         jsonb_build_object('rfq_id', p_rfq_id, 'total_amount', v_total, 'currency', v_rfq.currency,
                                            'commission_policy_version_id', v_policy.id, 'awarded_at', v_at));
    RETURN v_contract;
END
$$;
COMMENT ON FUNCTION contracts.create_contract(bigint) IS
'Turn an AWARDED RFQ''s awards into its one contract (PENDING_ACTIVATION): immutable snapshots of the business and of
every awarded provider (tier at award time from the tier history, and the commission rate/min/max/min share of the
COMMISSION_STRATEGY version in force at award time), one line per award (days = end - start + 1, total = quantity x
unit_price x days). Caller: the RFQ''s business owner or a marketplace admin. Idempotent: a second call returns the
contract already made. Errors: CONTRACTS_UNKNOWN_RFQ, CONTRACTS_FORBIDDEN, CONTRACTS_RFQ_NOT_AWARDED,
CONTRACTS_WALLET_INVALID, CONTRACTS_AMOUNT_PRECISION, CONTRACTS_NO_COMMISSION_RULE, MASTERDATA_NO_POLICY_IN_FORCE,
IDENTITY_*. Locks the RFQ (FOR SHARE); the unique rfq_id settles a race. Assumes READ COMMITTED.';

CREATE FUNCTION contracts.cancel_contract(p_contract_id bigint, p_reason text DEFAULT NULL)
RETURNS contracts.contract
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v contracts.contract;
BEGIN
    SELECT * INTO v FROM contracts.contract WHERE id = p_contract_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_CONTRACT', format('contract %s', p_contract_id));
    END IF;
    PERFORM contracts.require_contract_party(v, true);
    IF v.status = 'CANCELLED' THEN
        RETURN v;
    ELSIF v.status <> 'PENDING_ACTIVATION' THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s is %s', p_contract_id, v.status),
                           'terminate an active contract instead');
    END IF;
    UPDATE contracts.contract SET status = 'CANCELLED', ended_at = now(), end_reason = left(p_reason, 500)
     WHERE id = p_contract_id RETURNING * INTO v;
    PERFORM audit.record('contracts', 'contract', p_contract_id::text, 'CANCELLED', NULL,
                         jsonb_build_object('reason', p_reason));
    RETURN v;
END
$$;
COMMENT ON FUNCTION contracts.cancel_contract(bigint, text) IS
'Cancel a contract before activation (no money was held). Caller: the business owner or a marketplace admin.
Idempotent on a cancelled contract. Errors: CONTRACTS_UNKNOWN_CONTRACT, CONTRACTS_FORBIDDEN, CONTRACTS_INVALID_STATE.
Locks the contract. Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
