-- Deploy mercato:functions/api/contracts to pg
-- The HTTP API of contracts: create from an award, activate into escrow, assign vehicles, end; reads for the parties.
-- Thin SECURITY DEFINER wrappers (API roles execute only api.*): the contracts functions check who is calling (request.jwt.claims) themselves.

BEGIN;

CREATE FUNCTION api.create_contract(p_rfq_id bigint)
RETURNS contracts.contract LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN contracts.create_contract(p_rfq_id);
SELECT core.wrap('api.create_contract(bigint)', 'contracts.create_contract(bigint)',
                 'Business owner or marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.cancel_contract(p_contract_id bigint, p_reason core.long_text DEFAULT NULL)
RETURNS contracts.contract LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN contracts.cancel_contract(p_contract_id, p_reason);
SELECT core.wrap('api.cancel_contract(bigint, core.long_text)', 'contracts.cancel_contract(bigint, text)',
                 'Business owner or marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.activate_contract(p_contract_id bigint)
RETURNS contracts.contract LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN contracts.activate_contract(p_contract_id);
SELECT core.wrap('api.activate_contract(bigint)', 'contracts.activate_contract(bigint)',
                 'Business owner.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.assign_vehicle(p_contract_line_id bigint, p_vehicle_id bigint)
RETURNS contracts.assignment LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN contracts.assign_vehicle(p_contract_line_id, p_vehicle_id);
SELECT core.wrap('api.assign_vehicle(bigint, bigint)', 'contracts.assign_vehicle(bigint, bigint)',
                 'The line''s provider or marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.cancel_assignment(p_assignment_id bigint, p_reason core.long_text DEFAULT NULL)
RETURNS contracts.assignment LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN contracts.cancel_assignment(p_assignment_id, p_reason);
SELECT core.wrap('api.cancel_assignment(bigint, core.long_text)', 'contracts.cancel_assignment(bigint, text)',
                 'Provider, business or admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.terminate_contract(p_contract_id bigint, p_reason core.long_text)
RETURNS contracts.contract LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN contracts.terminate_contract(p_contract_id, p_reason);
SELECT core.wrap('api.terminate_contract(bigint, core.long_text)', 'contracts.terminate_contract(bigint, text)',
                 'Business owner or marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.complete_contract(p_contract_id bigint)
RETURNS contracts.contract LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN contracts.complete_contract(p_contract_id);
SELECT core.wrap('api.complete_contract(bigint)', 'contracts.complete_contract(bigint)',
                 'Business owner or marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.contract(p_contract_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN contracts.get_contract(p_contract_id);
SELECT core.wrap('api.contract(bigint)', 'contracts.get_contract(bigint)',
                 'Parties of the contract and admins.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.contracts(p_status core.name_text DEFAULT NULL, p_limit integer DEFAULT 100)
RETURNS SETOF contracts.contract LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM contracts.list_contracts(p_status, p_limit);
END;
SELECT core.wrap('api.contracts(core.name_text, integer)', 'contracts.list_contracts(text, integer)',
                 'Any authenticated party (sees its own).', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.release_unearned(p_contract_id bigint)
RETURNS numeric LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN contracts.release_unearned(p_contract_id);
SELECT core.wrap('api.release_unearned(bigint)', 'contracts.release_unearned(bigint)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.contracts_check()
RETURNS TABLE (check_name text, ok boolean, violations bigint, sample jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT c.check_name, c.ok, c.violations, c.sample FROM contracts.check() c;
END;
SELECT core.wrap('api.contracts_check()', 'contracts.check()',
                 'Back office: mercato_service only.', 'mercato_service');

COMMIT;
