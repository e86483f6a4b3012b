-- Verify mercato:functions/contracts/creation on pg
-- Existence and privileges only. Fails when any function of the change is missing (its regprocedure cast raises)
-- or executable by an API role (division by zero): the api wrappers call them as the owner.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['contracts.provider_tier_at(bigint, timestamptz)'::regprocedure,
                    'contracts.award_parties(bigint, timestamptz, bigint, text)'::regprocedure,
                    'contracts.require_contract_party(contracts.contract, boolean)'::regprocedure,
                    'contracts.create_contract(bigint)'::regprocedure,
                    'contracts.cancel_contract(bigint, text)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
