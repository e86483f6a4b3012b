-- Deploy mercato:functions/contracts/guards to pg
-- The contracts module's error codes, and the triggers that hold for every writer, the owner included: party
-- snapshots never change; a contract's and a line's terms never change and their status moves only forward
-- (contracts.contract_guard_trg, contract_line_guard_trg); an assignment keeps its line, vehicle and period and
-- its status and dates move only as delivery records them (contracts.assignment_guard_trg); contracts and
-- assignments are audited.

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

COMMIT;
