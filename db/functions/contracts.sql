-- Deploy mercato:functions/contracts to pg
-- Contract from an awarded RFQ (immutable snapshots, commission terms in force at award time), activation into
-- escrow (one ledger hold per line on the business wallet), vehicle assignments, release of the unearned part,
-- termination, completion, reads and the escrow integrity check.

BEGIN;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('CONTRACTS_UNKNOWN_RFQ', 'contracts', 'PT404', 'no such RFQ', NULL, 'create_contract was given an unknown RFQ id.'),
('CONTRACTS_RFQ_NOT_AWARDED', 'contracts', 'PT409', 'the RFQ is not awarded',
 'award the RFQ first', 'A contract is made only from an AWARDED RFQ with at least one award.'),
('CONTRACTS_FORBIDDEN', 'contracts', 'PT403', 'the caller may not act on this contract', NULL,
 'The caller is neither the party the action belongs to nor a marketplace admin.'),
('CONTRACTS_UNKNOWN_CONTRACT', 'contracts', 'PT404', 'no such contract', NULL, 'Unknown contract id.'),
('CONTRACTS_INVALID_STATE', 'contracts', 'PT409', 'the contract or assignment is not in a state that allows this', NULL,
 'E.g. activating an active contract twice with changes, assigning on a contract that is not ACTIVE or already over, '
 'terminating a completed contract, completing before the end date.'),
('CONTRACTS_NO_COMMISSION_RULE', 'contracts', 'PT409', 'no commission rule for the provider''s tier and currency',
 'add the rule to a new COMMISSION_STRATEGY version',
 'The COMMISSION_STRATEGY version in force at award time has no row for a provider''s tier and the contract currency.'),
('CONTRACTS_WALLET_INVALID', 'contracts', 'PT409', 'a party has no usable wallet in the contract currency',
 'open the party''s MAIN wallet in the contract currency', 'The business or a provider has no wallet account, or it is in another currency.'),
('CONTRACTS_AMOUNT_PRECISION', 'contracts', 'PT400', 'an awarded price has more decimals than the currency allows', NULL,
 'A unit price exceeds the currency''s minor units (masterdata.currency.minor_units).'),
('CONTRACTS_INSUFFICIENT_FUNDS', 'contracts', 'PT402', 'the business wallet cannot cover the contract',
 'fund the wallet, then activate again', 'Activation needs the full contract amount available on the business wallet; nothing was held.'),
('CONTRACTS_UNKNOWN_LINE', 'contracts', 'PT404', 'no such contract line', NULL, 'Unknown contract line id.'),
('CONTRACTS_UNKNOWN_VEHICLE', 'contracts', 'PT404', 'no such vehicle of this provider', NULL,
 'The vehicle does not exist or belongs to another provider.'),
('CONTRACTS_VEHICLE_INACTIVE', 'contracts', 'PT409', 'the vehicle is not ACTIVE', NULL, 'Only ACTIVE vehicles can be assigned.'),
('CONTRACTS_VEHICLE_TYPE_MISMATCH', 'contracts', 'PT409', 'the vehicle does not match the line', NULL,
 'The vehicle type (or the engine type, when the line asks for one) differs from the contract line.'),
('CONTRACTS_VEHICLE_UNINSURED', 'contracts', 'PT409', 'the vehicle is not insured for the whole assignment period',
 'register and verify insurance covering every day', 'VERIFIED insurance must cover every day of the assignment period.'),
('CONTRACTS_LINE_FULL', 'contracts', 'PT409', 'the line already has as many live assignments as its quantity', NULL,
 'At most quantity PENDING_DELIVERY/ACTIVE assignments per contract line.'),
('CONTRACTS_VEHICLE_DOUBLE_BOOKED', 'contracts', 'PT409', 'the vehicle is already assigned for an overlapping period', NULL,
 'A vehicle can be in only one live assignment on any day (exclusion constraint).'),
('CONTRACTS_UNKNOWN_ASSIGNMENT', 'contracts', 'PT404', 'no such assignment', NULL, 'Unknown assignment id.'),
('CONTRACTS_IMMUTABLE', 'contracts', 'PT403', 'contract snapshots, terms and lines never change', NULL,
 'UPDATE/DELETE of a party snapshot, of a contract''s terms or of a line''s terms, or escrow bookkeeping going backwards.'),
('CONTRACTS_ASSIGNMENTS_LIVE', 'contracts', 'PT409', 'the contract still has live assignments',
 'record the returns (or cancel pending assignments) first', 'Completion needs every assignment RETURNED or CANCELLED.');

