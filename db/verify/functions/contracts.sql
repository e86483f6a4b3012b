-- Verify mercato:functions/contracts on pg

BEGIN;

SELECT pg_catalog.has_function_privilege('contracts.create_contract(bigint)', 'execute');
SELECT pg_catalog.has_function_privilege('contracts.activate_contract(bigint)', 'execute');
SELECT pg_catalog.has_function_privilege('contracts.assign_vehicle(bigint, bigint)', 'execute');
SELECT pg_catalog.has_function_privilege('contracts.release_unearned(bigint)', 'execute');
SELECT pg_catalog.has_function_privilege('contracts.terminate_contract(bigint, text)', 'execute');
SELECT pg_catalog.has_function_privilege('contracts.complete_contract(bigint)', 'execute');
SELECT 1 / count(*) FROM contracts.check() WHERE ok;
SELECT 1 / count(*) FROM core.error WHERE code = 'CONTRACTS_VEHICLE_DOUBLE_BOOKED';

ROLLBACK;
