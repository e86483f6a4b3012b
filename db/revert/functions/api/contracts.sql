-- Revert mercato:functions/api/contracts from pg

BEGIN;

DROP FUNCTION api.contracts_check(), api.release_unearned(bigint), api.contracts(core.name_text, integer), api.contract(bigint),
    api.complete_contract(bigint), api.terminate_contract(bigint, core.long_text), api.cancel_assignment(bigint, core.long_text),
    api.assign_vehicle(bigint, bigint), api.activate_contract(bigint), api.cancel_contract(bigint, core.long_text),
    api.create_contract(bigint);

COMMIT;