-- Guards --------------------------------------------------------------------------------------------

CREATE TRIGGER party_business_immutable BEFORE UPDATE OR DELETE ON contracts.party_business
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('CONTRACTS_IMMUTABLE');
CREATE TRIGGER party_provider_immutable BEFORE UPDATE OR DELETE ON contracts.party_provider
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('CONTRACTS_IMMUTABLE');

CREATE FUNCTION contracts.contract_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM core.raise('CONTRACTS_IMMUTABLE', format('DELETE of contract %s', OLD.id));
    END IF;
    IF (NEW.id, NEW.contract_number, NEW.rfq_id, NEW.business_id, NEW.currency, NEW.start_date, NEW.end_date,
        NEW.total_amount, NEW.commission_policy_version_id, NEW.business_wallet_account_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.contract_number, OLD.rfq_id, OLD.business_id, OLD.currency, OLD.start_date, OLD.end_date,
        OLD.total_amount, OLD.commission_policy_version_id, OLD.business_wallet_account_id, OLD.created_at) THEN
        PERFORM core.raise('CONTRACTS_IMMUTABLE', format('the terms of contract %s', OLD.id));
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status
       AND (OLD.status, NEW.status) NOT IN (('PENDING_ACTIVATION', 'ACTIVE'), ('PENDING_ACTIVATION', 'CANCELLED'),
                                            ('ACTIVE', 'COMPLETED'), ('ACTIVE', 'TERMINATED')) THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s: %s -> %s', OLD.id, OLD.status, NEW.status));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION contracts.contract_guard_trg() IS
'Trigger: a contract''s terms never change, it is never deleted, and its status only moves PENDING_ACTIVATION ->
ACTIVE | CANCELLED, ACTIVE -> COMPLETED | TERMINATED. Errors: CONTRACTS_IMMUTABLE, CONTRACTS_INVALID_STATE.';

CREATE TRIGGER contract_guard BEFORE UPDATE OR DELETE ON contracts.contract
    FOR EACH ROW EXECUTE FUNCTION contracts.contract_guard_trg();

CREATE FUNCTION contracts.contract_line_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM core.raise('CONTRACTS_IMMUTABLE', format('DELETE of contract line %s', OLD.id));
    END IF;
    IF (NEW.id, NEW.contract_id, NEW.award_id, NEW.rfq_line_id, NEW.provider_id, NEW.vehicle_type, NEW.engine_type,
        NEW.with_driver, NEW.quantity, NEW.unit_price, NEW.days, NEW.total_amount)
       IS DISTINCT FROM
       (OLD.id, OLD.contract_id, OLD.award_id, OLD.rfq_line_id, OLD.provider_id, OLD.vehicle_type, OLD.engine_type,
        OLD.with_driver, OLD.quantity, OLD.unit_price, OLD.days, OLD.total_amount) THEN
        PERFORM core.raise('CONTRACTS_IMMUTABLE', format('the terms of contract line %s', OLD.id));
    END IF;
    IF NEW.settled_gross < OLD.settled_gross OR NEW.released < OLD.released
       OR (OLD.escrowed <> 0 AND NEW.escrowed <> OLD.escrowed) THEN
        PERFORM core.raise('CONTRACTS_IMMUTABLE',
                           format('contract line %s: escrow bookkeeping only grows (escrowed is set once)', OLD.id));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION contracts.contract_line_guard_trg() IS
'Trigger: a contract line''s terms never change and it is never deleted; only the escrow bookkeeping (hold_id,
escrowed once, settled_gross and released only upwards) moves. Error: CONTRACTS_IMMUTABLE.';

CREATE TRIGGER contract_line_guard BEFORE UPDATE OR DELETE ON contracts.contract_line
    FOR EACH ROW EXECUTE FUNCTION contracts.contract_line_guard_trg();

