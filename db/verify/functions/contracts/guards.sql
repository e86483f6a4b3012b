-- Verify mercato:functions/contracts/guards on pg
-- Existence and privileges only. Fails when any error code, trigger or trigger function of the change is missing
-- (division by zero; a missing function's regprocedure cast raises), a trigger is disabled or calls another
-- function, or an API role may execute a trigger function.

BEGIN;

-- every error code of the module is in the catalogue
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY[
                   'CONTRACTS_UNKNOWN_RFQ',
                   'CONTRACTS_RFQ_NOT_AWARDED',
                   'CONTRACTS_FORBIDDEN',
                   'CONTRACTS_UNKNOWN_CONTRACT',
                   'CONTRACTS_INVALID_STATE',
                   'CONTRACTS_NO_COMMISSION_RULE',
                   'CONTRACTS_WALLET_INVALID',
                   'CONTRACTS_AMOUNT_PRECISION',
                   'CONTRACTS_INSUFFICIENT_FUNDS',
                   'CONTRACTS_UNKNOWN_LINE',
                   'CONTRACTS_UNKNOWN_VEHICLE',
                   'CONTRACTS_VEHICLE_INACTIVE',
                   'CONTRACTS_VEHICLE_TYPE_MISMATCH',
                   'CONTRACTS_VEHICLE_UNINSURED',
                   'CONTRACTS_LINE_FULL',
                   'CONTRACTS_VEHICLE_DOUBLE_BOOKED',
                   'CONTRACTS_UNKNOWN_ASSIGNMENT',
                   'CONTRACTS_IMMUTABLE',
                   'CONTRACTS_ASSIGNMENTS_LIVE']) c;

-- every trigger, on its table, calling its function, enabled
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = g.fn AND t.tgenabled <> 'D')::int
  FROM (VALUES
       ('party_business_immutable', 'contracts.party_business'::regclass, 'core.refuse_change_trg()'::regprocedure),
       ('party_provider_immutable', 'contracts.party_provider'::regclass, 'core.refuse_change_trg()'::regprocedure),
       ('contract_guard', 'contracts.contract'::regclass, 'contracts.contract_guard_trg()'::regprocedure),
       ('contract_line_guard', 'contracts.contract_line'::regclass, 'contracts.contract_line_guard_trg()'::regprocedure),
       ('assignment_guard', 'contracts.assignment'::regclass, 'contracts.assignment_guard_trg()'::regprocedure),
       ('contract_audit', 'contracts.contract'::regclass, 'audit.track()'::regprocedure),
       ('assignment_audit', 'contracts.assignment'::regclass, 'audit.track()'::regprocedure)
       ) AS g(name, rel, fn);

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['contracts.contract_guard_trg()'::regprocedure,
                    'contracts.contract_line_guard_trg()'::regprocedure,
                    'contracts.assignment_guard_trg()'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
