-- Deploy mercato:functions/contracts/assignments to pg
-- Vehicle assignments: a provider assigns one of its vehicles to a line of an ACTIVE contract (type, insurance,
-- quantity, no double booking), and a pending assignment can be cancelled before delivery. Delivery starts and
-- ends them (functions/delivery); the guard trigger is in functions/contracts/guards.

BEGIN;

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
    IF NOT parties.is_marketplace_admin() AND NOT parties.acts_for_provider(v_line.provider_id) THEN
        PERFORM parties.current_provider();   -- the caller's own errors first (not authenticated, not a provider)
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
       AND NOT parties.acts_for_provider(v_row.provider_id)
       AND NOT parties.acts_for_business(v.business_id) THEN
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

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
