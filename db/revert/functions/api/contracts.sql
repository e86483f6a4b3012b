-- Revert mercato:functions/api/contracts from pg

BEGIN;

DROP FUNCTION api.contracts_check(), api.release_unearned(bigint), api.contracts(text, integer), api.contract(bigint),
    api.complete_contract(bigint), api.terminate_contract(bigint, text), api.cancel_assignment(bigint, text),
    api.assign_vehicle(bigint, bigint), api.activate_contract(bigint), api.cancel_contract(bigint, text),
    api.create_contract(bigint);

COMMIT;