CREATE FUNCTION contracts.assignment_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM core.raise('CONTRACTS_IMMUTABLE', format('DELETE of assignment %s', OLD.id));
    END IF;
    IF (NEW.id, NEW.contract_line_id, NEW.contract_id, NEW.provider_id, NEW.vehicle_id, NEW.period, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.contract_line_id, OLD.contract_id, OLD.provider_id, OLD.vehicle_id, OLD.period, OLD.created_at) THEN
        PERFORM core.raise('CONTRACTS_IMMUTABLE', format('the terms of assignment %s', OLD.id));
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF (OLD.status, NEW.status) NOT IN (('PENDING_DELIVERY', 'ACTIVE'), ('PENDING_DELIVERY', 'CANCELLED'),
                                            ('ACTIVE', 'RETURNED')) THEN
            PERFORM core.raise('CONTRACTS_INVALID_STATE', format('assignment %s: %s -> %s', OLD.id, OLD.status, NEW.status));
        END IF;
        -- The escrow bound (contracts.line_bounds) relies on these: a handover is never back-dated and a return
        -- never lies in the future or before the handover.
        IF NEW.status = 'ACTIVE' AND NEW.started_on < current_date THEN
            PERFORM core.raise('CONTRACTS_INVALID_STATE',
                               format('assignment %s: started_on %s is before today', OLD.id, NEW.started_on));
        ELSIF NEW.status = 'RETURNED' AND (NEW.ended_on > current_date OR NEW.ended_on < NEW.started_on) THEN
            PERFORM core.raise('CONTRACTS_INVALID_STATE',
                               format('assignment %s: ended_on %s must lie in [started_on %s, today]', OLD.id,
                                      NEW.ended_on, NEW.started_on));
        END IF;
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION contracts.assignment_guard_trg() IS
'Trigger: an assignment''s line, vehicle and period never change, it is never deleted, and its status only moves
PENDING_DELIVERY -> ACTIVE (started_on not before today) | CANCELLED, ACTIVE -> RETURNED (ended_on between
started_on and today). Errors: CONTRACTS_IMMUTABLE, CONTRACTS_INVALID_STATE.';

CREATE TRIGGER assignment_guard BEFORE UPDATE OR DELETE ON contracts.assignment
    FOR EACH ROW EXECUTE FUNCTION contracts.assignment_guard_trg();

CREATE TRIGGER contract_audit AFTER INSERT OR UPDATE OR DELETE ON contracts.contract
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER assignment_audit AFTER INSERT OR UPDATE OR DELETE ON contracts.assignment
    FOR EACH ROW EXECUTE FUNCTION audit.track();

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
               wallet_ok boolean)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT p.provider_id, p.tier_code, r.rate, r.minimum_amount, r.maximum_amount,
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
COMMISSION_STRATEGY version (rate NULL when there is none) and whether their wallet is in the currency.
Errors: none. Assumes READ COMMITTED.';

CREATE FUNCTION contracts.line_bounds(p_contract_id bigint)
RETURNS TABLE (contract_line_id bigint, max_gross numeric, earned_gross numeric)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id,
           l.unit_price * (coalesce(a.bound_days, 0)
               + CASE WHEN c.status = 'ACTIVE'
                      THEN greatest(l.quantity - coalesce(a.live, 0), 0)
                           * greatest((c.end_date + 1) - greatest(current_date, c.start_date), 0)
                      ELSE 0 END),
           l.unit_price * coalesce(a.earned_days, 0)
      FROM contracts.contract_line l
      JOIN contracts.contract c ON c.id = l.contract_id
      LEFT JOIN LATERAL (
          SELECT count(*) FILTER (WHERE s.live) AS live,
                 sum(greatest(
                     CASE s.status
                          WHEN 'RETURNED' THEN least(s.ended_on, upper(s.period))
                          ELSE upper(s.period) END
                     - CASE s.status
                          WHEN 'PENDING_DELIVERY' THEN greatest(current_date, lower(s.period))
                          ELSE greatest(s.started_on, lower(s.period)) END, 0))
                     FILTER (WHERE s.status <> 'CANCELLED') AS bound_days,
                 sum(greatest(
                     least(coalesce(s.ended_on, upper(s.period)), upper(s.period), current_date)
                     - greatest(s.started_on, lower(s.period)), 0))
                     FILTER (WHERE s.status IN ('ACTIVE', 'RETURNED')) AS earned_days
            FROM contracts.assignment s
           WHERE s.contract_line_id = l.id) a ON true
     WHERE l.contract_id = p_contract_id
     ORDER BY l.id;
END;
COMMENT ON FUNCTION contracts.line_bounds(bigint) IS
'Per line of a contract: max_gross, the most the line can still have earned in total (settled or not), and
earned_gross, what it has earned up to yesterday. Per assignment, billable days are the calendar days in
[greatest(started_on, start), least(coalesce(ended_on, end + 1), end + 1)); the bound counts a RETURNED assignment''s
actual days, an ACTIVE one until the end of its period, a PENDING_DELIVERY one from today (a handover is never
back-dated), a CANCELLED one nothing, and each quantity slot without a live assignment from today to the end date
while the contract is ACTIVE (nothing once it is TERMINATED or COMPLETED). All amounts are days x unit_price, so
they are exact in the currency''s minor units. Errors: none. Assumes READ COMMITTED.';

