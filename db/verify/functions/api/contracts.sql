-- Verify mercato:functions/api/contracts on pg

BEGIN;

SELECT 'api.create_contract(bigint)'::regprocedure, 'api.activate_contract(bigint)'::regprocedure,
       'api.assign_vehicle(bigint, bigint)'::regprocedure, 'api.contracts(core.name_text, integer)'::regprocedure;

ROLLBACK;