CREATE FUNCTION contracts.hold_reference(p_line_id bigint, p_settled_gross numeric, p_released numeric)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN ledger.build_reference('contract-line', p_line_id, 'hold', trim_scale(p_settled_gross)::text, trim_scale(p_released)::text);
COMMENT ON FUNCTION contracts.hold_reference(bigint, numeric, numeric) IS
'The ledger reference of the escrow hold a line should have once it has settled p_settled_gross and released
p_released (both only grow, so every hold of the chain has its own reference and a retry of the same step replays
it). Settlement calls it for the hold it leaves after a capture.';

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
    v_business := parties.current_business();
    IF v_business.id IS DISTINCT FROM p_contract.business_id THEN
        PERFORM core.raise('CONTRACTS_FORBIDDEN', format('contract %s belongs to another business', p_contract.id));
    END IF;
END
$$;
COMMENT ON FUNCTION contracts.require_contract_party(contracts.contract, boolean) IS
'Refuse unless the caller is the contract''s business owner, the service role (back office) or, when p_admin_ok, a
marketplace admin. Errors: CONTRACTS_FORBIDDEN, IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_NOT_A_BUSINESS.';

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
    IF NOT parties.is_marketplace_admin() AND (parties.current_business()).id IS DISTINCT FROM v_rfq.business_id THEN
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
                                          commission_rate, commission_min, commission_max, wallet_account_id, snapshot)
    SELECT v_contract.id, pr.id, pr.name, pr.tin_number, pr.provider_type, n.tier_code, pr.trust_score,
           n.rate, n.minimum_amount, n.maximum_amount, pr.wallet_account_id,
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
every awarded provider (tier at award time from the tier history, and the commission rate/min/max of the
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

-- Activation: escrow ----------------------------------------------------------------------------------

CREATE FUNCTION contracts.activate_contract(p_contract_id bigint)
RETURNS contracts.contract
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v         contracts.contract;
    v_avail   numeric;
    v_hold    bigint;
    l         contracts.contract_line;
BEGIN
    SELECT * INTO v FROM contracts.contract WHERE id = p_contract_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_CONTRACT', format('contract %s', p_contract_id));
    END IF;
    PERFORM contracts.require_contract_party(v, false);
    IF v.status = 'ACTIVE' THEN
        RETURN v;   -- a retry
    ELSIF v.status <> 'PENDING_ACTIVATION' THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s is %s', p_contract_id, v.status));
    ELSIF v.end_date < current_date THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s ended on %s', p_contract_id, v.end_date));
    END IF;
    PERFORM 1 FROM contracts.contract_line WHERE contract_id = p_contract_id ORDER BY id FOR UPDATE;
    -- Lock the wallet so the funds check and the holds see the same available amount.
    PERFORM 1 FROM ledger.account WHERE id = v.business_wallet_account_id FOR UPDATE;
    v_avail := ledger.available(v.business_wallet_account_id);
    IF coalesce(v_avail, 0) < v.total_amount THEN
        PERFORM core.raise('CONTRACTS_INSUFFICIENT_FUNDS',
                           format('contract %s needs %s %s, wallet %s has %s available', p_contract_id,
                                  v.total_amount, v.currency, v.business_wallet_account_id, coalesce(v_avail, 0)));
    END IF;
    FOR l IN SELECT * FROM contracts.contract_line WHERE contract_id = p_contract_id ORDER BY id LOOP
        v_hold := ledger.create_hold(contracts.hold_reference(l.id, l.settled_gross, l.released), v.business_wallet_account_id, trim_scale(l.total_amount), NULL,
                                     format('escrow contract %s line %s', p_contract_id, l.id));
        UPDATE contracts.contract_line SET hold_id = v_hold, escrowed = total_amount WHERE id = l.id;
    END LOOP;
    UPDATE contracts.contract SET status = 'ACTIVE', activated_at = now() WHERE id = p_contract_id RETURNING * INTO v;
    PERFORM audit.record('contracts', 'contract', p_contract_id::text, 'ACTIVATED', NULL,
                         jsonb_build_object('escrowed', v.total_amount, 'wallet_account_id', v.business_wallet_account_id));
    RETURN v;
END
$$;
COMMENT ON FUNCTION contracts.activate_contract(bigint) IS
'Activate a contract: hold its full amount in escrow on the business wallet, one ledger hold per line (reference
contract-line:<id>:hold:0:0, so a retried step replays), then ACTIVE. Caller: the business owner (or the service
role). Idempotent on an ACTIVE contract. Not enough available funds: CONTRACTS_INSUFFICIENT_FUNDS (402, detail: needed
vs available) and nothing changes. Errors: CONTRACTS_UNKNOWN_CONTRACT, CONTRACTS_FORBIDDEN, CONTRACTS_INVALID_STATE,
CONTRACTS_INSUFFICIENT_FUNDS, LEDGER_ACCOUNT_FROZEN/CLOSED. Locks the contract, its lines (ascending id), then the
wallet account. Assumes READ COMMITTED.';

-- Releasing the unearned part ---------------------------------------------------------------------

CREATE FUNCTION contracts.release_unearned(p_contract_id bigint)
RETURNS numeric
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v        contracts.contract;
    v_total  numeric := 0;
    v_hold   bigint;
    r        record;
    l        contracts.contract_line;
BEGIN
    SELECT * INTO v FROM contracts.contract WHERE id = p_contract_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_CONTRACT', format('contract %s', p_contract_id));
    END IF;
    IF v.status IN ('PENDING_ACTIVATION', 'CANCELLED') THEN
        RETURN 0;
    END IF;
    PERFORM 1 FROM contracts.contract_line WHERE contract_id = p_contract_id ORDER BY id FOR UPDATE;
    FOR r IN
        SELECT ln AS line,
               (ln.escrowed - ln.settled_gross - ln.released)
               - least(ln.escrowed - ln.settled_gross - ln.released, greatest(b.max_gross - ln.settled_gross, 0)) AS excess
          FROM contracts.line_bounds(p_contract_id) b
          JOIN contracts.contract_line ln ON ln.id = b.contract_line_id
         ORDER BY ln.id
    LOOP
        CONTINUE WHEN r.excess <= 0;
        l := r.line;
        PERFORM ledger.release_hold(ledger.build_reference('contract-line', l.id, 'release', trim_scale(l.released + r.excess)::text),
                                    l.hold_id);
        l.released := l.released + r.excess;
        v_hold := NULL;
        IF l.escrowed - l.settled_gross - l.released > 0 THEN
            v_hold := ledger.create_hold(contracts.hold_reference(l.id, l.settled_gross, l.released), v.business_wallet_account_id,
                                         trim_scale(l.escrowed - l.settled_gross - l.released), NULL,
                                         format('escrow contract %s line %s', p_contract_id, l.id));
        END IF;
        UPDATE contracts.contract_line SET released = l.released, hold_id = v_hold WHERE id = l.id;
        v_total := v_total + r.excess;
    END LOOP;
    IF v_total > 0 THEN
        PERFORM audit.record('contracts', 'contract', p_contract_id::text, 'UNEARNED_RELEASED', NULL,
                             jsonb_build_object('released', v_total));
    END IF;
    RETURN v_total;
END
$$;
COMMENT ON FUNCTION contracts.release_unearned(bigint) IS
'Give back to the business what the contract can no longer earn; returns the amount released. Per line the hold must
cover max_gross - settled_gross (contracts.line_bounds); anything above is released: the current hold is released
and a new one is created for the remainder (hold_id follows it; none when nothing remains). Only releases, never
holds more. Internal: called by terminate/complete/cancel_assignment and by delivery after a return (and by the
back office). Errors: CONTRACTS_UNKNOWN_CONTRACT, LEDGER_ACCOUNT_FROZEN/CLOSED (the new hold). Locks the contract
(FOR SHARE), its lines (ascending id), then the wallet via the ledger. Assumes READ COMMITTED.';

-- Assignments -----------------------------------------------------------------------------------

CREATE FUNCTION contracts.assign_vehicle(p_contract_line_id bigint, p_vehicle_id bigint)
RETURNS contracts.assignment
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_line    contracts.contract_line;
    v         contracts.contract;
    v_vehicle fleet.vehicle;
    v_from    date;
    v_live    integer;
    v_row     contracts.assignment;
BEGIN
    SELECT * INTO v_line FROM contracts.contract_line WHERE id = p_contract_line_id;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_LINE', format('contract line %s', p_contract_line_id));
    END IF;
    IF NOT parties.is_marketplace_admin() AND (parties.current_provider()).id IS DISTINCT FROM v_line.provider_id THEN
        PERFORM core.raise('CONTRACTS_FORBIDDEN', format('contract line %s belongs to another provider', p_contract_line_id));
    END IF;
    -- Parent before child: the contract (shared), then the line (serialises the quantity count).
    SELECT * INTO v FROM contracts.contract WHERE id = v_line.contract_id FOR SHARE;
    PERFORM 1 FROM contracts.contract_line WHERE id = p_contract_line_id FOR UPDATE;
    IF v.status <> 'ACTIVE' THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s is %s', v.id, v.status),
                           'vehicles are assigned to ACTIVE (escrowed) contracts');
    ELSIF v.end_date < current_date THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s ended on %s', v.id, v.end_date));
    END IF;
    SELECT * INTO v_vehicle FROM fleet.vehicle WHERE id = p_vehicle_id AND provider_id = v_line.provider_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_VEHICLE', format('vehicle %s of provider %s', p_vehicle_id, v_line.provider_id));
    ELSIF v_vehicle.status <> 'ACTIVE' THEN
        PERFORM core.raise('CONTRACTS_VEHICLE_INACTIVE', format('vehicle %s is %s', p_vehicle_id, v_vehicle.status));
    ELSIF v_vehicle.vehicle_type <> v_line.vehicle_type
          OR (v_line.engine_type IS NOT NULL AND v_vehicle.engine_type IS DISTINCT FROM v_line.engine_type) THEN
        PERFORM core.raise('CONTRACTS_VEHICLE_TYPE_MISMATCH',
                           format('vehicle %s is %s/%s, line %s wants %s/%s', p_vehicle_id, v_vehicle.vehicle_type,
                                  coalesce(v_vehicle.engine_type, '-'), p_contract_line_id, v_line.vehicle_type,
                                  coalesce(v_line.engine_type, 'any')));
    END IF;
    v_from := greatest(v.start_date, current_date);
    IF NOT fleet.vehicle_insured(p_vehicle_id, v_from, v.end_date) THEN
        PERFORM core.raise('CONTRACTS_VEHICLE_UNINSURED', format('vehicle %s for %s..%s', p_vehicle_id, v_from, v.end_date));
    END IF;
    SELECT count(*) INTO v_live FROM contracts.assignment
     WHERE contract_line_id = p_contract_line_id AND live;
    IF v_live >= v_line.quantity THEN
        PERFORM core.raise('CONTRACTS_LINE_FULL', format('contract line %s has %s of %s', p_contract_line_id, v_live, v_line.quantity));
    END IF;
    BEGIN
        INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period)
        VALUES (p_contract_line_id, v.id, v_line.provider_id, p_vehicle_id, daterange(v_from, v.end_date, '[]'))
        RETURNING * INTO v_row;
    EXCEPTION WHEN exclusion_violation THEN
        PERFORM core.raise('CONTRACTS_VEHICLE_DOUBLE_BOOKED',
                           format('vehicle %s already has a live assignment overlapping %s..%s', p_vehicle_id, v_from, v.end_date));
    END;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION contracts.assign_vehicle(bigint, bigint) IS
'Assign one of the provider''s vehicles to a contract line for the rest of the contract period
([greatest(start, today), end]), status PENDING_DELIVERY. Caller: the line''s provider (or a marketplace admin).
The vehicle must be the provider''s, ACTIVE, of the line''s type (and engine when the line names one), insured by
VERIFIED policies for every day of the period; at most quantity live assignments per line; never two overlapping
live assignments of one vehicle (exclusion constraint; its 23P01 becomes CONTRACTS_VEHICLE_DOUBLE_BOOKED, also
against a concurrent assignment, which waits for the first to commit). Errors: CONTRACTS_UNKNOWN_LINE,
CONTRACTS_FORBIDDEN, CONTRACTS_INVALID_STATE, CONTRACTS_UNKNOWN_VEHICLE, CONTRACTS_VEHICLE_INACTIVE,
CONTRACTS_VEHICLE_TYPE_MISMATCH, CONTRACTS_VEHICLE_UNINSURED, CONTRACTS_LINE_FULL, CONTRACTS_VEHICLE_DOUBLE_BOOKED.
Locks the contract (FOR SHARE), the line, the vehicle (FOR SHARE). Assumes READ COMMITTED.';

CREATE FUNCTION contracts.cancel_assignment(p_assignment_id bigint, p_reason text DEFAULT NULL)
RETURNS contracts.assignment
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row contracts.assignment;
    v     contracts.contract;
BEGIN
    SELECT * INTO v_row FROM contracts.assignment WHERE id = p_assignment_id;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_ASSIGNMENT', format('assignment %s', p_assignment_id));
    END IF;
    SELECT * INTO v FROM contracts.contract WHERE id = v_row.contract_id;
    IF NOT parties.is_marketplace_admin()
       AND (identity.current_actor()).user_id IS DISTINCT FROM
           (SELECT p.user_id FROM parties.provider p WHERE p.id = v_row.provider_id)
       AND (identity.current_actor()).user_id IS DISTINCT FROM
           (SELECT b.user_id FROM parties.business b WHERE b.id = v.business_id) THEN
        PERFORM core.raise('CONTRACTS_FORBIDDEN', format('assignment %s', p_assignment_id));
    END IF;
    UPDATE contracts.assignment SET status = 'CANCELLED', end_reason = left(p_reason, 500)
     WHERE id = p_assignment_id AND status = 'PENDING_DELIVERY'
    RETURNING * INTO v_row;
    IF NOT FOUND THEN
        SELECT * INTO v_row FROM contracts.assignment WHERE id = p_assignment_id;
        IF v_row.status = 'CANCELLED' THEN
            RETURN v_row;
        END IF;
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('assignment %s is %s', p_assignment_id, v_row.status),
                           'only an assignment pending delivery can be cancelled');
    END IF;
    PERFORM contracts.release_unearned(v_row.contract_id);
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION contracts.cancel_assignment(bigint, text) IS
'Cancel an assignment before delivery (PENDING_DELIVERY -> CANCELLED, one conditional UPDATE); the vehicle is free
again and the slot open. Caller: the line''s provider, the contract''s business or a marketplace admin. Idempotent on
a cancelled assignment. Errors: CONTRACTS_UNKNOWN_ASSIGNMENT, CONTRACTS_FORBIDDEN, CONTRACTS_INVALID_STATE.
Locks the assignment, then (release_unearned) the contract and its lines. Assumes READ COMMITTED.';

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
        IF NOT EXISTS (SELECT 1 FROM parties.business b WHERE b.id = v.business_id AND b.user_id = v_user) THEN
            SELECT pp.provider_id INTO v_provider FROM contracts.party_provider pp
              JOIN parties.provider p ON p.id = pp.provider_id
             WHERE pp.contract_id = p_contract_id AND p.user_id = v_user;
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
    v_user  bigint;
    v_admin boolean := parties.is_marketplace_admin();
BEGIN
    IF NOT v_admin THEN
        v_user := (identity.require_user()).user_id;
    END IF;
    RETURN QUERY
    SELECT c.id, c.contract_number, c.rfq_id, c.business_id, c.currency, c.start_date, c.end_date,
           CASE WHEN v_admin OR EXISTS (SELECT 1 FROM parties.business b WHERE b.id = c.business_id AND b.user_id = v_user)
                THEN c.total_amount END::numeric(20,4),
           c.status, c.commission_policy_version_id, c.business_wallet_account_id, c.created_at, c.activated_at,
           c.ended_at, c.end_reason
      FROM contracts.contract c
     WHERE (p_status IS NULL OR c.status = p_status)
       AND (v_admin
            OR EXISTS (SELECT 1 FROM parties.business b WHERE b.id = c.business_id AND b.user_id = v_user)
            OR EXISTS (SELECT 1 FROM contracts.party_provider pp JOIN parties.provider p ON p.id = pp.provider_id
                        WHERE pp.contract_id = c.id AND p.user_id = v_user))
     ORDER BY c.id DESC
     LIMIT least(greatest(coalesce(p_limit, 100), 1), 1000);
END
$$;
COMMENT ON FUNCTION contracts.list_contracts(text, integer) IS
'Contracts the caller is a party to (as business owner or provider), newest first, optionally by status; a
marketplace admin sees all. total_amount is null for a provider (it would reveal the other providers'' prices). p_limit is clamped to 1..1000. Errors: IDENTITY_NOT_AUTHENTICATED. Assumes READ COMMITTED.';

-- Integrity -------------------------------------------------------------------------------------------

CREATE FUNCTION contracts.check()
RETURNS TABLE (check_name text, ok boolean, violations bigint, sample jsonb)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    WITH line AS MATERIALIZED (
        SELECT l.id, l.contract_id, l.hold_id, l.escrowed, l.settled_gross, l.released, l.total_amount,
               l.escrowed - l.settled_gross - l.released AS remainder, c.status, c.business_wallet_account_id,
               b.max_gross, b.earned_gross
          FROM contracts.contract_line l
          JOIN contracts.contract c ON c.id = l.contract_id
          CROSS JOIN LATERAL contracts.line_bounds(c.id) b
         WHERE b.contract_line_id = l.id
    ), violation (check_name, row) AS MATERIALIZED (
    SELECT 'hold_equals_escrow_remainder',
           jsonb_build_object('contract_line_id', x.id, 'hold_id', x.hold_id, 'remainder', x.remainder,
                              'hold_status', h.status, 'hold_amount', h.amount, 'hold_account_id', h.account_id)
      FROM line x LEFT JOIN ledger.hold h ON h.id = x.hold_id
     WHERE (x.remainder > 0 AND (h.id IS NULL OR h.status <> 'OPEN' OR h.amount <> x.remainder
                                 OR h.account_id <> x.business_wallet_account_id))
        OR (x.remainder = 0 AND h.status = 'OPEN')
    UNION ALL
    SELECT 'escrowed_matches_status', jsonb_build_object('contract_line_id', x.id, 'status', x.status, 'escrowed', x.escrowed)
      FROM line x
     WHERE (x.status IN ('ACTIVE', 'TERMINATED', 'COMPLETED') AND x.escrowed <> x.total_amount)
        OR (x.status IN ('PENDING_ACTIVATION', 'CANCELLED') AND (x.escrowed <> 0 OR x.hold_id IS NOT NULL))
    UNION ALL
    SELECT 'escrow_covers_unsettled_earnings',
           jsonb_build_object('contract_line_id', x.id, 'remainder', x.remainder, 'earned', x.earned_gross,
                              'settled_gross', x.settled_gross)
      FROM line x WHERE x.escrowed > 0 AND x.remainder < x.earned_gross - x.settled_gross
    UNION ALL
    SELECT 'ended_contract_holds_only_earnings',
           jsonb_build_object('contract_line_id', x.id, 'status', x.status, 'remainder', x.remainder,
                              'max_gross', x.max_gross, 'settled_gross', x.settled_gross)
      FROM line x WHERE x.status IN ('TERMINATED', 'COMPLETED') AND x.remainder > greatest(x.max_gross - x.settled_gross, 0)
    UNION ALL
    SELECT 'contract_total_equals_lines', jsonb_build_object('contract_id', c.id, 'total_amount', c.total_amount,
                                                             'lines_total', s.total)
      FROM contracts.contract c
      LEFT JOIN (SELECT contract_id, sum(total_amount) AS total FROM contracts.contract_line GROUP BY contract_id) s
             ON s.contract_id = c.id
     WHERE c.total_amount IS DISTINCT FROM s.total
    UNION ALL
    SELECT 'live_assignments_within_quantity', jsonb_build_object('contract_line_id', l.id, 'quantity', l.quantity,
                                                                  'live', count(*))
      FROM contracts.contract_line l JOIN contracts.assignment a ON a.contract_line_id = l.id
     WHERE a.live
     GROUP BY l.id, l.quantity HAVING count(*) > l.quantity
    UNION ALL
    SELECT 'assignment_matches_line', jsonb_build_object('assignment_id', a.id, 'contract_line_id', a.contract_line_id)
      FROM contracts.assignment a JOIN contracts.contract_line l ON l.id = a.contract_line_id
      JOIN fleet.vehicle v ON v.id = a.vehicle_id
     WHERE a.contract_id <> l.contract_id OR a.provider_id <> l.provider_id OR v.provider_id <> a.provider_id
    )
    SELECT c.name, count(v.row) = 0, count(v.row),
           (SELECT jsonb_agg(s.row) FROM (SELECT x.row FROM violation x WHERE x.check_name = c.name LIMIT 20) s)
      FROM unnest(ARRAY['hold_equals_escrow_remainder', 'escrowed_matches_status', 'escrow_covers_unsettled_earnings',
                        'ended_contract_holds_only_earnings', 'contract_total_equals_lines',
                        'live_assignments_within_quantity', 'assignment_matches_line']) WITH ORDINALITY AS c(name, n)
      LEFT JOIN violation v ON v.check_name = c.name
     GROUP BY c.name, c.n
     ORDER BY c.n;
END
$$;
COMMENT ON FUNCTION contracts.check() IS
'Verify the contracts'' invariants; one row per check with the number of violations and a sample. The escrow
invariant: for every line, hold_id is an OPEN hold on the contract''s business wallet of exactly escrowed -
settled_gross - released (and no open hold when that is 0). Also: activated contracts escrowed their full amount,
unactivated ones nothing; the escrow still covers what was earned but not settled; ended contracts hold no more than
their unsettled earnings; contract totals equal their lines; live assignments never exceed a line''s quantity;
assignments agree with their line and vehicle. A full scan: run it from a job. Errors: none of its own.
Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
